import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Cron, Include, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  DebuggableDeployment, DebugOptions, DebugProfile, DebugSidecar, DebugTool, ImageFamily, PodSecurity, PodSecurityLevel,
  SidecarForm,
} from '../src';
import { everyManifestPassesTheSchema, only, synth } from './support/manifests';

const APP = { image: 'nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };
/** cdk8s-plus-27's Capability enum has no ALL (its members are CAP_-prefixed); the string is what Kubernetes wants. */
const ALL = 'ALL' as kplus.Capability;

/**
 * A Deployment Pod Security 'restricted' admits: non-root user, every
 * capability dropped, seccomp RuntimeDefault. cdk8s-plus-27 has no field for
 * seccomp, so that one is a JSON patch.
 */
function restrictedApp(chart: Chart, id: string, debug?: DebugOptions, more: Partial<kplus.DeploymentProps> = {}): DebuggableDeployment {
  const dep = new DebuggableDeployment(chart, id, {
    ...more,
    containers: [{ ...APP, securityContext: { user: 101, group: 101, capabilities: { drop: [ALL] } } }],
    securityContext: { user: 101, group: 101 },
    debug,
  });
  ApiObject.of(dep).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
  return dep;
}

/** A YAML file in a temporary directory, for Include. */
function yamlFile(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pod-security-'));
  const file = path.join(dir, 'manifest.yaml');
  fs.writeFileSync(file, text);
  return file;
}

const checksOf = (violations: Array<{ check: string }>) => [...new Set(violations.map(v => v.check))].sort();

describe('levels of plain cdk8s-plus workloads', () => {
  test('a default kplus.Deployment is baseline: cdk8s-plus sets runAsNonRoot but neither seccomp nor drop ALL', () => {
    // GIVEN
    const chart = Testing.chart();
    const dep = new kplus.Deployment(chart, 'web', { containers: [APP] });
    synth(chart);

    // WHEN
    const level = PodSecurity.levelOf(dep);
    const violations = PodSecurity.violations(dep, PodSecurityLevel.RESTRICTED);

    // THEN
    expect(level).toBe(PodSecurityLevel.BASELINE);
    expect(PodSecurity.violations(dep, PodSecurityLevel.BASELINE)).toEqual([]);
    expect(violations.map(v => [v.check, v.field, v.value])).toEqual([
      ['capabilities_restricted', 'spec.containers[main].securityContext.capabilities.drop', '(unset)'],
      ['seccompProfile_restricted', 'spec.containers[main].securityContext.seccompProfile.type', '(unset)'],
    ]);
    expect(violations.every(v => v.level === PodSecurityLevel.RESTRICTED && v.container === 'main')).toBe(true);
  });

  test.each([
    ['StatefulSet', (c: Chart) => new kplus.StatefulSet(c, 'w', { containers: [APP] })],
    ['DaemonSet', (c: Chart) => new kplus.DaemonSet(c, 'w', { containers: [APP] })],
    ['Job', (c: Chart) => new kplus.Job(c, 'w', { containers: [APP] })],
    ['CronJob', (c: Chart) => new kplus.CronJob(c, 'w', { containers: [APP], schedule: Cron.daily() })],
    ['Pod', (c: Chart) => new kplus.Pod(c, 'w', { containers: [APP] })],
  ])('a default kplus %s is baseline too (its pod spec is found by kind)', (_kind, make) => {
    // GIVEN
    const chart = Testing.chart();
    const workload = make(chart);
    synth(chart);

    // THEN
    expect(PodSecurity.levelOf(workload)).toBe(PodSecurityLevel.BASELINE);
  });

  test('kplus settings alone (drop ALL) plus a seccomp patch make it restricted', () => {
    // GIVEN
    const chart = Testing.chart();
    const dep = restrictedApp(chart, 'web');
    synth(chart);

    // THEN
    expect(PodSecurity.levelOf(dep)).toBe(PodSecurityLevel.RESTRICTED);
    expect(PodSecurity.violations(dep, PodSecurityLevel.RESTRICTED)).toEqual([]);
  });

  test.each<[string, Partial<kplus.DeploymentProps>, PodSecurityLevel, string[]]>([
    ['hostNetwork', { hostNetwork: true }, PodSecurityLevel.PRIVILEGED, ['hostNamespaces']],
    ['a privileged container', { containers: [{ ...APP, securityContext: { privileged: true, allowPrivilegeEscalation: true } }] },
      PodSecurityLevel.PRIVILEGED, ['privileged']],
    ['ensureNonRoot: false on the container', { containers: [{ ...APP, securityContext: { ensureNonRoot: false } }] },
      PodSecurityLevel.BASELINE, []],
    ['an unsafe sysctl', { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '65536' }] } }, PodSecurityLevel.PRIVILEGED, ['sysctls']],
    ['a safe sysctl', { securityContext: { sysctls: [{ name: 'net.ipv4.ping_group_range', value: '0 2147483647' }] } }, PodSecurityLevel.BASELINE, []],
  ])('%s', (_name, props, level, baselineChecks) => {
    // GIVEN
    const chart = Testing.chart();
    const dep = new kplus.Deployment(chart, 'web', { containers: [APP], ...props });
    synth(chart);

    // THEN
    expect(PodSecurity.levelOf(dep)).toBe(level);
    expect(checksOf(PodSecurity.violations(dep, PodSecurityLevel.BASELINE))).toEqual(baselineChecks);
  });
});

