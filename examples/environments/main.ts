// One app, three environments. The debug sidecar is switched per chart with
// DebugToggle (construct context), not by editing the workloads:
//   dev:     on, with tcpdump, dig and strace (shares the process namespace)
//   staging: on, network tools only, no process namespace
//   prod:    declared production; the guard makes debug on an error there
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DebuggableDeployment, DebugToggle, DebugTool } from '../../src';

export interface EnvironmentChartProps {
  readonly environment: 'dev' | 'staging' | 'production';
  readonly debug: boolean;
}

export class EnvironmentChart extends Chart {
  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id, { namespace: `shop-${props.environment}` });
    // Context must be set before the chart has children.
    DebugToggle.setEnvironment(this, props.environment);
    DebugToggle.setEnabled(this, props.debug);

    const tools = props.environment === 'dev'
      ? [DebugTool.TCPDUMP, DebugTool.DIG, DebugTool.STRACE]
      : [DebugTool.TCPDUMP, DebugTool.DIG];

    new DebuggableDeployment(this, 'api', {
      replicas: props.environment === 'production' ? 3 : 1,
      containers: [{ name: 'api', image: 'docker.io/nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 }],
      debug: { tools },
    });
  }
}

export function buildEnvironments(app: App): EnvironmentChart[] {
  return [
    new EnvironmentChart(app, 'dev', { environment: 'dev', debug: true }),
    new EnvironmentChart(app, 'staging', { environment: 'staging', debug: true }),
    new EnvironmentChart(app, 'prod', { environment: 'production', debug: false }),
  ];
}

if (require.main === module) {
  const app = new App();
  buildEnvironments(app);
  app.synth();
}
