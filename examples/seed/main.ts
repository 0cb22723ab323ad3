// The seed scenario: an nginx app whose image has no tcpdump. Debug is off by
// default; `CDK8S_DEBUG=true cdk8s synth` adds a tcpdump sidecar to the same
// Pod (same network namespace), with NET_RAW and nothing else.
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DebuggableDeployment, DebugImage, DebugTool } from '../../src';

export interface SeedChartProps {
  /** Override the app image (the end-to-end tests use a local one). */
  readonly appImage?: string;
  readonly appImagePullPolicy?: kplus.ImagePullPolicy;
  /** Override the debug image (the end-to-end tests use a local one). */
  readonly debugImage?: DebugImage;
  readonly debugImagePullPolicy?: kplus.ImagePullPolicy;
}

export class SeedChart extends Chart {
  public readonly web: DebuggableDeployment;

  constructor(scope: Construct, id: string, props: SeedChartProps = {}) {
    super(scope, id);
    this.web = new DebuggableDeployment(this, 'my-nginx', {
      replicas: 1,
      containers: [{
        name: 'nginx',
        image: props.appImage || 'docker.io/nginxinc/nginx-unprivileged:1.27.3',
        imagePullPolicy: props.appImagePullPolicy,
        portNumber: 8080,
        securityContext: { user: 101, group: 101 },
        volumeMounts: [
          { path: '/tmp', volume: kplus.Volume.fromEmptyDir(this, 'tmp', 'tmp') },
        ],
      }],
      debug: { tools: [DebugTool.TCPDUMP], image: props.debugImage, imagePullPolicy: props.debugImagePullPolicy },
    });
    this.web.exposeViaService({ name: 'my-nginx', ports: [{ port: 80, targetPort: 8080 }] });
  }
}

if (require.main === module) {
  const app = new App();
  new SeedChart(app, 'seed');
  app.synth();
}
