import { ApiObject, Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DebuggableDeployment, DebugOptions, DebugProfile, DebugSidecar, DebugTool } from '../src';
import { only, podSpecOf, synth } from './support/manifests';

/*
 * Visible: every Pod (template) with a debug container carries the label
 * DebugSidecar.POD_LABEL and annotations that say what was added, until
 * when, why and by whom; debug off carries nothing.
 */

const APP = { name: 'app', image: 'docker.io/nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };
const P = 'cdk8s-debuggable.dev/';

function templateMetadata(obj: any): any {
  return obj.kind === 'Pod' ? obj.metadata : obj.kind === 'CronJob' ? obj.spec.jobTemplate.spec.template.metadata : obj.spec.template.metadata;
}

function deployment(debug: DebugOptions, more: Partial<kplus.DeploymentProps> = {}): any {
  const chart = Testing.chart();
  new DebuggableDeployment(chart, 'web', { containers: [APP], debug, ...more });
  return only(synth(chart), 'Deployment');
}

test('the label is a DNS-subdomain-prefixed key that kubectl -l can select', () => {
  expect(DebugSidecar.POD_LABEL).toBe('cdk8s-debuggable.dev/debug');
});

test('GIVEN debug on THEN the pod template carries the label and the annotations, and keeps its own labels', () => {
  const dep = deployment({ enabled: true, tools: [DebugTool.TCPDUMP, DebugTool.DIG], reason: 'INC-42: 502s', owner: 'team-payments', until: '2999-01-01' });
  const metadata = templateMetadata(dep);
  expect(metadata.labels[DebugSidecar.POD_LABEL]).toBe('true');
  // The selector's labels are still there, so the Deployment still selects its Pods.
  expect(Object.entries(dep.spec.selector.matchLabels).every(([k, v]) => metadata.labels[k] === v)).toBe(true);
  expect(metadata.annotations).toEqual({
    [`${P}capabilities`]: 'NET_RAW',
    [`${P}container`]: 'debug',
    [`${P}owner`]: 'team-payments',
    [`${P}reason`]: 'INC-42: 502s',
    [`${P}tools`]: 'tcpdump,dig',
    [`${P}until`]: '2999-01-01',
  });
  // The Deployment itself is not labelled: the label lists Pods.
  expect(dep.metadata.labels?.[DebugSidecar.POD_LABEL]).toBeUndefined();
});

test('the annotations say "none" and "privileged" where that is what was added', () => {
  expect(templateMetadata(deployment({ enabled: true })).annotations[`${P}tools`]).toBe('none');
  expect(templateMetadata(deployment({ enabled: true })).annotations[`${P}capabilities`]).toBe('none');
  expect(templateMetadata(deployment({ enabled: true, profile: DebugProfile.SYSADMIN })).annotations[`${P}capabilities`]).toBe('privileged');
});

test('GIVEN debug off with every record option THEN nothing is added: byte-identical to the plain Deployment', () => {
  const [on, plain] = [Testing.chart(), Testing.chart()];
  new DebuggableDeployment(on, 'web', { containers: [APP], debug: { enabled: false, reason: 'r', owner: 'o', until: '2999-01-01', tools: [DebugTool.TCPDUMP] } });
  new kplus.Deployment(plain, 'web', { containers: [APP] });
  expect(JSON.stringify(synth(on))).toEqual(JSON.stringify(synth(plain)));
});

test.each([
  ['Deployment', (c: Chart) => new kplus.Deployment(c, 'w', { containers: [APP] })],
  ['StatefulSet', (c: Chart) => new kplus.StatefulSet(c, 'w', { containers: [APP], service: new kplus.Service(c, 's', { ports: [{ port: 80 }] }) })],
  ['DaemonSet', (c: Chart) => new kplus.DaemonSet(c, 'w', { containers: [APP] })],
  ['Job', (c: Chart) => new kplus.Job(c, 'w', { containers: [APP] })],
  ['CronJob', (c: Chart) => new kplus.CronJob(c, 'w', { containers: [APP], schedule: Cron.daily() })],
  ['Pod', (c: Chart) => new kplus.Pod(c, 'w', { containers: [APP] })],
])('every kind: a %s\'s Pod carries the label', (kind, make) => {
  const chart = Testing.chart();
  DebugSidecar.attach(make(chart), { enabled: true });
  expect(templateMetadata(only(synth(chart), kind)).labels[DebugSidecar.POD_LABEL]).toBe('true');
});

test('a raw pod template without metadata gets metadata', () => {
  const chart = Testing.chart();
  const raw = new ApiObject(chart, 'raw', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'raw' },
    spec: { selector: { matchLabels: { app: 'raw' } }, template: { spec: { containers: [APP] } } },
  } as any);
  DebugSidecar.attach(raw, { enabled: true });
  const obj = only(synth(chart), 'Deployment');
  expect(obj.spec.template.metadata).toEqual({
    annotations: { [`${P}capabilities`]: 'none', [`${P}container`]: 'debug', [`${P}tools`]: 'none' },
    labels: { [DebugSidecar.POD_LABEL]: 'true' },
  });
  expect(podSpecOf(obj).containers.map((c: any) => c.name)).toEqual(['app', 'debug']);
});

describe('the ephemeral path leaves the same record through kubectl', () => {
  test('kubectlDebug() gives the label and annotate commands for the running Pod', () => {
    const chart = Testing.chart();
    const web = new DebuggableDeployment(chart, 'web', {
      metadata: { namespace: 'shop' },
      containers: [APP],
      debug: { tools: [DebugTool.TCPDUMP], reason: 'INC-42', owner: 'alice' },
    });
    const cmd = web.debug.kubectlDebug({ pod: 'web-7d9f-x2x4q' });
    expect(cmd.labelArgs).toEqual(['label', 'pod', 'web-7d9f-x2x4q', '--namespace=shop', '--overwrite', `${DebugSidecar.POD_LABEL}=true`]);
    expect(cmd.annotateArgs).toEqual(['annotate', 'pod', 'web-7d9f-x2x4q', '--namespace=shop', '--overwrite',
      `${P}capabilities=NET_RAW`, `${P}container=debug`, `${P}owner=alice`, `${P}reason=INC-42`, `${P}tools=tcpdump`]);
  });
});

describe('bad record options', () => {
  test.each([
    [{ reason: '' }, /'debug.reason' must be 1 to 1024 characters \(got ""\)/],
    [{ owner: 'x'.repeat(1025) }, /'debug.owner' must be 1 to 1024 characters/],
    [{ reason: 42 }, /'debug.reason' is not a string \(got 42\)/],
  ])('fails for %j, naming the field', (debug, message) => {
    expect(() => deployment(debug as any)).toThrow(message);
  });
});
