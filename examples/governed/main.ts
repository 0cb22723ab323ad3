// Governed debug access for a shop: the four parts together.
//   visible:  the checkout Pods carry the debug label and annotations (why, who)
//   ends:     the sidecar is off from its date on (`until`)
//   granted:  only the on-call group may debug in the namespace 'shop'
//   refused:  namespaces labelled environment=production refuse debug Pods and
//             added capabilities, even from a `kubectl debug` typed by hand
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DebugAccess, DebuggableDeployment, DebugGuard, DebugTool } from '../../src';

export class GovernedChart extends Chart {
  public readonly checkout: DebuggableDeployment;

  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'shop' });
    this.checkout = new DebuggableDeployment(this, 'checkout', {
      containers: [{ image: 'docker.io/nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 }],
      debug: {
        enabled: true,
        tools: [DebugTool.TCPDUMP, DebugTool.DIG],
        until: '2027-01-31',
        reason: 'INC-1234: 502s from checkout',
        owner: 'team-payments',
      },
    });
    new DebugAccess(this, 'on-call', { namespace: 'shop', groups: ['shop-on-call'], allowRecord: true });
    new DebugGuard(this, 'no-debug-in-production', { namespaceSelector: { matchLabels: { environment: 'production' } } });
  }
}

if (require.main === module) {
  const app = new App();
  new GovernedChart(app, 'governed');
  app.synth();
}
