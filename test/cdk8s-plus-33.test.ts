import { ApiObject, Cron, JsonPatch, Testing, Yaml } from 'cdk8s';
import * as kplus33 from 'cdk8s-plus-33';
import { Construct } from 'constructs';
import { DebugSidecar, DebugTool, KubernetesVersion, PodSecurity, PodSecurityLevel, SidecarForm } from '../src';
import { containerNamed, podSpecOf, synth } from './support/manifests';

/*
 * The library is built on cdk8s-plus-27, but attach and attachAll find a
 * workload's pod spec through its ApiObject, so workloads made with a newer
 * cdk8s-plus (28 to 33) work the same. Tested with the newest, 33. One
 * difference: cdk8s-plus 33 (not 28 2.5.6) writes `shareProcessNamespace: false` into every
 * Pod, and the library never overwrites an app's field; a Job's sidecar is
 * then native (Kubernetes 1.29+), which needs no shared process namespace.
 */

const IMAGE = 'docker.io/library/busybox:1.36';
const KINDS: Record<string, (scope: Construct) => Construct> = {
  Deployment: s => new kplus33.Deployment(s, 'w', { containers: [{ image: IMAGE }] }),
  StatefulSet: s => new kplus33.StatefulSet(s, 'w', { containers: [{ image: IMAGE, portNumber: 8080 }] }),
  DaemonSet: s => new kplus33.DaemonSet(s, 'w', { containers: [{ image: IMAGE }] }),
  Job: s => new kplus33.Job(s, 'w', { containers: [{ image: IMAGE, command: ['true'] }] }),
  CronJob: s => new kplus33.CronJob(s, 'w', { schedule: Cron.daily(), containers: [{ image: IMAGE, command: ['true'] }] }),
  Pod: s => new kplus33.Pod(s, 'w', { containers: [{ image: IMAGE }] }),
};

describe.each(Object.keys(KINDS))('a cdk8s-plus-33 %s', (kind) => {
  const completes = kind === 'Job' || kind === 'CronJob';
  test('gets the sidecar with the derived privileges, next to the app', () => {
    const chart = Testing.chart();
    KubernetesVersion.set(chart, KubernetesVersion.V1_33);
    const sidecar = DebugSidecar.attach(KINDS[kind](chart), { enabled: true, tools: [DebugTool.TCPDUMP] });
    const spec = podSpecOf(synth(chart).find(o => o.kind === kind));
    expect(spec.containers.map((c: any) => c.name)).toEqual(completes ? ['main'] : ['main', 'debug']);
    expect(containerNamed(spec, 'debug').securityContext.capabilities).toEqual({ add: ['NET_RAW'], drop: ['ALL'] });
    expect(sidecar.form).toBe(completes ? SidecarForm.NATIVE_SIDECAR : SidecarForm.CONTAINER);
    expect(spec.shareProcessNamespace).toBe(false);
  });

  test("a tool that needs the app's processes: refused until the workload shares them, then added", () => {
    const chart = Testing.chart();
    DebugSidecar.attach(KINDS[kind](chart), { enabled: true, tools: [DebugTool.STRACE] });
    expect(() => Testing.synth(chart)).toThrow(/'spec.shareProcessNamespace' is set by the application \(cdk8s-plus releases since early 2025, 33 among them, write false unless told otherwise\)/);
    const shared = Testing.chart();
    const w = KINDS[kind](shared);
    ApiObject.of(w).addJsonPatch(JsonPatch.replace(`${kind === 'Pod' ? '/spec' : kind === 'CronJob' ? '/spec/jobTemplate/spec/template/spec' : '/spec/template/spec'}/shareProcessNamespace`, true));
    DebugSidecar.attach(w, { enabled: true, tools: [DebugTool.STRACE] });
    expect(containerNamed(podSpecOf(synth(shared).find(o => o.kind === kind)), 'debug').securityContext.capabilities.add).toEqual(['SYS_PTRACE']);
  });

  test('debug off is byte-identical to the workload alone', () => {
    const plain = Testing.chart();
    KINDS[kind](plain);
    const off = Testing.chart();
    DebugSidecar.attach(KINDS[kind](off), { enabled: false, tools: [DebugTool.TCPDUMP] });
    expect(Yaml.stringify(...synth(off))).toEqual(Yaml.stringify(...synth(plain)));
  });
});

test('attachAll and PodSecurity see cdk8s-plus-33 workloads', () => {
  const chart = Testing.chart();
  const web = new kplus33.Deployment(chart, 'web', { containers: [{ image: IMAGE }] });
  new kplus33.CronJob(chart, 'report', { schedule: Cron.daily(), containers: [{ image: IMAGE, command: ['true'] }] });
  expect(DebugSidecar.attachAll(chart, { enabled: true, tools: [DebugTool.TCPDUMP], form: SidecarForm.NATIVE_SIDECAR, kinds: ['CronJob'] })
    .map(s => s.workload.kind)).toEqual(['CronJob']);
  expect(DebugSidecar.attachAll(chart, { enabled: true, tools: [DebugTool.TCPDUMP] }).map(s => s.workload.kind)).toEqual(['Deployment']);
  expect(PodSecurity.levelOf(web)).toBe(PodSecurityLevel.PRIVILEGED);
});
