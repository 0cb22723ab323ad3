import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DebuggableDeployment, DebugTool } from '../../src';

const app = new App();
const chart = new Chart(app, 'seed');
const web = new DebuggableDeployment(chart, 'my-nginx', {
  replicas: 1,
  containers: [{
    name: 'nginx',
    image: 'docker.io/nginxinc/nginx-unprivileged:1.27.3',
    portNumber: 8080,
    securityContext: { user: 101, group: 101 },
    // cdk8s-plus mounts the root filesystem read-only, and nginx writes to /tmp.
    volumeMounts: [{ path: '/tmp', volume: kplus.Volume.fromEmptyDir(chart, 'tmp', 'tmp') }],
  }],
  debug: { tools: [DebugTool.TCPDUMP] },
});
web.exposeViaService({ name: 'my-nginx', ports: [{ port: 80, targetPort: 8080 }] });
app.synth();
