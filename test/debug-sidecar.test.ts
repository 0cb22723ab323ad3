import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { ApiObject, Chart, Cron, Include, Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DebugSidecar, DebugTool, SidecarForm } from '../src';
import { containerNamed, everyManifestPassesTheSchema, only, podSpecOf, synth, validateSchema } from './support/manifests';

const IMAGE = 'docker.io/library/busybox:1.36';
const TOOLS = [DebugTool.TCPDUMP];

/** One workload of each kplus kind, in a fresh chart. */
const KPLUS_KINDS: Record<string, (scope: Construct) => kplus.AbstractPod> = {
  Deployment: s => new kplus.Deployment(s, 'w', { containers: [{ image: IMAGE }] }),
  StatefulSet: s => new kplus.StatefulSet(s, 'w', { containers: [{ image: IMAGE, portNumber: 8080 }] }),
  DaemonSet: s => new kplus.DaemonSet(s, 'w', { containers: [{ image: IMAGE }] }),
  Job: s => new kplus.Job(s, 'w', { containers: [{ image: IMAGE, command: ['true'] }] }),
  CronJob: s => new kplus.CronJob(s, 'w', { schedule: Cron.daily(), containers: [{ image: IMAGE, command: ['true'] }] }),
  Pod: s => new kplus.Pod(s, 'w', { containers: [{ image: IMAGE }] }),
};

function workloadObject(objects: any[], kind: string) {
  return only(objects, kind);
}

describe('attach to every cdk8s-plus workload kind', () => {
  test.each(Object.keys(KPLUS_KINDS))('%s: the sidecar is in its pod template, next to the app', (kind) => {
    const chart = Testing.chart();
    const workload = KPLUS_KINDS[kind](chart);
    const sidecar = DebugSidecar.attach(workload, { enabled: true, tools: TOOLS });
    const spec = podSpecOf(workloadObject(synth(chart), kind));
    expect(spec.containers.map((c: any) => c.name)).toEqual(['main', 'debug']);
    expect(containerNamed(spec, 'debug').securityContext.capabilities).toEqual({ add: ['NET_RAW'], drop: ['ALL'] });
    expect(DebugSidecar.of(workload)).toBe(sidecar);
  });

  test.each(Object.keys(KPLUS_KINDS))('%s: debug off is byte-identical to the workload alone', (kind) => {
    const plain = Testing.chart();
    KPLUS_KINDS[kind](plain);
    const off = Testing.chart();
    DebugSidecar.attach(KPLUS_KINDS[kind](off), { enabled: false, tools: TOOLS });
    expect(Yaml.stringify(...synth(off))).toEqual(Yaml.stringify(...synth(plain)));
  });
});

describe('Jobs and CronJobs still complete', () => {
  test.each(['Job', 'CronJob'])('%s: the default form exits with the app (shared process namespace, /proc watch)', (kind) => {
    const chart = Testing.chart();
    const sidecar = DebugSidecar.attach(KPLUS_KINDS[kind](chart), { enabled: true, tools: TOOLS });
    const spec = podSpecOf(workloadObject(synth(chart), kind));
    expect(sidecar.form).toBe(SidecarForm.EXIT_WITH_APP);
    expect(spec.shareProcessNamespace).toBe(true);
    expect(spec.restartPolicy).toBe('Never');
    expect(containerNamed(spec, 'debug').command[2]).toMatch(/\/proc\/\[0-9\]\*\/stat/);
  });

  test('a Pod with restartPolicy Never gets the same form; one that restarts always keeps the plain keep-alive', () => {
    const never = Testing.chart();
    const a = DebugSidecar.attach(new kplus.Pod(never, 'p', { containers: [{ image: IMAGE }], restartPolicy: kplus.RestartPolicy.NEVER }), { enabled: true });
    const always = Testing.chart();
    const b = DebugSidecar.attach(new kplus.Pod(always, 'p', { containers: [{ image: IMAGE }] }), { enabled: true });
    expect([a.form, b.form]).toEqual([SidecarForm.EXIT_WITH_APP, SidecarForm.CONTAINER]);
    synth(never); synth(always);
  });

  test('NATIVE_SIDECAR puts an init container with restartPolicy Always (Kubernetes 1.29+)', () => {
    const chart = Testing.chart();
    DebugSidecar.attach(KPLUS_KINDS.Job(chart), { enabled: true, tools: TOOLS, form: SidecarForm.NATIVE_SIDECAR });
    const job = workloadObject(Testing.synth(chart), 'Job');
    const spec = podSpecOf(job);
    expect(spec.containers.map((c: any) => c.name)).toEqual(['main']);
    expect(spec.initContainers).toEqual([expect.objectContaining({ name: 'debug', restartPolicy: 'Always' })]);
    expect(spec.shareProcessNamespace).toBeUndefined();
    // The 1.27 schema has no restartPolicy on init containers: the form needs 1.29.
    expect(validateSchema([job], '1.27')).toEqual([expect.objectContaining({ error: expect.stringMatching(/restartPolicy/) })]);
    expect(validateSchema([job], '1.29')).toEqual([]);
  });
});

