import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { describeWithServer } from './jest-support';
import { DebuggableDeployment, DebugSidecar, DebugTool } from '../../src';

/*
 * Visible on a real kube-apiserver: Pods made from a mixed app (workloads
 * with debug on and off) are listed by DebugSidecar.POD_LABEL, and exactly
 * the debug ones come back, with their annotations; a Pod given an ephemeral
 * debug container with the emitted kubectl commands joins the list.
 */

const APP = { name: 'app', image: 'nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080, securityContext: { user: 101, group: 101 } };

/** The app's workloads, debug on for some, and each pod template as a bare Pod (no kubelet runs, so Pods stay Pending). */
function mixedApp(namespace: string): { pods: any[]; debugPods: string[]; plain: DebuggableDeployment } {
  const chart = new Chart(Testing.app(), 'mixed', { namespace });
  const workloads = {
    web: new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true, tools: [DebugTool.TCPDUMP], reason: 'INC-7', owner: 'alice' } }),
    api: new DebuggableDeployment(chart, 'api', { containers: [APP], debug: { enabled: false, tools: [DebugTool.TCPDUMP] } }),
    worker: new kplus.Deployment(chart, 'worker', { containers: [APP] }),
    batch: new kplus.Job(chart, 'batch', { containers: [APP] }),
  };
  DebugSidecar.attach(workloads.batch, { enabled: true, tools: [DebugTool.CURL] });
  const objects = Testing.synth(chart);
  const pods = objects.filter(o => ['Deployment', 'Job'].includes(o.kind)).map(o => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${o.metadata.name}-pod`, labels: o.spec.template.metadata?.labels, annotations: o.spec.template.metadata?.annotations },
    spec: { ...o.spec.template.spec, restartPolicy: o.kind === 'Job' ? 'Never' : o.spec.template.spec.restartPolicy },
  }));
  const nameOf = (w: kplus.AbstractPod) => `${w.name}-pod`;
  return { pods, debugPods: [nameOf(workloads.web), nameOf(workloads.batch)].sort(), plain: workloads.api };
}

describeWithServer('the debug label and annotations on a real kube-apiserver', server => {
  const namespace = `record-${Math.random().toString(36).slice(2, 7)}`;
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'record-apiserver-'));
    server().createNamespace(namespace);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const listed = () => JSON.parse(server().kubectlOk(['get', 'pods', '-n', namespace, '-l', DebugSidecar.POD_LABEL, '-o', 'json'])).items;

  test('GIVEN Pods from a mixed app WHEN listed by the label THEN exactly the debug ones come back, with their annotations', () => {
    const { pods, debugPods } = mixedApp(namespace);
    expect(pods).toHaveLength(4);
    server().kubectlOk(['create', '-n', namespace, '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pods }) });
    const items = listed();
    expect(items.map((p: any) => p.metadata.name).sort()).toEqual(debugPods);
    const web = items.find((p: any) => p.spec.containers.some((c: any) => c.name === 'debug') && p.metadata.annotations['cdk8s-debuggable.dev/tools'] === 'tcpdump');
    expect(web.metadata.annotations).toMatchObject({
      'cdk8s-debuggable.dev/capabilities': 'NET_RAW', 'cdk8s-debuggable.dev/container': 'debug', 'cdk8s-debuggable.dev/owner': 'alice', 'cdk8s-debuggable.dev/reason': 'INC-7',
    });
  });

  test('WHEN the emitted kubectl debug, label and annotate commands run on a plain Pod THEN it is listed too, with its ephemeral container recorded', () => {
    const { plain } = mixedApp(namespace);
    const pod = `${plain.name}-pod`;
    const cmd = plain.debug.kubectlDebug({ pod, namespace, customFile: path.join(work, 'custom.json') });
    writeFileSync(path.join(work, 'custom.json'), cmd.customJson);
    for (const args of [cmd.args, cmd.labelArgs, cmd.annotateArgs]) server().kubectlOk(args);
    const items = listed();
    const stored = items.find((p: any) => p.metadata.name === pod);
    expect(stored).toBeDefined();
    expect(stored.spec.ephemeralContainers.map((c: any) => c.name)).toEqual([stored.metadata.annotations['cdk8s-debuggable.dev/container']]);
    expect(stored.metadata.annotations['cdk8s-debuggable.dev/capabilities']).toBe('NET_RAW');
  });
});
