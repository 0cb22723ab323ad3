import { ApiObject, Chart, Cron, Include, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  DebuggableDeployment, DebugImage, DebugProfile, DebugSidecar, DebugTool, ImageFamily, KubernetesVersion, PodSecurity,
  PodSecurityLevel, SidecarForm,
} from '../src';
import { everyManifestPassesTheSchema, synth } from './support/manifests';
import { APP, restrictedApp, yamlFile } from './support/pod-security-apps';

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
      containerField: 'securityContext.capabilities.add',
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
    const dep = restrictedApp(chart, 'web', { enabled: true, tools: [DebugTool.TCPDUMP], image: DebugImage.of('registry.example.com/debug:1', ImageFamily.DEBIAN) });
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

  test('containerField: the field relative to the container, the same in init, regular and ephemeral containers; unset in the Pod', () => {
    // GIVEN every container check failing in each kind of container, and Pod-level checks failing too
    const bad = {
      image: 'x',
      ports: [{ containerPort: 80, hostPort: 80 }],
      livenessProbe: { tcpSocket: { host: '10.0.0.1', port: 80 } },
      securityContext: {
        privileged: true,
        runAsUser: 0,
        runAsNonRoot: false,
        procMount: 'Unmasked',
        capabilities: { add: ['NET_RAW'] },
        seLinuxOptions: { type: 'spc_t', role: 'r' },
        seccompProfile: { type: 'Unconfined' },
        appArmorProfile: { type: 'Unconfined' },
        windowsOptions: { hostProcess: true },
      },
    };
    const spec = {
      hostNetwork: true,
      securityContext: { runAsUser: 0, seLinuxOptions: { user: 'u' } },
      volumes: [{ name: 'h', hostPath: { path: '/' } }],
      initContainers: [{ name: 'init', ...bad }],
      containers: [{ name: 'app', ...bad }],
      ephemeralContainers: [{ name: 'dbg', ...bad }],
    };
    const lists: Record<string, string> = { init: 'initContainers', app: 'containers', dbg: 'ephemeralContainers' };

    // WHEN
    const violations = [PodSecurityLevel.BASELINE, PodSecurityLevel.RESTRICTED].flatMap(l => PodSecurity.violationsOfPodSpec(spec, l));
    const fieldsIn = (container?: string) => [...new Set(violations.filter(v => v.container === container).map(v => v.containerField))].sort();

    // THEN
    for (const v of violations) {
      if (v.container === undefined) expect(v.containerField).toBeUndefined();
      else expect(v.field).toBe(`spec.${lists[v.container]}[${v.container}].${v.containerField}`);
    }
    expect(fieldsIn('init')).toEqual(fieldsIn('dbg'));
    expect(fieldsIn('app')).toEqual(fieldsIn('dbg'));
    expect(fieldsIn('dbg')).toEqual([
      'livenessProbe.tcpSocket.host', 'ports[80].hostPort', 'securityContext.allowPrivilegeEscalation',
      'securityContext.appArmorProfile.type', 'securityContext.capabilities.add', 'securityContext.capabilities.drop',
      'securityContext.privileged', 'securityContext.procMount', 'securityContext.runAsNonRoot', 'securityContext.runAsUser',
      'securityContext.seLinuxOptions.role', 'securityContext.seLinuxOptions.type', 'securityContext.seccompProfile.type',
      'securityContext.windowsOptions.hostProcess',
    ]);
    expect(fieldsIn(undefined)).toEqual([undefined]);
    expect(violations.filter(v => v.container === undefined).map(v => v.field)).toEqual(expect.arrayContaining([
      'spec.hostNetwork', 'spec.securityContext.runAsUser', 'spec.securityContext.seLinuxOptions.user', 'spec.volumes[h].hostPath',
    ]));
  });
});

/** A restricted pod spec whose liveness probe names a host: baseline forbids that from v1.34 on (check hostProbesAndHostLifecycle). */
function probeHostPod(): any {
  return {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{
      name: 'app',
      image: 'x',
      livenessProbe: { httpGet: { host: '10.0.0.1', path: '/', port: 8080 } },
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    }],
  };
}

/** The same as a Deployment: restricted, with a JSON patch for the probe host (cdk8s-plus-27 has no field for it). */
function probeHostApp(chart: Chart): DebuggableDeployment {
  const dep = restrictedApp(chart, 'web');
  // A plain number would be dropped by cdk8s-plus-27's typed converter: IntOrString.
  const port = kplus.k8s.IntOrString.fromNumber(8080);
  ApiObject.of(dep).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/livenessProbe', { httpGet: { host: '10.0.0.1', path: '/', port } }));
  return dep;
}