function includeYaml(chart: Chart, docs: any[]): Include {
  const dir = mkdtempSync(path.join(tmpdir(), 'debuggable-'));
  const file = path.join(dir, 'third-party.yaml');
  writeFileSync(file, docs.map(d => Yaml.stringify(d)).join('---\n'));
  return new Include(chart, 'third-party', { url: file });
}

const THIRD_PARTY = [
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'redis', labels: { app: 'redis' } },
    spec: {
      selector: { matchLabels: { app: 'redis' } },
      template: {
        metadata: { labels: { app: 'redis' } },
        spec: { containers: [{ name: 'redis', image: 'docker.io/library/redis:7.2', ports: [{ containerPort: 6379 }] }] },
      },
    },
  },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'redis' }, spec: { selector: { app: 'redis' }, ports: [{ port: 6379 }] } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'redis-config' }, data: { 'redis.conf': 'maxmemory 64mb' } },
];

describe('third-party YAML (Include)', () => {
  test('attach to an included Deployment by its ApiObject', () => {
    const chart = Testing.chart();
    const inc = includeYaml(chart, THIRD_PARTY);
    const redis = inc.apiObjects.find(o => o.kind === 'Deployment')!;
    DebugSidecar.attach(redis, { enabled: true, tools: TOOLS });
    const spec = podSpecOf(workloadObject(synth(chart), 'Deployment'));
    expect(spec.containers.map((c: any) => c.name)).toEqual(['redis', 'debug']);
    // Include'd pods automount the token by default: the sidecar gets an empty directory over it.
    expect(containerNamed(spec, 'debug').volumeMounts).toContainEqual({ mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: 'debug-no-token' });
    expect(containerNamed(spec, 'redis').volumeMounts).toBeUndefined();
  });

  test('debug off leaves the included YAML byte-identical', () => {
    const plain = Testing.chart();
    includeYaml(plain, THIRD_PARTY);
    const off = Testing.chart();
    DebugSidecar.attachAll(includeYaml(off, THIRD_PARTY), { enabled: false, tools: TOOLS });
    expect(Yaml.stringify(...synth(off))).toEqual(Yaml.stringify(...synth(plain)));
  });

  test('fails on an object without a pod template named explicitly (a Service)', () => {
    const chart = Testing.chart();
    const service = includeYaml(chart, THIRD_PARTY).apiObjects.find(o => o.kind === 'Service')!;
    expect(() => DebugSidecar.attach(service, { enabled: true }))
      .toThrow(/'kind' has no pod template, so this object cannot get a debug sidecar \(got "Service"\)\. Attach to a workload .* or give 'podSpecPath'/);
  });

  test('fails on a cdk8s-plus Service and ConfigMap too', () => {
    const chart = Testing.chart();
    expect(() => DebugSidecar.attach(new kplus.ConfigMap(chart, 'cm'), { enabled: true })).toThrow(/'kind' has no pod template.*\(got "ConfigMap"\)/);
  });

  test('a custom resource with a pod template, through podSpecPath', () => {
    const chart = Testing.chart();
    const rollout = new ApiObject(chart, 'rollout', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web' },
      spec: { template: { spec: { containers: [{ name: 'web', image: IMAGE }] } } },
    } as any);
    expect(() => DebugSidecar.attach(rollout, { enabled: true })).toThrow(/'kind' has no pod template.*\(got "Rollout"\)/);
    DebugSidecar.attach(rollout, { enabled: true, podSpecPath: '/spec/template/spec', tools: TOOLS });
    const out = Testing.synth(chart)[0];
    expect(out.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['web', 'debug']);
  });

  test.each([true, false])('fails at attach when podSpecPath points at nothing (debug enabled: %p)', (enabled) => {
    const chart = Testing.chart();
    const obj = new ApiObject(chart, 'x', { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'x' } } as any);
    expect(() => DebugSidecar.attach(obj, { enabled, podSpecPath: '/spec/pod' }))
      .toThrow(/test\/x: 'podSpecPath' does not point at a pod spec \(an object with 'containers'\) in this Thing \(got "\/spec\/pod"\)\. Give the JSON pointer/);
  });
});

