// The cdk8s side of the Pulumi example: a plain cdk8s chart, nothing Pulumi-
// specific. index.ts builds it from the stack's config and hands its objects
// to @pulumi/kubernetes.
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DebuggableDeployment, DebugOptions, DebugToggle, DebugTool } from 'cdk8s-debuggable';
import { parseAllDocuments } from 'yaml';

/** The app's Deployment, as it would be without this library. */
export const API_PROPS: kplus.DeploymentProps = {
  replicas: 2,
  containers: [{
    name: 'api',
    image: 'docker.io/nginxinc/nginx-unprivileged:1.27.3',
    portNumber: 8080,
  }],
};

/** The sidecar, when a stack switches it on. */
export const DEBUG: DebugOptions = { tools: [DebugTool.TCPDUMP, DebugTool.DIG] };

export interface WebChartProps {
  /** `production` (or `prod`) arms the library's production guard. */
  readonly environment: string;
  /** Debug sidecar on or off for every workload of the chart. */
  readonly debug: boolean;
}

export class WebChart extends Chart {
  public readonly api: DebuggableDeployment;

  constructor(app: App, id: string, props: WebChartProps) {
    super(app, id, { namespace: `web-${props.environment}` });
    // Context must be set before the chart has children.
    DebugToggle.setEnvironment(this, props.environment);
    DebugToggle.setEnabled(this, props.debug);
    this.api = new DebuggableDeployment(this, 'api', { ...API_PROPS, debug: DEBUG });
    this.api.exposeViaService({ name: 'api', ports: [{ port: 80, targetPort: 8080 }] });
  }
}

/**
 * The app's manifests as objects, exactly what `cdk8s synth` would write:
 * App.synthYaml() runs the same dependency ordering and validations.
 */
export function manifestsOf(app: App): any[] {
  return parseAllDocuments(app.synthYaml()).map(doc => doc.toJS());
}