describe('policy versions', () => {
  afterEach(() => { delete process.env[KubernetesVersion.ENV_VAR]; });

  test('a plain pod spec is evaluated at latest unless a version is given; a host in a probe breaks baseline from v1.34', () => {
    // GIVEN
    const spec = probeHostPod();

    // THEN
    expect(PodSecurity.LATEST_VERSION).toBe('v1.37');
    expect(PodSecurity.levelOfPodSpec(spec)).toBe(PodSecurityLevel.PRIVILEGED);
    expect(PodSecurity.levelOfPodSpec(spec, undefined, { version: 'latest' })).toBe(PodSecurityLevel.PRIVILEGED);
    expect(PodSecurity.levelOfPodSpec(spec, undefined, { version: 'v1.34' })).toBe(PodSecurityLevel.PRIVILEGED);
    expect(PodSecurity.levelOfPodSpec(spec, undefined, { version: 'v1.33' })).toBe(PodSecurityLevel.RESTRICTED);
    expect(PodSecurity.violationsOfPodSpec(spec, PodSecurityLevel.BASELINE)).toEqual([{
      level: PodSecurityLevel.BASELINE,
      check: 'hostProbesAndHostLifecycle',
      container: 'app',
      containerField: 'livenessProbe.httpGet.host',
      field: 'spec.containers[app].livenessProbe.httpGet.host',
      value: '10.0.0.1',
      message: expect.stringMatching(/^Container 'app' points livenessProbe\.httpGet at host 10\.0\.0\.1; baseline \(from v1\.34\) allows no host/),
    }]);
    expect(PodSecurity.violationsOfPodSpec(spec, PodSecurityLevel.BASELINE, undefined, { version: 'v1.33' })).toEqual([]);
  });

  test('hostUsers: false relaxes runAsNonRoot and runAsUser from v1.35; sysctls and SELinux types grow with the version', () => {
    // GIVEN
    const userNamespace = { ...probeHostPod(), hostUsers: false, securityContext: { runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } } };
    delete userNamespace.containers[0].livenessProbe;
    const sysctl = { containers: [{ name: 'app', image: 'x' }], securityContext: { sysctls: [{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }] } };
    const engine = { containers: [{ name: 'app', image: 'x', securityContext: { seLinuxOptions: { type: 'container_engine_t' } } }] };
    const at = (spec: any, version: string) => PodSecurity.levelOfPodSpec(spec, undefined, { version });

    // THEN
    expect([at(userNamespace, 'v1.34'), at(userNamespace, 'v1.35')]).toEqual([PodSecurityLevel.BASELINE, PodSecurityLevel.RESTRICTED]);
    expect([at(sysctl, 'v1.28'), at(sysctl, 'v1.29')]).toEqual([PodSecurityLevel.PRIVILEGED, PodSecurityLevel.BASELINE]);
    expect([at(engine, 'v1.30'), at(engine, 'v1.31')]).toEqual([PodSecurityLevel.PRIVILEGED, PodSecurityLevel.BASELINE]);
  });

  /** The probe-host app twice: in a chart with no cluster version, and in one pinned to 1.33. */
  function plainAndPinned() {
    const plain = Testing.chart();
    const pinned = Testing.chart();
    KubernetesVersion.set(pinned, KubernetesVersion.V1_33);
    const inPlain = probeHostApp(plain);
    const inPinned = probeHostApp(pinned);
    synth(plain);
    synth(pinned);
    return { inPlain, inPinned };
  }

  test("a workload is evaluated at the cluster's Kubernetes version when one is declared, else at latest; an explicit version wins", () => {
    // GIVEN
    const { inPlain, inPinned } = plainAndPinned();

    // THEN
    expect(PodSecurity.levelOf(inPlain)).toBe(PodSecurityLevel.PRIVILEGED);
    expect(PodSecurity.levelOf(inPinned)).toBe(PodSecurityLevel.RESTRICTED);
    expect(PodSecurity.violations(inPinned, PodSecurityLevel.BASELINE)).toEqual([]);
    expect(PodSecurity.levelOf(inPinned, { version: 'v1.34' })).toBe(PodSecurityLevel.PRIVILEGED);
    expect(PodSecurity.levelOf(inPlain, { version: 'v1.33' })).toBe(PodSecurityLevel.RESTRICTED);
    expect(PodSecurity.violations(inPlain, PodSecurityLevel.BASELINE, { version: 'v1.33' })).toEqual([]);
  });

  test.each([['1.33', PodSecurityLevel.RESTRICTED], ['1.35', PodSecurityLevel.PRIVILEGED]])(
    'CDK8S_KUBERNETES_VERSION=%s sets the default version too; the construct context beats it', (env, level) => {
      // GIVEN (the library reads the environment once per app, so each app is made after setting it)
      process.env[KubernetesVersion.ENV_VAR] = env;
      const { inPlain, inPinned } = plainAndPinned();

      // THEN
      expect(PodSecurity.levelOf(inPlain)).toBe(level);
      expect(PodSecurity.levelOf(inPinned)).toBe(PodSecurityLevel.RESTRICTED);
    });

  test.each<[unknown, RegExp]>([
    ['1.35', /^'version' is not a Pod Security policy version \(got "1\.35"\)\. Write it as the label pod-security\.kubernetes\.io\/enforce-version does: 'latest' or 'v1\.35' \(v1\.23 to v1\.37\)\.$/],
    ['v1.38', /^'version' is not a Pod Security policy version this library knows \(v1\.23 to v1\.37, or latest\) \(got "v1\.38"\)\. Use 'v1\.37' or 'latest' until a release of cdk8s-debuggable knows v1\.38\.$/],
    ['v1.22', /^'version' is not a Pod Security policy version this library knows .*\(got "v1\.22"\)\. Kubernetes 1\.22 is out of support; use 'v1\.23' or later\.$/],
    ['Latest', /'version' is not a Pod Security policy version \(got "Latest"\)/],
    ['v1.035', /'version' is not a Pod Security policy version \(got "v1\.035"\)/],
    [35, /'version' is not a Pod Security policy version \(got 35\)/],
  ])('the version %p is an error that names it, from every entry point', (version, message) => {
    // GIVEN
    const chart = Testing.chart();
    const dep = restrictedApp(chart, 'web');
    const options = { version } as any;

    // THEN
    expect(() => PodSecurity.levelOfPodSpec(probeHostPod(), undefined, options)).toThrow(message);
    expect(() => PodSecurity.violationsOfPodSpec(probeHostPod(), PodSecurityLevel.BASELINE, undefined, options)).toThrow(message);
    expect(() => PodSecurity.levelOf(dep, options)).toThrow(message);
    expect(() => PodSecurity.violations(dep, PodSecurityLevel.RESTRICTED, options)).toThrow(message);
    expect(() => PodSecurity.enforce(Testing.chart(), PodSecurityLevel.BASELINE, options)).toThrow(message);
  });

  test('options that are not an object are an error', () => {
    expect(() => PodSecurity.levelOfPodSpec(probeHostPod(), undefined, 'v1.34' as any))
      .toThrow(/^'options' is not an object \(got "v1\.34"\)\. Pass \{ version: 'v1\.35' \}/);
  });
});