describe('DebuggableDeployment: the sidecar counts when it is on', () => {
  test('debug off: a restricted app stays restricted', () => {
    // GIVEN
    const chart = Testing.chart();
    const dep = restrictedApp(chart, 'web', { enabled: false, tools: [DebugTool.TCPDUMP] });
    synth(chart);

    // THEN
    expect(PodSecurity.levelOf(dep)).toBe(PodSecurityLevel.RESTRICTED);
  });

  test('tcpdump makes the Pod privileged: NET_RAW is beyond baseline', () => {
    // GIVEN
    const chart = Testing.chart();
    const dep = restrictedApp(chart, 'web', { enabled: true, tools: [DebugTool.TCPDUMP] });
    synth(chart);

    // WHEN
    const baseline = PodSecurity.violations(dep, PodSecurityLevel.BASELINE);

    // THEN
    expect(PodSecurity.levelOf(dep)).toBe(PodSecurityLevel.PRIVILEGED);
    expect(baseline).toEqual([{
      level: PodSecurityLevel.BASELINE,
      check: 'capabilities_baseline',
      container: 'debug',
      field: 'spec.containers[debug].securityContext.capabilities.add',
      value: 'NET_RAW',
      message: expect.stringMatching(/^Container 'debug' adds NET_RAW; baseline allows adding only AUDIT_WRITE, CHOWN, .*SYS_CHROOT\.$/),
    }]);
  });

  test('tcpdump at restricted: the capability, and root (user 0, runAsNonRoot false), all on the sidecar', () => {
    // GIVEN
    const chart = Testing.chart();
    const dep = restrictedApp(chart, 'web', { enabled: true, tools: [DebugTool.TCPDUMP] });
    synth(chart);

    // WHEN
    const restricted = PodSecurity.violations(dep, PodSecurityLevel.RESTRICTED);

    // THEN
    expect(restricted.map(v => [v.check, v.field, v.value])).toEqual([
      ['capabilities_restricted', 'spec.containers[debug].securityContext.capabilities.add', 'NET_RAW'],
      ['runAsNonRoot', 'spec.containers[debug].securityContext.runAsNonRoot', 'false'],
      ['runAsUser', 'spec.containers[debug].securityContext.runAsUser', '0'],
    ]);
  });

  test('curl under DebugProfile.RESTRICTED keeps a restricted app restricted', () => {
    // GIVEN
    const chart = Testing.chart();
    const dep = restrictedApp(chart, 'web', { enabled: true, tools: [DebugTool.CURL], profile: DebugProfile.RESTRICTED });
    synth(chart);

    // THEN
    expect(PodSecurity.levelOf(dep)).toBe(PodSecurityLevel.RESTRICTED);
  });

  test('curl next to a default kplus app: the Pod is as strict as the app (baseline)', () => {
    // GIVEN
    const chart = Testing.chart();
    const dep = new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true, tools: [DebugTool.CURL] } });
    synth(chart);

    // THEN
    expect(PodSecurity.levelOf(dep)).toBe(PodSecurityLevel.BASELINE);
    expect(PodSecurity.violations(dep, PodSecurityLevel.RESTRICTED).map(v => v.container)).toEqual(['main', 'main']);
  });

  test("Debian's tcpdump: SETUID and SETGID are within baseline, NET_RAW is not", () => {
    // GIVEN
    const chart = Testing.chart();
    const dep = restrictedApp(chart, 'web', { enabled: true, tools: [DebugTool.TCPDUMP], imageFamily: ImageFamily.DEBIAN });
    synth(chart);

    // THEN
    expect(PodSecurity.violations(dep, PodSecurityLevel.BASELINE).map(v => v.value)).toEqual(['NET_RAW']);
    expect(PodSecurity.violations(dep, PodSecurityLevel.RESTRICTED).filter(v => v.check === 'capabilities_restricted').map(v => v.value))
      .toEqual(['NET_RAW', 'SETGID', 'SETUID']);
  });

  test('DebugProfile.SYSADMIN: privileged (a baseline check restricted runs too), and privilege escalation at restricted', () => {
    // GIVEN
    const chart = Testing.chart();
    const dep = restrictedApp(chart, 'web', { enabled: true, profile: DebugProfile.SYSADMIN });
    synth(chart);

    // THEN
    expect(PodSecurity.levelOf(dep)).toBe(PodSecurityLevel.PRIVILEGED);
    expect(checksOf(PodSecurity.violations(dep, PodSecurityLevel.BASELINE))).toEqual(['privileged']);
    expect(checksOf(PodSecurity.violations(dep, PodSecurityLevel.RESTRICTED)))
      .toEqual(['allowPrivilegeEscalation', 'capabilities_restricted', 'privileged', 'runAsNonRoot', 'runAsUser']);
  });

  test('a native sidecar is checked as an init container', () => {
    // GIVEN
    const chart = Testing.chart();
    const dep = restrictedApp(chart, 'web', { enabled: true, tools: [DebugTool.STRACE], form: SidecarForm.NATIVE_SIDECAR });
    Testing.synth(chart); // native sidecars are 1.29+, so not schema-checked against 1.27

    // THEN
    expect(PodSecurity.violations(dep, PodSecurityLevel.BASELINE).map(v => v.field))
      .toEqual(['spec.initContainers[debug].securityContext.capabilities.add']);
  });
});

