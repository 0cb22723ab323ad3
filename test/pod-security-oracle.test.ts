import { ApiObject, Chart, Cron, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  Capability, DebuggableDeployment, DebugOptions, DebugProfile, DebugSecurityContext, DebugSidecar, DebugTool, ImageFamily,
  PodSecurity, PodSecurityLevel, SidecarForm,
} from '../src';
import { evaluateWithOracle, oracleAvailable, OracleResult } from './pss-oracle/client';
import { everyManifestPassesTheSchema, synth } from './support/manifests';

/*
 * PodSecurity (TypeScript, v1.27 rules) against the official evaluator
 * (k8s.io/pod-security-admission, Go, at v1.27) on generated workloads and
 * generated raw pod specs. Every level and every set of failing checks must
 * agree.
 */

const availability = oracleAvailable();
const CI = process.env.CI === 'true';

/** Deterministic PRNG (Park-Miller minimal standard; exact in doubles). */
function prng(seed: number): () => number {
  let state = (seed % 2147483646) + 1;
  return () => {
    state = (state * 48271) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

const APP = { image: 'nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };
const ALL = 'ALL' as kplus.Capability;
const NET_BIND_SERVICE = 'NET_BIND_SERVICE' as kplus.Capability;

const TOOLS: Array<[string, DebugTool]> = [
  ['tcpdump', DebugTool.TCPDUMP], ['tshark', DebugTool.TSHARK], ['ping', DebugTool.PING], ['traceroute', DebugTool.TRACEROUTE],
  ['nmap', DebugTool.NMAP], ['iptables', DebugTool.IPTABLES], ['dig', DebugTool.DIG], ['curl', DebugTool.CURL],
  ['strace', DebugTool.STRACE], ['gdb', DebugTool.GDB], ['perf', DebugTool.PERF], ['nsenter', DebugTool.NSENTER],
];
const PROFILES: Array<[string, DebugProfile | undefined]> = [
  ['none', undefined], ['general', DebugProfile.GENERAL], ['baseline', DebugProfile.BASELINE], ['restricted', DebugProfile.RESTRICTED],
  ['netadmin', DebugProfile.NETADMIN], ['sysadmin', DebugProfile.SYSADMIN],
];
const FAMILIES = [ImageFamily.ALPINE, ImageFamily.DEBIAN];
const SIDECAR_CONTEXTS: Array<[string, DebugSecurityContext | undefined]> = [
  ['none', undefined], ['user 1000', { user: 1000 }], ['user 0', { user: 0 }], ['ensureNonRoot', { ensureNonRoot: true }],
  ['ensureNonRoot false', { ensureNonRoot: false }], ['group 2000', { group: 2000 }],
  ['add NET_BIND_SERVICE', { capabilities: [Capability.NET_BIND_SERVICE] }], ['add NET_RAW', { capabilities: [Capability.NET_RAW] }],
  ['add nothing', { capabilities: [] }], ['privileged', { privileged: true }],
  ['privileged + escalation', { privileged: true, allowPrivilegeEscalation: true }], ['escalation', { allowPrivilegeEscalation: true }],
  ['writable root', { readOnlyRootFilesystem: false }],
];

/** The application side: kplus props plus JSON patches on the pod spec for what cdk8s-plus-27 cannot say (seccomp). */
interface AppVariant {
  readonly props: Partial<kplus.DeploymentProps>;
  readonly patches?: Array<[string, unknown]>;
}
const RESTRICTED_CONTAINER: kplus.ContainerProps = { ...APP, securityContext: { user: 101, group: 101, capabilities: { drop: [ALL] } } };
const POD_SECCOMP: [string, unknown] = ['/securityContext/seccompProfile', { type: 'RuntimeDefault' }];
const APPS: Array<[string, AppVariant]> = [
  ['default', { props: {} }],
  ['user/group', { props: { containers: [{ ...APP, securityContext: { user: 1000, group: 3000 } }] } }],
  ['ensureNonRoot false', { props: { containers: [{ ...APP, securityContext: { ensureNonRoot: false } }] } }],
  ['user 0', { props: { containers: [{ ...APP, securityContext: { user: 0, ensureNonRoot: false } }] } }],
  ['privileged', { props: { containers: [{ ...APP, securityContext: { privileged: true, allowPrivilegeEscalation: true } }] } }],
  ['escalation', { props: { containers: [{ ...APP, securityContext: { allowPrivilegeEscalation: true } }] } }],
  ['writable root', { props: { containers: [{ ...APP, securityContext: { readOnlyRootFilesystem: false } }] } }],
  ['pod ensureNonRoot false', { props: { securityContext: { ensureNonRoot: false } } }],
  ['pod user 0', { props: { securityContext: { user: 0, ensureNonRoot: false } } }],
  ['pod user/group', { props: { securityContext: { user: 2000, group: 2000, fsGroup: 2000 } } }],
  ['safe sysctl', { props: { securityContext: { sysctls: [{ name: 'net.ipv4.ping_group_range', value: '0 2147483647' }] } } }],
  ['unsafe sysctl', { props: { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '65536' }] } } }],
  ['hostNetwork', { props: { hostNetwork: true } }],
  ['drop ALL, no seccomp', { props: { containers: [RESTRICTED_CONTAINER] } }],
  ['restricted', { props: { containers: [RESTRICTED_CONTAINER], securityContext: { user: 101 } }, patches: [POD_SECCOMP] }],
  ['restricted + NET_BIND_SERVICE', {
    props: { containers: [{ ...APP, securityContext: { user: 101, capabilities: { drop: [ALL], add: [NET_BIND_SERVICE] } } }] },
    patches: [POD_SECCOMP],
  }],
  ['restricted, container seccomp Unconfined', {
    props: { containers: [RESTRICTED_CONTAINER] },
    patches: [POD_SECCOMP, ['/containers/0/securityContext/seccompProfile', { type: 'Unconfined' }]],
  }],
];
const KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'];