describe('the version of the enforced level', () => {
  const enforced = (chart: Chart) => PodSecurity._enforcedLevel(ApiObject.of(restrictedApp(chart, 'web')));
  const namespaced = (labels: Record<string, string>, setup: (app: Chart) => void = () => {}) => {
    const app = Testing.app();
    const cluster = new Chart(app, 'cluster');
    new kplus.Namespace(cluster, 'shop', { metadata: { name: 'shop', labels } });
    const chart = new Chart(app, 'web', { namespace: 'shop' });
    setup(chart);
    return enforced(chart);
  };

  test('PodSecurity.enforce: the version given, else the cluster version, else latest', () => {
    // GIVEN
    const given = Testing.chart();
    PodSecurity.enforce(given, PodSecurityLevel.BASELINE, { version: 'v1.30' });
    const none = Testing.chart();
    PodSecurity.enforce(none, PodSecurityLevel.BASELINE);
    const cluster = Testing.chart();
    KubernetesVersion.set(cluster, KubernetesVersion.V1_35);
    PodSecurity.enforce(cluster, PodSecurityLevel.RESTRICTED);

    // THEN
    expect(enforced(given)).toEqual({ level: PodSecurityLevel.BASELINE, version: 'v1.30', source: expect.stringMatching(/^context cdk8s-debuggable\/pod-security-enforce/) });
    expect(enforced(none)?.version).toBe('latest');
    expect(enforced(cluster)).toEqual({ level: PodSecurityLevel.RESTRICTED, version: 'v1.35', source: expect.any(String) });
    expect(given.node.tryGetContext(PodSecurity.ENFORCE_VERSION_CONTEXT_KEY)).toBe('v1.30');
  });

  test("a Namespace's enforce-version label wins over the version given to PodSecurity.enforce", () => {
    expect(namespaced({ [PodSecurity.ENFORCE_LABEL]: 'baseline', [PodSecurity.ENFORCE_VERSION_LABEL]: 'v1.29' },
      chart => PodSecurity.enforce(chart, PodSecurityLevel.BASELINE, { version: 'v1.34' }))?.version).toBe('v1.29');
    expect(namespaced({ [PodSecurity.ENFORCE_LABEL]: 'baseline' },
      chart => PodSecurity.enforce(chart, PodSecurityLevel.BASELINE, { version: 'v1.34' }))?.version).toBe('v1.34');
    // A version label without a level label still sets the version of the level declared by context.
    expect(namespaced({ [PodSecurity.ENFORCE_VERSION_LABEL]: 'v1.31' },
      chart => PodSecurity.enforce(chart, PodSecurityLevel.RESTRICTED))).toEqual({ level: PodSecurityLevel.RESTRICTED, version: 'v1.31', source: expect.any(String) });
  });

  test('as in Kubernetes: an invalid enforce-version counts as latest, any v1.x is valid, and a cluster evaluates newer versions as its own', () => {
    // THEN
    const invalid = namespaced({ [PodSecurity.ENFORCE_LABEL]: 'baseline', [PodSecurity.ENFORCE_VERSION_LABEL]: '1.29' });
    expect(invalid).toEqual({
      level: PodSecurityLevel.BASELINE,
      version: 'latest',
      source: "Namespace shop via label pod-security.kubernetes.io/enforce; its pod-security.kubernetes.io/enforce-version '1.29' is not a version and so counts as latest",
    });
    expect(namespaced({ [PodSecurity.ENFORCE_LABEL]: 'baseline', [PodSecurity.ENFORCE_VERSION_LABEL]: 'v1.20' })?.version).toBe('v1.20');
    expect(namespaced({ [PodSecurity.ENFORCE_LABEL]: 'baseline', [PodSecurity.ENFORCE_VERSION_LABEL]: 'v1.99' })?.version).toBe('v1.99');
    const atCluster = (labels: Record<string, string>) => namespaced(labels, chart => KubernetesVersion.set(chart, KubernetesVersion.V1_33))?.version;
    expect(atCluster({ [PodSecurity.ENFORCE_LABEL]: 'baseline', [PodSecurity.ENFORCE_VERSION_LABEL]: 'v1.37' })).toBe('v1.33');
    expect(atCluster({ [PodSecurity.ENFORCE_LABEL]: 'baseline', [PodSecurity.ENFORCE_VERSION_LABEL]: 'latest' })).toBe('v1.33');
    expect(atCluster({ [PodSecurity.ENFORCE_LABEL]: 'baseline', [PodSecurity.ENFORCE_VERSION_LABEL]: 'oops' })).toBe('v1.33');
    expect(atCluster({ [PodSecurity.ENFORCE_LABEL]: 'baseline', [PodSecurity.ENFORCE_VERSION_LABEL]: 'v1.30' })).toBe('v1.30');
    expect(atCluster({ [PodSecurity.ENFORCE_LABEL]: 'baseline' })).toBe('v1.33');
  });

  test('the version of the enforced level decides: a probe host is refused by a namespace at v1.34, not at v1.33', () => {
    // GIVEN
    const at = (version: string) => {
      const chart = Testing.chart();
      PodSecurity.enforce(chart, PodSecurityLevel.BASELINE, { version });
      const dep = probeHostApp(chart);
      synth(chart);
      const e = PodSecurity._enforcedLevel(ApiObject.of(dep))!;
      return PodSecurity.violations(dep, e.level, { version: e.version }).map(v => v.check);
    };

    // THEN
    expect(at('v1.33')).toEqual([]);
    expect(at('v1.34')).toEqual(['hostProbesAndHostLifecycle']);
  });

  test('PodSecurity.POLICY_VERSION is gone (the version is an option now)', () => {
    expect((PodSecurity as any).POLICY_VERSION).toBeUndefined();
  });
});

everyManifestPassesTheSchema();