describe('attachAll: every workload under a scope', () => {
  function app() {
    const chart = Testing.chart();
    new kplus.Deployment(chart, 'web', { containers: [{ image: IMAGE }], metadata: { labels: { tier: 'front' } } });
    new kplus.StatefulSet(chart, 'db', { containers: [{ image: IMAGE, portNumber: 5432 }] });
    new kplus.CronJob(chart, 'report', { schedule: Cron.daily(), containers: [{ image: IMAGE, command: ['true'] }] });
    includeYaml(chart, THIRD_PARTY);
    return chart;
  }
  const withSidecar = (objects: any[]) => objects
    .filter(o => ['Deployment', 'StatefulSet', 'CronJob'].includes(o.kind))
    .filter(o => containerNamed(podSpecOf(o), 'debug'))
    .map(o => `${o.kind}/${o.metadata.name.replace(/-c8[0-9a-f]{6}$/, '')}`).sort();

  test('covers cdk8s-plus workloads and included YAML, and skips Services and ConfigMaps', () => {
    const chart = app();
    const attached = DebugSidecar.attachAll(chart, { enabled: true, tools: TOOLS });
    expect(attached).toHaveLength(4);
    expect(withSidecar(synth(chart))).toEqual(['CronJob/test-report', 'Deployment/redis', 'Deployment/test-web', 'StatefulSet/test-db']);
  });

  test('filters by kind', () => {
    const chart = app();
    DebugSidecar.attachAll(chart, { enabled: true, kinds: ['StatefulSet', 'CronJob'] });
    expect(withSidecar(synth(chart))).toEqual(['CronJob/test-report', 'StatefulSet/test-db']);
  });

  test('filters by name (metadata.name or construct id) and by label', () => {
    const byName = app();
    DebugSidecar.attachAll(byName, { enabled: true, names: ['redis', 'db'] });
    expect(withSidecar(synth(byName))).toEqual(['Deployment/redis', 'StatefulSet/test-db']);
    const byLabel = app();
    DebugSidecar.attachAll(byLabel, { enabled: true, labels: { tier: 'front' } });
    expect(withSidecar(synth(byLabel))).toEqual(['Deployment/test-web']);
  });

  test('a workload attached on its own keeps its options; attachAll skips it, never two sidecars', () => {
    const chart = app();
    const web = chart.node.findChild('web') as kplus.Deployment;
    DebugSidecar.attach(web, { enabled: true, tools: [DebugTool.STRACE] });
    DebugSidecar.attachAll(chart, { enabled: true, tools: TOOLS });
    DebugSidecar.attachAll(chart, { enabled: true, tools: TOOLS });
    const spec = podSpecOf(synth(chart).find(o => o.metadata.name.startsWith('test-web'))!);
    expect(spec.containers.filter((c: any) => c.name === 'debug')).toHaveLength(1);
    expect(containerNamed(spec, 'debug').securityContext.capabilities.add).toEqual(['SYS_PTRACE']);
  });

  test('fails at synth when a workload is defined after attachAll', () => {
    const chart = Testing.chart();
    DebugSidecar.attachAll(chart, { enabled: true });
    new kplus.Deployment(chart, 'late', { containers: [{ image: IMAGE }] });
    expect(() => Testing.synth(chart)).toThrow(/this Deployment was defined after DebugSidecar.attachAll\('test'\) ran; call attachAll after every workload is defined/);
  });

  test('fails when attach is given a construct with no Kubernetes object', () => {
    const chart = Testing.chart();
    expect(() => DebugSidecar.attach(new Construct(chart, 'empty'))).toThrow(/'target' has no Kubernetes object, so it is not a workload \(got "test\/empty"\)\. Attach to a cdk8s-plus workload/);
  });
});

everyManifestPassesTheSchema();
