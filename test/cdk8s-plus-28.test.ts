import { ApiObject, Cron, JsonPatch, Testing, Yaml } from 'cdk8s';
import * as kplus27 from 'cdk8s-plus-27';
import * as kplus28 from 'cdk8s-plus-28';
import * as kplus33 from 'cdk8s-plus-33';
import { Construct } from 'constructs';
import { DebuggableDeployment, DebugSidecar, DebugTool, KubernetesVersion, SidecarForm } from '../src';
import { containerNamed, podSpecOf, synth } from './support/manifests';
import { builtForOf } from '../src/sidecar/target';

/*
 * cdk8s-plus-N is made for Kubernetes 1.N, so a workload it built tells the
 * library the cluster is at least 1.N, unless a version is declared
 * (docs/fitting-pods.md). Tested on cdk8s-plus-28, the most used line, and on
 * 33 (test/cdk8s-plus-33.test.ts has the rest of 33).
 */

const IMAGE = 'docker.io/library/busybox:1.36';

describe('the library that built a workload tells the oldest Kubernetes it is for', () => {
  test.each<[string, (s: Construct) => Construct, string | undefined]>([
    ['a cdk8s-plus-28 Job', s => new kplus28.Job(s, 'w', { containers: [{ image: IMAGE }] }), '1.28'],
    ['a cdk8s-plus-33 CronJob', s => new kplus33.CronJob(s, 'w', { schedule: Cron.daily(), containers: [{ image: IMAGE }] }), '1.33'],
    ['a cdk8s-plus-27 Deployment', s => new kplus27.Deployment(s, 'w', { containers: [{ image: IMAGE }] }), '1.27'],
    ['a DebuggableDeployment (a cdk8s-plus-27 Deployment)', s => new DebuggableDeployment(s, 'w', { containers: [{ image: IMAGE }] }), '1.27'],
    ['a subclass of a cdk8s-plus-33 Job', s => new (class MyJob extends kplus33.Job {})(s, 'w', { containers: [{ image: IMAGE }] }), '1.33'],
    ['a plain ApiObject', s => new ApiObject(s, 'w', { apiVersion: 'batch/v1', kind: 'Job', spec: { template: { spec: { containers: [] } } } }), undefined],
  ])('%s', (_name, make, version) => {
    const made = make(Testing.chart());
    const workload = made instanceof ApiObject ? made : made.node.defaultChild as ApiObject;
    expect(builtForOf(workload)?.version.name).toBe(version);
  });
});

describe('a cdk8s-plus-28 Job (1.28: no native sidecars yet)', () => {
  test('tcpdump: the exit-with-app sidecar, and the Pod shares its processes (cdk8s-plus-28 writes no shareProcessNamespace)', () => {
    const chart = Testing.chart();
    const sidecar = DebugSidecar.attach(new kplus28.Job(chart, 'w', { containers: [{ image: IMAGE, command: ['true'] }] }),
      { enabled: true, tools: [DebugTool.TCPDUMP] });
    const spec = podSpecOf(synth(chart)[0]);
    expect(sidecar.form).toBe(SidecarForm.EXIT_WITH_APP);
    expect(spec.shareProcessNamespace).toBe(true);
    expect(spec.containers.map((c: any) => c.name)).toEqual(['main', 'debug']);
  });

  test('a declared version wins: 1.30 makes it native', () => {
    const chart = Testing.chart();
    KubernetesVersion.set(chart, KubernetesVersion.V1_30);
    const sidecar = DebugSidecar.attach(new kplus28.Job(chart, 'w', { containers: [{ image: IMAGE, command: ['true'] }] }),
      { enabled: true, tools: [DebugTool.TCPDUMP] });
    expect(sidecar.form).toBe(SidecarForm.NATIVE_SIDECAR);
    expect(containerNamed(podSpecOf(synth(chart)[0]), 'debug').restartPolicy).toBe('Always');
  });

  test.each(['Deployment', 'Job'])('debug off: a %s is byte-identical to the workload alone', kind => {
    const make = (s: Construct) => kind === 'Job' ? new kplus28.Job(s, 'w', { containers: [{ image: IMAGE, command: ['true'] }] })
      : new kplus28.Deployment(s, 'w', { containers: [{ image: IMAGE }] });
    const plain = Testing.chart();
    make(plain);
    const off = Testing.chart();
    DebugSidecar.attach(make(off), { enabled: false, tools: [DebugTool.TCPDUMP] });
    expect(Yaml.stringify(...synth(off))).toEqual(Yaml.stringify(...synth(plain)));
  });
});

describe('a cdk8s-plus-33 Job with no version declared (1.33: native sidecars)', () => {
  test('DebugSidecar.attachAll with tcpdump just works: a native sidecar, and the app\'s shareProcessNamespace: false stays', () => {
    const chart = Testing.chart();
    new kplus33.Job(chart, 'report', { containers: [{ image: IMAGE, command: ['true'] }] });
    const [sidecar] = DebugSidecar.attachAll(chart, { enabled: true, tools: [DebugTool.TCPDUMP] });
    const spec = podSpecOf(synth(chart)[0]);
    expect(sidecar.form).toBe(SidecarForm.NATIVE_SIDECAR);
    expect(spec.shareProcessNamespace).toBe(false);
    expect(spec.initContainers.map((c: any) => [c.name, c.restartPolicy])).toEqual([['debug', 'Always']]);
  });

  test('only a tool that needs the app\'s processes (strace) still asks for shareProcessNamespace', () => {
    const chart = Testing.chart();
    new kplus33.Job(chart, 'report', { containers: [{ image: IMAGE, command: ['true'] }] });
    DebugSidecar.attachAll(chart, { enabled: true, tools: [DebugTool.STRACE] });
    expect(() => Testing.synth(chart)).toThrow(/'spec.shareProcessNamespace' is set by the application/);
    const shared = Testing.chart();
    const job = new kplus33.Job(shared, 'report', { containers: [{ image: IMAGE, command: ['true'] }] });
    ApiObject.of(job).addJsonPatch(JsonPatch.replace('/spec/template/spec/shareProcessNamespace', true));
    DebugSidecar.attachAll(shared, { enabled: true, tools: [DebugTool.STRACE] });
    expect(podSpecOf(synth(shared)[0]).initContainers[0].securityContext.capabilities.add).toEqual(['SYS_PTRACE']);
  });

  test('a declared older version wins: 1.28 gives the exit-with-app form, refused next to shareProcessNamespace: false', () => {
    const chart = Testing.chart();
    KubernetesVersion.set(chart, KubernetesVersion.V1_28);
    new kplus33.Job(chart, 'report', { containers: [{ image: IMAGE, command: ['true'] }] });
    const [sidecar] = DebugSidecar.attachAll(chart, { enabled: true, tools: [DebugTool.TCPDUMP] });
    expect(sidecar.form).toBe(SidecarForm.EXIT_WITH_APP);
    expect(() => Testing.synth(chart)).toThrow(/SidecarForm.EXIT_WITH_APP watches them/);
  });

  test('NATIVE_SIDECAR asked for on a cdk8s-plus-27 workload is not refused: 1.27 is a lower bound, not the cluster', () => {
    const chart = Testing.chart();
    const job = new kplus27.Job(chart, 'w', { containers: [{ image: IMAGE, command: ['true'] }] });
    expect(DebugSidecar.attach(job, { enabled: true, form: SidecarForm.NATIVE_SIDECAR }).form).toBe(SidecarForm.NATIVE_SIDECAR);
  });
});
