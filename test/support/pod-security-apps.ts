import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DebuggableDeployment, DebugOptions } from '../../src';

/** The app the Pod Security tests run: nginx, non-root, on 8080. */
export const APP = { image: 'nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };
/** cdk8s-plus-27's Capability enum has no ALL (its members are CAP_-prefixed); the string is what Kubernetes wants. */
export const ALL = 'ALL' as kplus.Capability;

/**
 * A Deployment Pod Security 'restricted' admits: non-root user, every
 * capability dropped, seccomp RuntimeDefault. cdk8s-plus-27 has no field for
 * seccomp, so that one is a JSON patch.
 */
export function restrictedApp(chart: Chart, id: string, debug?: DebugOptions, more: Partial<kplus.DeploymentProps> = {}): DebuggableDeployment {
  const dep = new DebuggableDeployment(chart, id, {
    ...more,
    containers: [{ ...APP, securityContext: { user: 101, group: 101, capabilities: { drop: [ALL] } } }],
    securityContext: { user: 101, group: 101 },
    debug,
  });
  ApiObject.of(dep).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
  return dep;
}

/** A YAML file in a temporary directory, for Include. */
export function yamlFile(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pod-security-'));
  const file = path.join(dir, 'manifest.yaml');
  fs.writeFileSync(file, text);
  return file;
}
