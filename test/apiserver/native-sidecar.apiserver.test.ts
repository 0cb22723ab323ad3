import { Testing } from 'cdk8s';
import { describeWithServer } from './jest-support';
import { DebuggableDeployment, DebugTool, SidecarForm } from '../../src';

/*
 * SidecarForm.NATIVE_SIDECAR (an init container with restartPolicy: Always) is
 * accepted by a real kube-apiserver, which keeps the field (an API server
 * without native sidecars would drop it silently), both as a Deployment and as
 * the bare Pod its template becomes.
 */

function nativeSidecarDeployment(): any {
  const chart = Testing.chart();
  new DebuggableDeployment(chart, 'web', {
    containers: [{ image: 'nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 }],
    debug: { enabled: true, tools: [DebugTool.TCPDUMP], form: SidecarForm.NATIVE_SIDECAR },
  });
  const objects = Testing.synth(chart);
  return objects.find(o => o.kind === 'Deployment');
}

describeWithServer('the native-sidecar form is accepted by kube-apiserver', server => {
  const namespace = `native-${Math.random().toString(36).slice(2, 7)}`;
  // Privileged (no enforce label): this suite is about validation; PodSecurity has its own suite.
  beforeAll(() => server().createNamespace(namespace));

  const deployment = nativeSidecarDeployment();
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'native', labels: deployment.spec.template.metadata?.labels },
    spec: deployment.spec.template.spec,
  };

  test('the library emits the debug sidecar as an init container with restartPolicy Always', () => {
    expect(deployment.spec.template.spec.initContainers).toEqual([expect.objectContaining({ name: 'debug', restartPolicy: 'Always' })]);
  });

  test.each([
    ['Deployment (kubectl apply)', () => deployment, 'apply', (o: any) => o.spec.template.spec],
    ['bare Pod (kubectl create)', () => pod, 'create', (o: any) => o.spec],
  ])('%s: accepted with strict validation, and the server keeps restartPolicy: Always', (_name, object, verb, specOf) => {
    // WHEN
    const r = server().kubectl([verb as string, '--dry-run=server', '--validate=strict', '-n', namespace, '-o', 'json', '-f', '-'],
      { input: JSON.stringify(object()) });

    // THEN
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    const stored = specOf(JSON.parse(r.stdout));
    expect(stored.initContainers).toEqual([expect.objectContaining({ name: 'debug', restartPolicy: 'Always' })]);
    expect(stored.containers.map((c: any) => c.name)).not.toContain('debug');
  });

  test('negative control: the server validates an init container\'s restartPolicy (an unknown value is refused)', () => {
    // GIVEN
    const broken = JSON.parse(JSON.stringify(pod));
    broken.spec.initContainers[0].restartPolicy = 'Sometimes';

    // WHEN
    const r = server().kubectl(['create', '--dry-run=server', '-n', namespace, '-f', '-'], { input: JSON.stringify(broken) });

    // THEN
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('spec.initContainers[0].restartPolicy: Unsupported value: "Sometimes"');
  });
});
