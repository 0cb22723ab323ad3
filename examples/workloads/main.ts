// Debug sidecars for every workload of a chart: a StatefulSet, a CronJob and a
// third-party manifest brought in with Include. One call, DebugSidecar.attachAll,
// after the workloads are defined; switched on for staging only.
import * as path from 'path';
import { App, Chart, Cron, Include } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DebugSidecar, DebugToggle, DebugTool } from '../../src';

export interface ShopChartProps {
  readonly environment: 'staging' | 'production';
}

export class ShopChart extends Chart {
  public readonly sidecars: DebugSidecar[];

  constructor(scope: Construct, id: string, props: ShopChartProps) {
    super(scope, id, { namespace: `shop-${props.environment}` });
    DebugToggle.setEnvironment(this, props.environment);
    DebugToggle.setEnabled(this, props.environment === 'staging');

    new kplus.StatefulSet(this, 'postgres', {
      containers: [{
        image: 'docker.io/library/postgres:16.4',
        portNumber: 5432,
        securityContext: { user: 999, group: 999 },
        volumeMounts: [{ path: '/var/lib/postgresql/data', volume: kplus.Volume.fromEmptyDir(this, 'data', 'data') }],
      }],
    });

    new kplus.CronJob(this, 'nightly-report', {
      schedule: Cron.daily(),
      containers: [{ image: 'docker.io/library/busybox:1.36', command: ['sh', '-c', 'echo report'], securityContext: { user: 1000 } }],
    });

    new Include(this, 'redis', { url: path.join(__dirname, 'third-party', 'redis.yaml') });

    // Last, so every workload above is covered (a later one is an error at synth).
    this.sidecars = DebugSidecar.attachAll(this, { tools: [DebugTool.TCPDUMP, DebugTool.DIG] });
  }
}

export function buildShop(app: App): ShopChart[] {
  return [
    new ShopChart(app, 'staging', { environment: 'staging' }),
    new ShopChart(app, 'production', { environment: 'production' }),
  ];
}

if (require.main === module) {
  const app = new App();
  buildShop(app);
  app.synth();
}
