import { ApiObject, Chart, Cron, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  Capability, DebuggableDeployment, DebugImage, DebugOptions, DebugProfile, DebugSecurityContext, DebugSidecar, DebugTool, ImageFamily,
  PodSecurity, PodSecurityLevel, SidecarForm,
} from '../src';
import { evaluateWithOracle, oracleAvailable, oracleChecks, OracleResult } from './pss-oracle/client';
import { gatePods, prng, RawPod, randomPods } from './pss-oracle/pods';
import { everyManifestPassesTheSchema, synth } from './support/manifests';
import { podSecurityLevel, podSecurityViolations } from '../src/pod-security/evaluator/checks';
import { CHECKS, NEWEST_RULES } from '../src/pod-security/evaluator/registry';

/*
 * PodSecurity (TypeScript) against the official evaluator
 * (k8s.io/pod-security-admission v0.37.2, Go) at every policy version, on
 * generated workloads and generated raw pod specs. Every level and every set
 * of failing checks must agree; the registry's checks and version gates must
 * be the official ones; and every version gate must change the result of
 * some generated pod, so that each rule that changed is compared on both
 * sides of its gate.
 */

const availability = oracleAvailable();
const CI = process.env.CI === 'true';

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
/** A debug image of the family (the reference does not matter to Pod Security). */
const imageOf = (family: ImageFamily) => DebugImage.of('registry.example.com/team/debug:1', family);
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
  readonly props: Partial<kplus.AbstractPodProps>;
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
          debug: { enabled: true, tools: tool ? [tool] : [], profile, image: imageOf(family) },
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
        image: imageOf(family),
        form: native ? SidecarForm.NATIVE_SIDECAR : undefined,
      },
    });
  }
  return out;
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

/** Every version a caller may ask for: v1.23 to v1.37, and latest. */
const VERSIONS = [...Array.from({ length: 15 }, (_, i) => `v1.${23 + i}`), 'latest'];
/**
 * Versions a namespace label may name but the options refuse: the older ones
 * (Kubernetes still evaluates them), and one newer than this release knows
 * (evaluated as the newest). Compared through the internal functions.
 */
const LABEL_ONLY_VERSIONS = [...Array.from({ length: 23 }, (_, i) => `v1.${i}`), 'v1.40'];

const sorted = (xs: string[]) => [...new Set(xs)].sort();

interface Side {
  readonly level: string | null;
  readonly baseline: string[];
  readonly restricted: string[];
}

interface Comparison {
  readonly label: string;
  readonly ours: Side;
  readonly oracle: Side;
}

function oracleSide(r: OracleResult): Side {
  if (r.error || !r.violations) throw new Error(`oracle could not evaluate ${r.kind}/${r.name}: ${r.error}`);
  if (r.warnings?.length) throw new Error(`oracle decoded ${r.kind}/${r.name} with warnings (a typo in the generator?): ${r.warnings.join('; ')}`);
  return { level: r.level, baseline: sorted(r.violations.baseline.map(v => v.check)), restricted: sorted(r.violations.restricted.map(v => v.check)) };
}

/** Our side for a raw pod: the public API for the versions it accepts, the internal functions for the others. */
function oursForPod(p: RawPod, version: string): Side {
  if (VERSIONS.includes(version)) {
    return {
      level: PodSecurity.levelOfPodSpec(p.spec, p.metadata, { version }),
      baseline: sorted(PodSecurity.violationsOfPodSpec(p.spec, PodSecurityLevel.BASELINE, p.metadata, { version }).map(v => v.check)),
      restricted: sorted(PodSecurity.violationsOfPodSpec(p.spec, PodSecurityLevel.RESTRICTED, p.metadata, { version }).map(v => v.check)),
    };
  }
  return {
    level: podSecurityLevel(p.spec, p.metadata, version),
    baseline: sorted(podSecurityViolations(p.spec, p.metadata, PodSecurityLevel.BASELINE, version).map(v => v.check)),
    restricted: sorted(podSecurityViolations(p.spec, p.metadata, PodSecurityLevel.RESTRICTED, version).map(v => v.check)),
  };
}

function disagreements(comparisons: Comparison[]): Comparison[] {
  return comparisons.filter(c => JSON.stringify(c.ours) !== JSON.stringify(c.oracle));
}

function distribution(levels: Array<string | null>): Record<string, number> {
  return Object.fromEntries(Object.values(PodSecurityLevel).map(l => [l, levels.filter(x => x === l).length]));
}

const RANDOM_PODS = randomPods(600, 1027);
const GATE_PODS = gatePods(600, 20260134);
const PODS: RawPod[] = [...RANDOM_PODS, ...GATE_PODS];

/** The oracle's results for PODS at a version, computed once. */
const oracleCache = new Map<string, OracleResult[]>();
function oracleForPods(version: string): OracleResult[] {
  let results = oracleCache.get(version);
  if (results === undefined) {
    results = evaluateWithOracle(PODS.map(p => ({ apiVersion: 'v1', kind: 'Pod', ...p })), version);
    oracleCache.set(version, results);
  }
  return results;
}