interface Config {
  readonly kind: string;
  readonly app: string;
  readonly debug: DebugOptions;
  readonly label: string;
}

/** Builds one configuration in its own chart; the workload's ApiObject. */
function build(config: Config): ApiObject {
  const chart: Chart = Testing.chart();
  const app = APPS.find(([name]) => name === config.app)![1];
  const props = { containers: [APP], ...app.props };
  let workload: kplus.AbstractPod;
  if (config.kind === 'Deployment') {
    workload = new DebuggableDeployment(chart, 'w', { ...props, debug: config.debug });
  } else {
    const podProps = props;
    workload = config.kind === 'StatefulSet' ? new kplus.StatefulSet(chart, 'w', podProps)
      : config.kind === 'DaemonSet' ? new kplus.DaemonSet(chart, 'w', podProps)
        : config.kind === 'Job' ? new kplus.Job(chart, 'w', podProps)
          : config.kind === 'CronJob' ? new kplus.CronJob(chart, 'w', { ...podProps, schedule: Cron.daily() })
            : new kplus.Pod(chart, 'w', podProps);
    DebugSidecar.attach(workload, config.debug);
  }
  const apiObject = ApiObject.of(workload);
  const specPath = config.kind === 'Pod' ? '/spec' : config.kind === 'CronJob' ? '/spec/jobTemplate/spec/template/spec' : '/spec/template/spec';
  for (const [p, value] of app.patches ?? []) apiObject.addJsonPatch(JsonPatch.add(`${specPath}${p}`, value));
  // Native sidecars are Kubernetes 1.29+: not valid against the 1.27 schema, so they are synthesized without the schema check.
  if (config.debug.form === SidecarForm.NATIVE_SIDECAR) Testing.synth(chart); else synth(chart);
  return apiObject;
}