describe('any workload', () => {
  test("Include'd YAML: each ApiObject with a pod template has a level", () => {
    // GIVEN
    const chart = Testing.chart();
    const include = new Include(chart, 'third-party', {
      url: yamlFile(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: agent }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec:
      containers: [{ name: agent, image: example.org/agent:1.0 }]
      volumes: [{ name: logs, hostPath: { path: /var/log } }]
---
apiVersion: v1
kind: Pod
metadata: { name: tidy }
spec:
  securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
  containers:
  - name: tidy
    image: example.org/tidy:1.0
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: settings }
data: { a: b }
`),
    });
    synth(chart);
    const byKind = (kind: string) => include.apiObjects.find(o => o.kind === kind)!;

    // THEN
    expect(PodSecurity.levelOf(byKind('Deployment'))).toBe(PodSecurityLevel.PRIVILEGED);
    expect(PodSecurity.violations(byKind('Deployment'), PodSecurityLevel.BASELINE).map(v => [v.check, v.field, v.value]))
      .toEqual([['hostPathVolumes', 'spec.volumes[logs].hostPath', '/var/log']]);
    expect(PodSecurity.levelOf(byKind('Pod'))).toBe(PodSecurityLevel.RESTRICTED);
    expect(() => PodSecurity.levelOf(byKind('ConfigMap'))).toThrow(/'kind' has no pod template, so this object has no Pod Security level \(got "ConfigMap"\)/);
    expect(() => PodSecurity.levelOf(include)).toThrow(/'workload' has 2 workloads under it .*Pass one workload/);
  });

  test('a CronJob with a sidecar attached: the pod spec under the job template counts', () => {
    // GIVEN
    const chart = Testing.chart();
    const cron = new kplus.CronJob(chart, 'nightly', { containers: [APP], schedule: Cron.daily() });
    DebugSidecar.attach(cron, { enabled: true, tools: [DebugTool.PING] });
    synth(chart);

    // THEN
    expect(PodSecurity.levelOf(cron)).toBe(PodSecurityLevel.PRIVILEGED);
    expect(PodSecurity.violations(cron, PodSecurityLevel.BASELINE).map(v => v.field))
      .toEqual(['spec.containers[debug].securityContext.capabilities.add']);
  });

  test('a chart with exactly one workload can be asked directly', () => {
    // GIVEN
    const chart = Testing.chart();
    new kplus.Deployment(chart, 'web', { containers: [APP] });
    synth(chart);

    // THEN
    expect(PodSecurity.levelOf(chart)).toBe(PodSecurityLevel.BASELINE);
  });

  test('plain pod spec JSON, with AppArmor annotations from the pod metadata', () => {
    const spec = {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'a', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } }],
    };
    expect(PodSecurity.levelOfPodSpec(spec)).toBe(PodSecurityLevel.RESTRICTED);
    expect(PodSecurity.levelOfPodSpec(spec, { annotations: { 'container.apparmor.security.beta.kubernetes.io/a': 'unconfined' } }))
      .toBe(PodSecurityLevel.PRIVILEGED);
    expect(PodSecurity.violationsOfPodSpec({ ...spec, ephemeralContainers: [{ name: 'dbg', image: 'x' }] }, PodSecurityLevel.RESTRICTED)
      .map(v => [v.check, v.container])).toEqual([
      ['allowPrivilegeEscalation', 'dbg'], ['capabilities_restricted', 'dbg'], // seccomp comes from the Pod
    ]);
    expect(PodSecurity.violationsOfPodSpec(spec, PodSecurityLevel.PRIVILEGED)).toEqual([]);
  });
});

everyManifestPassesTheSchema();