/** An official version string (v1.22) as our registry's minor (22). */
const minorOfOfficial = (version: string) => Number(/^v1\.(\d+)$/.exec(version)![1]);

(availability.ok ? describe : describe.skip)('PodSecurity agrees with k8s.io/pod-security-admission at every policy version', () => {
  test('the registry has every official check, with the same levels, version gates and overrides', () => {
    // WHEN
    const official = oracleChecks().map(c => ({
      id: c.id,
      level: c.level,
      versions: c.versions.map(v => ({ since: minorOfOfficial(v.minimumVersion), overrides: v.overrides })),
    }));
    const ours = CHECKS.map(c => ({
      id: c.id,
      level: c.level,
      versions: c.versions.map(v => ({ since: v.since, overrides: v.overrides ?? [] })),
    }));

    // THEN
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect(ours.sort(byId)).toEqual(official.sort(byId));
    expect(`v1.${NEWEST_RULES}`).toBe(PodSecurity.LATEST_VERSION);
  });

  test.each(VERSIONS)('on generated workloads at %s: every tool, profile, image family, security context, app and kind', version => {
    // GIVEN
    const { built, rejected } = buildAll();

    // WHEN
    const oracle = evaluateWithOracle(built.map(b => b.apiObject.toJson()), version);
    const comparisons: Comparison[] = built.map((b, i) => ({
      label: b.label,
      ours: {
        level: PodSecurity.levelOf(b.apiObject, { version }),
        baseline: sorted(PodSecurity.violations(b.apiObject, PodSecurityLevel.BASELINE, { version }).map(v => v.check)),
        restricted: sorted(PodSecurity.violations(b.apiObject, PodSecurityLevel.RESTRICTED, { version }).map(v => v.check)),
      },
      oracle: oracleSide(oracle[i]),
    }));

    // THEN
    // eslint-disable-next-line no-console
    console.log(`pss oracle at ${version}, workloads: ${comparisons.length} compared, ${rejected.length} rejected by the library, `
      + `${disagreements(comparisons).length} disagreements; levels ${JSON.stringify(distribution(comparisons.map(c => c.ours.level)))}`);
    expect(comparisons.length).toBeGreaterThanOrEqual(200);
    expect(disagreements(comparisons)).toEqual([]);
    expect(new Set(comparisons.map(c => c.ours.level))).toEqual(new Set(Object.values(PodSecurityLevel)));
  });

  test.each([...VERSIONS, ...LABEL_ONLY_VERSIONS])('on generated raw pods at %s: edge values of every check, and the fields of every version gate', version => {
    // WHEN
    const oracle = oracleForPods(version);
    const comparisons: Comparison[] = PODS.map((p, i) => ({ label: JSON.stringify(p), ours: oursForPod(p, version), oracle: oracleSide(oracle[i]) }));

    // THEN
    // eslint-disable-next-line no-console
    console.log(`pss oracle at ${version}, raw pods: ${comparisons.length} compared, ${disagreements(comparisons).length} disagreements; `
      + `levels ${JSON.stringify(distribution(comparisons.map(c => c.oracle.level)))}`);
    expect(disagreements(comparisons)).toEqual([]);
    expect(new Set(comparisons.map(c => c.oracle.level))).toEqual(new Set(Object.values(PodSecurityLevel)));
  });

  test('every official check fails on some generated pod, and every version gate changes the result of some pod', () => {
    // GIVEN
    const checks = oracleChecks();
    const failing = (r: OracleResult, id: string) => [...r.violations!.baseline, ...r.violations!.restricted].some(v => v.check === id);

    // WHEN
    const seen = sorted([...VERSIONS, ...LABEL_ONLY_VERSIONS]
      .flatMap(v => oracleForPods(v).flatMap(r => [...r.violations!.baseline, ...r.violations!.restricted].map(x => x.check))));
    const gates = checks.flatMap(c => c.versions.map(v => ({ id: c.id, minor: minorOfOfficial(v.minimumVersion) })).filter(g => g.minor > 0));
    const gatePod = (results: OracleResult[], j: number) => results[RANDOM_PODS.length + j];
    const unexercised = gates.filter(({ id, minor }) => {
      const before = oracleForPods(`v1.${minor - 1}`);
      const after = oracleForPods(`v1.${minor}`);
      return !GATE_PODS.some((_, j) => failing(gatePod(before, j), id) !== failing(gatePod(after, j), id));
    });

    // THEN
    // eslint-disable-next-line no-console
    console.log(`pss oracle: ${seen.length} checks seen failing; version gates ${gates.map(g => `${g.id}@v1.${g.minor}`).join(', ')}`);
    expect(seen).toEqual(sorted(checks.map(c => c.id)));
    expect(gates.length).toBeGreaterThanOrEqual(15);
    expect(unexercised).toEqual([]);
  });
});

everyManifestPassesTheSchema();