function configs(): Config[] {
  const out: Config[] = [];
  // Every tool (and none) under every profile, in both image families, next to the default app.
  for (const [toolName, tool] of [['none', undefined] as [string, DebugTool | undefined], ...TOOLS]) {
    for (const [profileName, profile] of PROFILES) {
      for (const family of FAMILIES) {
        out.push({
          kind: 'Deployment',
          app: 'default',
          label: `tools=${toolName} profile=${profileName} family=${family}`,
          debug: { enabled: true, tools: tool ? [tool] : [], profile, imageFamily: family },
        });
      }
    }
  }
  // Then a seeded sample of everything: kinds, apps, tool sets, profiles, security contexts, forms, debug off.
  const random = prng(20270127);
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
  for (let i = 0; i < 260; i++) {
    const tools = TOOLS.filter(() => random() < 0.15);
    const [profileName, profile] = random() < 0.5 ? PROFILES[0] : pick(PROFILES);
    const [scName, securityContext] = random() < 0.4 ? SIDECAR_CONTEXTS[0] : pick(SIDECAR_CONTEXTS);
    const family = pick(FAMILIES);
    const enabled = random() < 0.85;
    const native = random() < 0.1;
    const kind = random() < 0.6 ? 'Deployment' : pick(KINDS);
    const [app] = random() < 0.25 ? pick(APPS.filter(([name]) => name.startsWith('restricted'))) : pick(APPS);
    out.push({
      kind,
      app,
      label: `#${i} kind=${kind} app=${app} tools=${tools.map(t => t[0]).join('+') || 'none'} profile=${profileName} sc=${scName} family=${family} enabled=${enabled} native=${native}`,
      debug: {
        enabled,
        tools: tools.map(t => t[1]),
        profile,
        securityContext,
        imageFamily: family,
        form: native ? SidecarForm.NATIVE_SIDECAR : undefined,
      },
    });
  }
  return out;
}

/** Oracle reasons (ForbiddenReason) to the check ids of k8s.io/pod-security-admission. */
function checkIdOf(reason: string, level: 'baseline' | 'restricted'): string {
  const ids: Record<string, string> = {
    'allowPrivilegeEscalation != false': 'allowPrivilegeEscalation',
    'forbidden AppArmor profile': 'appArmorProfile',
    'forbidden AppArmor profiles': 'appArmorProfile',
    'non-default capabilities': 'capabilities_baseline',
    'unrestricted capabilities': 'capabilities_restricted',
    'host namespaces': 'hostNamespaces',
    'hostPath volumes': 'hostPathVolumes',
    'hostPort': 'hostPorts',
    'privileged': 'privileged',
    'procMount': 'procMount',
    'restricted volume types': 'restrictedVolumes',
    'runAsNonRoot != true': 'runAsNonRoot',
    'runAsUser=0': 'runAsUser',
    'seLinuxOptions': 'seLinuxOptions',
    'seccompProfile': level === 'baseline' ? 'seccompProfile_baseline' : 'seccompProfile_restricted',
    'forbidden sysctls': 'sysctls',
    'hostProcess': 'windowsHostProcess',
  };
  const id = ids[reason];
  if (!id) throw new Error(`unknown oracle reason '${reason}'`);
  return id;
}

const sorted = (xs: string[]) => [...new Set(xs)].sort();

interface Comparison {
  readonly label: string;
  readonly ours: { level: string; baseline: string[]; restricted: string[] };
  readonly oracle: { level: string | null; baseline: string[]; restricted: string[] };
}

function oracleSide(r: OracleResult): Comparison['oracle'] {
  if (r.error || !r.violations) throw new Error(`oracle could not evaluate ${r.kind}/${r.name}: ${r.error}`);
  return {
    level: r.level,
    baseline: sorted(r.violations.baseline.map(v => checkIdOf(v.reason, 'baseline'))),
    restricted: sorted(r.violations.restricted.map(v => checkIdOf(v.reason, 'restricted'))),
  };
}

function disagreements(comparisons: Comparison[]): Comparison[] {
  return comparisons.filter(c => JSON.stringify({ ...c.ours }) !== JSON.stringify({ ...c.oracle }));
}

function distribution(levels: string[]): Record<string, number> {
  return Object.fromEntries(Object.values(PodSecurityLevel).map(l => [l, levels.filter(x => x === l).length]));
}

/** Raw pod specs drawn from values that exercise every check, including the edges (null, '', 0, Windows, ephemeral containers). */
function randomPods(count: number, seed: number): Array<{ metadata: any; spec: any }> {
  const random = prng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
  const maybe = <T>(p: number, f: () => T): T | undefined => (random() < p ? f() : undefined);
  const seccomp = () => pick<any>([null, {}, { type: 'RuntimeDefault' }, { type: 'Localhost', localhostProfile: 'p.json' }, { type: 'Unconfined' }]);
  const capsPool = ['NET_BIND_SERVICE', 'NET_RAW', 'CHOWN', 'SETUID', 'SYS_ADMIN', 'CAP_NET_BIND_SERVICE', 'ALL'];
  const seLinux = () => pick<any>([{}, { type: 'container_t' }, { type: 'spc_t' }, { type: 'container_engine_t' }, { user: 'u' }, { role: 'r' }, { level: 's0:c1' }]);
  const containerSc = () => {
    const sc: any = {};
    const set = (k: string, f: () => unknown) => { if (random() < 0.4) sc[k] = f(); };
    set('allowPrivilegeEscalation', () => pick([true, false, null]));
    set('privileged', () => pick([true, false, null]));
    set('runAsNonRoot', () => pick([true, false, null]));
    set('runAsUser', () => pick([0, 1000, null]));
    set('seccompProfile', seccomp);
    set('capabilities', () => pick<any>([null, {}, { drop: ['ALL'] }, { drop: ['NET_RAW'] },
      { drop: ['ALL'], add: capsPool.filter(() => random() < 0.3) }, { add: capsPool.filter(() => random() < 0.3) }]));
    set('procMount', () => pick(['Default', 'Unmasked', '', null]));
    set('seLinuxOptions', seLinux);
    set('appArmorProfile', () => pick<any>([{ type: 'RuntimeDefault' }, { type: 'Localhost', localhostProfile: 'p' }, { type: 'Unconfined' }]));
    set('windowsOptions', () => pick<any>([{ hostProcess: true }, { hostProcess: false }, {}]));
    return sc;
  };
  const container = (name: string) => ({
    name,
    image: 'example.org/app:1',
    ...(maybe(0.85, () => ({ securityContext: random() < 0.1 ? null : containerSc() })) ?? {}),
    ...(maybe(0.15, () => ({ ports: [{ containerPort: 8080, hostPort: pick([0, 8080]) }] })) ?? {}),
  });
  const volumes: any[] = [
    { name: 'e', emptyDir: {} }, { name: 'c', configMap: { name: 'x' } }, { name: 's', secret: { secretName: 'x' } },
    { name: 'p', persistentVolumeClaim: { claimName: 'x' } }, { name: 'pr', projected: { sources: [] } },
    { name: 'd', downwardAPI: { items: [] } }, { name: 'csi', csi: { driver: 'x' } }, { name: 'img', image: { reference: 'x:1' } },
    { name: 'h', hostPath: { path: '/var/log' } }, { name: 'n', nfs: { server: 'x', path: '/' } }, { name: 'g', gitRepo: { repository: 'x' } },
    { name: 'none' },
  ];
  const restrictedContainer = (name: string) => ({
    name,
    image: 'example.org/app:1',
    securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
  });
  /** One field of a restricted pod changed to a value drawn from the same pools. */
  const mutate = (spec: any, metadata: any) => {
    const all = [...spec.containers, ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])];
    const target = pick(all);
    const donor = containerSc();
    const keys = Object.keys(donor);
    if (keys.length > 0 && random() < 0.7) {
      const key = pick(keys);
      target.securityContext = { ...target.securityContext, [key]: donor[key] };
    } else if (random() < 0.5) {
      const key = pick(['allowPrivilegeEscalation', 'runAsNonRoot', 'capabilities', 'seccompProfile']);
      delete target.securityContext[key];
    } else {
      const key = pick(['runAsNonRoot', 'runAsUser', 'seccompProfile', 'os', 'volumes', 'hostUsers', 'sysctls', 'apparmor']);
      spec.securityContext = spec.securityContext ?? {};
      if (key === 'runAsNonRoot') spec.securityContext.runAsNonRoot = pick([true, false, null]);
      if (key === 'runAsUser') spec.securityContext.runAsUser = pick([0, 1000]);
      if (key === 'seccompProfile') spec.securityContext.seccompProfile = seccomp();
      if (key === 'os') spec.os = { name: pick(['windows', 'linux']) };
      if (key === 'volumes') spec.volumes = [pick(volumes)];
      if (key === 'hostUsers') spec.hostUsers = false;
      if (key === 'sysctls') spec.securityContext.sysctls = [{ name: pick(['net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_rmem']), value: '1' }];
      if (key === 'apparmor') metadata.annotations['container.apparmor.security.beta.kubernetes.io/app'] = pick(['runtime/default', 'unconfined']);
    }
  };
  const pods: Array<{ metadata: any; spec: any }> = [];
  for (let i = 0; i < count; i++) {
    if (random() < 0.4) {
      // A restricted pod with up to two fields changed: the boundary between restricted and baseline.
      const spec: any = { containers: [restrictedContainer('app')] };
      if (random() < 0.3) spec.initContainers = [restrictedContainer('init')];
      if (random() < 0.2) spec.ephemeralContainers = [restrictedContainer('eph')];
      if (random() < 0.5) {
        spec.securityContext = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
        for (const c of spec.containers) { delete c.securityContext.runAsNonRoot; delete c.securityContext.seccompProfile; }
      }
      const metadata = { name: `pod-${i}`, annotations: {} };
      for (let m = Math.floor(random() * 3); m > 0; m--) mutate(spec, metadata);
      pods.push({ metadata, spec });
      continue;
    }
    const spec: any = { containers: [container('app'), ...(random() < 0.3 ? [container('side')] : [])] };
    if (random() < 0.3) spec.initContainers = [container('init')];
    if (random() < 0.2) spec.ephemeralContainers = [container('eph')];
    if (random() < 0.15) spec.hostNetwork = pick([true, false]);
    if (random() < 0.1) spec.hostPID = true;
    if (random() < 0.1) spec.hostIPC = true;
    if (random() < 0.1) spec.os = { name: pick(['windows', 'linux']) };
    if (random() < 0.3) spec.volumes = volumes.filter(() => random() < 0.2);
    if (random() < 0.7) {
      const psc: any = {};
      if (random() < 0.5) psc.runAsNonRoot = pick([true, false, null]);
      if (random() < 0.3) psc.runAsUser = pick([0, 1000]);
      if (random() < 0.5) psc.seccompProfile = seccomp();
      if (random() < 0.15) psc.seLinuxOptions = seLinux();
      if (random() < 0.15) psc.sysctls = [{ name: pick(['net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'kernel.shm_rmid_forced', 'kernel.msgmax']), value: '1' }];
      if (random() < 0.1) psc.appArmorProfile = { type: pick(['RuntimeDefault', 'Unconfined']) };
      if (random() < 0.05) psc.windowsOptions = { hostProcess: pick([true, false]) };
      spec.securityContext = psc;
    }
    const annotations: Record<string, string> = {};
    if (random() < 0.15) annotations['container.apparmor.security.beta.kubernetes.io/app'] = pick(['runtime/default', 'localhost/p', 'unconfined', '']);
    if (random() < 0.1) annotations['seccomp.security.alpha.kubernetes.io/pod'] = 'unconfined';
    pods.push({ metadata: { name: `pod-${i}`, annotations }, spec });
  }
  return pods;
}

if (!availability.ok && CI) {
  test('the Pod Security oracle is available under CI=true', () => {
    throw new Error(`pss oracle unavailable under CI=true: ${availability.reason}`);
  });
} else if (!availability.ok) {
  // eslint-disable-next-line no-console
  console.warn(`pss oracle skipped: ${availability.reason}`);
}

let builtCache: { built: Array<{ label: string; apiObject: ApiObject }>; rejected: string[] } | undefined;

/** Builds every generated configuration once; the ones the library rejects are counted, not compared. */
function buildAll() {
  if (!builtCache) {
    const built: Array<{ label: string; apiObject: ApiObject }> = [];
    const rejected: string[] = [];
    for (const config of configs()) {
      try {
        built.push({ label: config.label, apiObject: build(config) });
      } catch (e) {
        rejected.push(`${config.label}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    builtCache = { built, rejected };
  }
  return builtCache;
}

test('the generator yields at least 200 configurations the library accepts, over every tool, profile and kind', () => {
  // WHEN
  const { built, rejected } = buildAll();

  // THEN
  expect(built.length).toBeGreaterThanOrEqual(200);
  expect(rejected.length).toBeGreaterThan(0); // e.g. tcpdump under DebugProfile.RESTRICTED
  for (const [name] of [...TOOLS, ...PROFILES.slice(1)]) expect(built.some(b => b.label.includes(name))).toBe(true);
  for (const kind of KINDS) expect(built.some(b => b.label.includes(`kind=${kind}`))).toBe(true);
});

(availability.ok ? describe : describe.skip)('PodSecurity agrees with k8s.io/pod-security-admission at v1.27', () => {
  test('on generated workloads: every tool, profile, image family, security context, app and kind', () => {
    // GIVEN
    const { built, rejected } = buildAll();

    // WHEN
    const oracle = evaluateWithOracle(built.map(b => b.apiObject.toJson()));
    const comparisons: Comparison[] = built.map((b, i) => ({
      label: b.label,
      ours: {
        level: PodSecurity.levelOf(b.apiObject),
        baseline: sorted(PodSecurity.violations(b.apiObject, PodSecurityLevel.BASELINE).map(v => v.check)),
        restricted: sorted(PodSecurity.violations(b.apiObject, PodSecurityLevel.RESTRICTED).map(v => v.check)),
      },
      oracle: oracleSide(oracle[i]),
    }));

    // THEN
    // eslint-disable-next-line no-console
    console.log(`pss oracle, workloads: ${comparisons.length} compared, ${rejected.length} rejected by the library, `
      + `${disagreements(comparisons).length} disagreements; levels ${JSON.stringify(distribution(comparisons.map(c => c.ours.level)))}`);
    expect(comparisons.length).toBeGreaterThanOrEqual(200);
    expect(disagreements(comparisons)).toEqual([]);
    expect(new Set(comparisons.map(c => c.ours.level))).toEqual(new Set(Object.values(PodSecurityLevel)));
  });

  test('on generated raw pod specs that exercise every check', () => {
    // GIVEN
    const pods = randomPods(600, 1027);

    // WHEN
    const oracle = evaluateWithOracle(pods.map(p => ({ apiVersion: 'v1', kind: 'Pod', ...p })));
    const comparisons: Comparison[] = pods.map((p, i) => ({
      label: JSON.stringify(p),
      ours: {
        level: PodSecurity.levelOfPodSpec(p.spec, p.metadata),
        baseline: sorted(PodSecurity.violationsOfPodSpec(p.spec, PodSecurityLevel.BASELINE, p.metadata).map(v => v.check)),
        restricted: sorted(PodSecurity.violationsOfPodSpec(p.spec, PodSecurityLevel.RESTRICTED, p.metadata).map(v => v.check)),
      },
      oracle: oracleSide(oracle[i]),
    }));

    // THEN
    const checksSeen = sorted(comparisons.flatMap(c => [...c.oracle.baseline, ...c.oracle.restricted]));
    // eslint-disable-next-line no-console
    console.log(`pss oracle, raw pods: ${comparisons.length} compared, ${disagreements(comparisons).length} disagreements; `
      + `levels ${JSON.stringify(distribution(comparisons.map(c => c.ours.level)))}; ${checksSeen.length} checks seen failing`);
    expect(disagreements(comparisons)).toEqual([]);
    expect(checksSeen).toHaveLength(17);
  });
});

everyManifestPassesTheSchema();
