import { ApiObject, Chart, Cron, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { describeWithServer } from './jest-support';
import { ApiServer } from './server';
import {
  DebuggableDeployment, DebugOptions, DebugProfile, DebugSidecar, DebugTool, PodSecurity, PodSecurityLevel, SidecarForm,
} from '../../src';

/*
 * The library's Pod Security verdicts against the real PodSecurity admission
 * plugin of kube-apiserver. Each generated configuration's pod template
 * becomes a bare Pod (PodSecurity enforces on Pods only; workloads just get
 * warnings), created with `kubectl create --dry-run=server` in namespaces
 * labelled pod-security.kubernetes.io/enforce=<level> and enforce-version=<v>.
 * Admitted iff PodSecurity.levelOf allows the level, and a rejection names
 * exactly the checks of PodSecurity.violations at that level.
 */

/**
 * Policy versions to judge at (the namespace's enforce-version label): before
 * and after the rules that changed (host probes at v1.34, hostUsers and
 * sysctls at v1.35), and `latest`.
 */
const VERSIONS = ['v1.27', 'v1.31', 'v1.34', 'v1.35', 'latest'];
const versionOptions = (version: string) => [{ version }];

/** The library's judgements at one policy version: on a workload, and on a plain pod spec. */
function library(version: string) {
  const options = versionOptions(version);
  return {
    levelOf: (workload: ApiObject) => PodSecurity.levelOf(workload, ...options),
    violations: (workload: ApiObject, level: PodSecurityLevel) => PodSecurity.violations(workload, level, ...options),
    levelOfPodSpec: (spec: any, metadata: any) => PodSecurity.levelOfPodSpec(spec, metadata, ...options),
    violationsOfPodSpec: (spec: any, level: PodSecurityLevel, metadata: any) => PodSecurity.violationsOfPodSpec(spec, level, metadata, ...options),
  };
}

/** Deterministic PRNG (Park-Miller minimal standard). */
function prng(seed: number): () => number {
  let state = (seed % 2147483646) + 1;
  return () => {
    state = (state * 48271) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

const APP = { image: 'nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };
const ALL = 'ALL' as kplus.Capability;
const TOOLS = Object.entries(DebugTool).filter((e): e is [string, DebugTool] => e[1] instanceof DebugTool);
const PROFILES: Array<[string, DebugProfile | undefined]> = [
  ['none', undefined], ['general', DebugProfile.GENERAL], ['baseline', DebugProfile.BASELINE], ['restricted', DebugProfile.RESTRICTED],
  ['netadmin', DebugProfile.NETADMIN], ['sysadmin', DebugProfile.SYSADMIN],
];
const RESTRICTED_APP: kplus.ContainerProps = { ...APP, securityContext: { user: 101, group: 101, capabilities: { drop: [ALL] } } };
const SECCOMP: [string, unknown] = ['/securityContext/seccompProfile', { type: 'RuntimeDefault' }];
/** Application sides: kplus props, plus pod-spec patches for what cdk8s-plus-27 cannot say. */
const APPS: Array<[string, Partial<kplus.AbstractPodProps>, Array<[string, unknown]>]> = [
  ['default', {}, []],
  ['user 0', { containers: [{ ...APP, securityContext: { user: 0, ensureNonRoot: false } }] }, []],
  ['privileged', { containers: [{ ...APP, securityContext: { privileged: true, allowPrivilegeEscalation: true } }] }, []],
  ['hostNetwork', { hostNetwork: true }, []],
  ['unsafe sysctl', { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '65536' }] } }, []],
  ['restricted', { containers: [RESTRICTED_APP], securityContext: { user: 101 } }, [SECCOMP]],
  // Rules that changed between policy versions: a probe with a host breaks baseline from v1.34;
  // a sysctl that became safe at v1.32.
  ['restricted, probe host', { containers: [RESTRICTED_APP], securityContext: { user: 101 } },
    [SECCOMP, ['/containers/0/livenessProbe', { httpGet: { host: '10.0.0.1', port: kplus.k8s.IntOrString.fromNumber(8080), path: '/' } }]]],
  ['newer safe sysctl', { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_rmem', value: '4096 87380 6291456' }] } }, []],
];
const SIDECAR_CONTEXTS: Array<[string, DebugOptions['securityContext']]> = [
  ['none', undefined], ['user 1000', { user: 1000 }], ['user 0', { user: 0 }],
  ['privileged', { privileged: true }], ['escalation', { allowPrivilegeEscalation: true }], ['add nothing', { capabilities: [] }],
];
const KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'];

interface Config {
  readonly label: string;
  readonly kind: string;
  readonly app: string;
  readonly debug: DebugOptions;
}

function configs(): Config[] {
  const out: Config[] = [];
  // Every tool (and none) alone, under each profile, next to the default and the restricted app.
  for (const [toolName, tool] of [['none', undefined] as [string, DebugTool | undefined], ...TOOLS]) {
    for (const [profileName, profile] of PROFILES) {
      for (const app of ['default', 'restricted', 'restricted, probe host']) {
        out.push({ label: `tool=${toolName} profile=${profileName} app=${app}`, kind: 'Deployment', app, debug: { enabled: true, tools: tool ? [tool] : [], profile } });
      }
    }
  }
  // A seeded sample over kinds, apps, tool sets, sidecar security contexts, forms and debug off.
  const random = prng(20261125);
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
  for (let i = 0; i < 200; i++) {
    const tools = TOOLS.filter(() => random() < 0.15);
    // Half without a profile (derived from the tools) and 40% without a security context: most explicit ones conflict with some tool.
    const [profileName, profile] = random() < 0.5 ? PROFILES[0] : pick(PROFILES);
    const [scName, securityContext] = random() < 0.4 ? SIDECAR_CONTEXTS[0] : pick(SIDECAR_CONTEXTS);
    const kind = pick(KINDS);
    const [app] = pick(APPS);
    const form = pick([undefined, SidecarForm.NATIVE_SIDECAR, SidecarForm.EXIT_WITH_APP]);
    const enabled = random() < 0.9;
    out.push({
      label: `#${i} kind=${kind} app=${app} tools=${tools.map(t => t[0]).join('+') || 'none'} profile=${profileName} sc=${scName} form=${form ?? 'default'} enabled=${enabled}`,
      kind,
      app,
      debug: { enabled, tools: tools.map(t => t[1]), profile, securityContext, form },
    });
  }
  return out;
}

/** Builds one configuration in its own chart; the workload's ApiObject. Throws when the library refuses it. */
function build(config: Config): ApiObject {
  const chart: Chart = Testing.chart();
  const [, appProps, patches] = APPS.find(([name]) => name === config.app)!;
  const props = { containers: [APP], ...appProps };
  let workload: kplus.AbstractPod;
  if (config.kind === 'Deployment') {
    workload = new DebuggableDeployment(chart, 'w', { ...props, debug: config.debug });
  } else {
    workload = config.kind === 'StatefulSet' ? new kplus.StatefulSet(chart, 'w', props)
      : config.kind === 'DaemonSet' ? new kplus.DaemonSet(chart, 'w', props)
        : config.kind === 'Job' ? new kplus.Job(chart, 'w', props)
          : config.kind === 'CronJob' ? new kplus.CronJob(chart, 'w', { ...props, schedule: Cron.daily() })
            : new kplus.Pod(chart, 'w', props);
    DebugSidecar.attach(workload, config.debug);
  }
  const apiObject = ApiObject.of(workload);
  const specPath = config.kind === 'Pod' ? '/spec' : config.kind === 'CronJob' ? '/spec/jobTemplate/spec/template/spec' : '/spec/template/spec';
  for (const [p, value] of patches) apiObject.addJsonPatch(JsonPatch.add(`${specPath}${p}`, value));
  Testing.synth(chart);
  return apiObject;
}

/** The pod template of a synthesized workload as a bare Pod named `name`. */
function asPod(obj: any, name: string): any {
  const template = obj.kind === 'Pod' ? { metadata: obj.metadata, spec: obj.spec }
    : obj.kind === 'CronJob' ? obj.spec.jobTemplate.spec.template : obj.spec.template;
  const { labels, annotations } = template.metadata ?? {};
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels, annotations }, spec: template.spec };
}

/** PodSecurity admission's reasons (ForbiddenReason in k8s.io/pod-security-admission) to check ids. */
function checkIdOf(reason: string, level: PodSecurityLevel): string {
  const ids: Record<string, string> = {
    'allowPrivilegeEscalation != false': 'allowPrivilegeEscalation',
    'forbidden AppArmor profile': 'appArmorProfile',
    'forbidden AppArmor profiles': 'appArmorProfile',
    'non-default capabilities': 'capabilities_baseline',
    'unrestricted capabilities': 'capabilities_restricted',
    'host namespaces': 'hostNamespaces',
    'hostPath volumes': 'hostPathVolumes',
    'hostPort': 'hostPorts',
    'probe or lifecycle host': 'hostProbesAndHostLifecycle',
    'privileged': 'privileged',
    'procMount': level === PodSecurityLevel.BASELINE ? 'procMount' : 'procMount_restricted',
    'restricted volume types': 'restrictedVolumes',
    'runAsNonRoot != true': 'runAsNonRoot',
    'runAsUser=0': 'runAsUser',
    'seLinuxOptions': 'seLinuxOptions',
    'seccompProfile': level === PodSecurityLevel.BASELINE ? 'seccompProfile_baseline' : 'seccompProfile_restricted',
    'forbidden sysctls': 'sysctls',
    'hostProcess': 'windowsHostProcess',
  };
  const id = ids[reason];
  if (!id) throw new Error(`unknown PodSecurity reason '${reason}'`);
  return id;
}
const REASONS = ['allowPrivilegeEscalation != false', 'forbidden AppArmor profiles?', 'non-default capabilities', 'unrestricted capabilities',
  'host namespaces', 'hostPath volumes', 'hostPort', 'probe or lifecycle host', 'privileged', 'procMount', 'restricted volume types', 'runAsNonRoot != true',
  'runAsUser=0', 'seLinuxOptions', 'seccompProfile', 'forbidden sysctls', 'hostProcess'];

export interface ServerReason {
  readonly check: string;
  readonly reason: string;
  /** The detail in parentheses, e.g. `container "debug" must not include "NET_RAW" in securityContext.capabilities.add`. */
  readonly detail: string;
}

/**
 * Parses `violates PodSecurity "<level>:<version>": <reason> (<detail>), <reason> (<detail>), ...`.
 * Reasons are split only before a known reason, so details may contain commas and quotes.
 */
export function parsePodSecurityMessage(message: string): { level: string; version: string; reasons: ServerReason[] } {
  const m = /violates PodSecurity "([a-z]+):([^"]+)": (.*)$/.exec(message);
  if (!m) throw new Error(`not a PodSecurity rejection: ${message}`);
  const level = m[1] as PodSecurityLevel;
  const parts = m[3].split(new RegExp(`, (?=(?:${REASONS.join('|')})(?: \\(|,|$))`));
  const reasons = parts.map(part => {
    const r = /^(.*?)(?: \((.*)\))?$/.exec(part)!;
    return { reason: r[1], detail: r[2] ?? '', check: checkIdOf(r[1], level) };
  });
  return { level, version: m[2], reasons };
}

const RANK: Record<string, number> = { privileged: 0, baseline: 1, restricted: 2 };
const ENFORCED = [PodSecurityLevel.PRIVILEGED, PodSecurityLevel.BASELINE, PodSecurityLevel.RESTRICTED];
const sorted = (xs: string[]) => [...new Set(xs)].sort();

/** One judgement: admitted or not, the failing checks, and per check the containers named. */
interface Side {
  readonly admitted: boolean;
  readonly checks: string[];
  readonly containers: Record<string, string[]>;
}

interface Verdict {
  readonly label: string;
  readonly version: string;
  readonly level: PodSecurityLevel;
  /** PodSecurity.levelOf/violations on the synthesized workload. */
  readonly library: Side;
  /** PodSecurity.levelOfPodSpec/violationsOfPodSpec on the Pod as the server stored it (after defaulting). */
  readonly libraryOnStored: Side;
  readonly server: Side & { readonly message?: string };
  readonly hostNetwork: boolean;
}

/** Container names a detail names: `container "a"`, `containers "a", "b"`, `pod or container "a"`. */
function containersIn(detail: string): string[] {
  const out: string[] = [];
  for (const m of detail.matchAll(/containers? ((?:"[^"]+"(?:, | and )?)+)/g)) {
    for (const n of m[1].matchAll(/"([^"]+)"/g)) out.push(n[1]);
  }
  return out;
}

function side(admitted: boolean, pairs: Array<[string, string[]]>): Side {
  const containers: Record<string, string[]> = {};
  for (const [check, names] of pairs) containers[check] = sorted([...(containers[check] ?? []), ...names]);
  return { admitted, checks: sorted(pairs.map(([check]) => check)), containers };
}

function librarySide(level: PodSecurityLevel, strictest: PodSecurityLevel, violations: Array<{ check: string; container?: string }>): Side {
  return side(RANK[strictest] >= RANK[level], violations.map(v => [v.check, v.container ? [v.container] : []]));
}

/**
 * Creates every pod in the namespace with one `kubectl create --dry-run=server -o json`;
 * per pod name, the Pod as the server would store it (admitted) or the server's message (refused).
 */
function createPods(server: ApiServer, namespace: string, pods: any[]): Map<string, { stored?: any; message?: string }> {
  const r = server.kubectl(['create', '--dry-run=server', '-n', namespace, '-o', 'json', '-f', '-'],
    { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pods }) });
  const out = new Map<string, { stored?: any; message?: string }>();
  // kubectl prints one indented JSON document per created object; a line starting with '{' starts the next.
  for (const doc of r.stdout.split(/\n(?=\{)/).filter(d => d.trim())) {
    const printed = JSON.parse(doc);
    for (const pod of printed.kind === 'List' ? printed.items : [printed]) out.set(pod.metadata.name, { stored: pod });
  }
  for (const line of r.stderr.split('\n').filter(l => l.trim())) {
    const m = /^Error from server \(Forbidden\): error when creating "STDIN": pods "([^"]+)" is forbidden: (.*)$/.exec(line.trim());
    if (!m) throw new Error(`unexpected kubectl error line (not a PodSecurity rejection): ${line}`);
    out.set(m[1], { message: m[2] });
  }
  const missing = pods.map(p => p.metadata.name).filter(n => !out.has(n));
  if (missing.length > 0) throw new Error(`kubectl said nothing about ${missing.join(', ')}:\n${r.stderr}`);
  return out;
}

const essence = (x: Side) => JSON.stringify({
  admitted: x.admitted, checks: x.checks, containers: Object.keys(x.containers).sort().map(k => [k, x.containers[k]]),
});
const differs = (a: Side, b: Side) => essence(a) !== essence(b);

describeWithServer('the library\'s Pod Security verdicts equal kube-apiserver\'s PodSecurity admission', server => {
  const built: Array<{ label: string; pod: any; workload: ApiObject }> = [];
  const refused: string[] = [];
  for (const config of configs()) {
    try {
      const workload = build(config);
      built.push({ label: config.label, workload, pod: asPod(workload.toJson(), `p-${built.length}`) });
    } catch (e) {
      refused.push(`${config.label}: ${(e as Error).message.split('\n')[0]}`);
    }
  }

  test.each(VERSIONS)('at enforce-version %s: admitted iff levelOf allows the level, rejected for exactly the violations', version => {
    // GIVEN
    const suffix = Math.random().toString(36).slice(2, 7);
    const verdicts: Verdict[] = [];
    let stored = new Map<string, any>();
    for (const level of ENFORCED) {
      const namespace = `psa-${level}-${version.replace(/\./g, '-')}-${suffix}`;
      server().createNamespace(namespace, {
        'pod-security.kubernetes.io/enforce': level,
        'pod-security.kubernetes.io/enforce-version': version,
      });

      // WHEN
      const results = createPods(server(), namespace, built.map(b => b.pod));

      // THEN (collected)
      if (level === PodSecurityLevel.PRIVILEGED) {
        // Privileged admits everything, so it yields every Pod as stored (defaulted); compared below at each level.
        stored = new Map([...results].map(([name, r]) => [name, r.stored]));
      }
      const lib = library(version);
      for (const b of built) {
        const { message } = results.get(b.pod.metadata.name)!;
        const parsed = message === undefined ? undefined : parsePodSecurityMessage(message);
        if (parsed && (parsed.level !== level || parsed.version !== version)) {
          throw new Error(`${b.label}: rejected at ${parsed.level}:${parsed.version}, expected ${level}:${version}`);
        }
        const pod = stored.get(b.pod.metadata.name);
        if (!pod) throw new Error(`${b.label}: the privileged namespace did not admit it: ${message}`);
        verdicts.push({
          label: b.label,
          version,
          level,
          library: librarySide(level, lib.levelOf(b.workload), lib.violations(b.workload, level)),
          libraryOnStored: librarySide(level, lib.levelOfPodSpec(pod.spec, pod.metadata), lib.violationsOfPodSpec(pod.spec, level, pod.metadata)),
          server: { ...side(message === undefined, parsed?.reasons.map(r => [r.check, containersIn(r.detail)]) ?? []), message },
          hostNetwork: b.pod.spec.hostNetwork === true,
        });
      }
    }

    // THEN
    const rejected = verdicts.filter(v => !v.server.admitted);
    const wrongVerdict = verdicts.filter(v => v.library.admitted !== v.server.admitted);
    const wrongOnStored = verdicts.filter(v => differs(v.libraryOnStored, v.server));
    const differentReasons = verdicts.filter(v => differs(v.library, v.server));
    // The one difference between the workload as synthesized and the Pod as stored that PodSecurity reads:
    // with hostNetwork: true the server defaults each port's hostPort to its containerPort, so it also fails hostPorts.
    const hostPortDefaulting = (v: Verdict) => v.hostNetwork && !v.library.checks.includes('hostPorts')
      && !differs({ ...v.library, checks: sorted([...v.library.checks, 'hostPorts']), containers: { ...v.library.containers, hostPorts: v.server.containers.hostPorts } }, v.server);
    const unexplained = differentReasons.filter(v => !hostPortDefaulting(v));
    // eslint-disable-next-line no-console
    console.log(`PodSecurity ${version}: ${built.length} pods x ${ENFORCED.length} namespaces = ${verdicts.length} verdicts, `
      + `${rejected.length} rejections (${ENFORCED.map(l => `${l} ${rejected.filter(v => v.level === l).length}`).join(', ')}), `
      + `${refused.length} configurations refused by the library; ${wrongVerdict.length} wrong verdicts; `
      + `reasons: ${wrongOnStored.length} differ on the stored Pod, ${differentReasons.length} differ on the synthesized workload `
      + `(${differentReasons.length - unexplained.length} by hostPort defaulting under hostNetwork); `
      + `checks seen: ${sorted(rejected.flatMap(v => v.server.checks)).join(' ')}`);
    expect(built.length).toBeGreaterThanOrEqual(150);
    // The sample makes the server name every check that library options and the app variants can fail.
    expect(sorted(rejected.flatMap(v => v.server.checks))).toEqual(expect.arrayContaining([
      'allowPrivilegeEscalation', 'capabilities_baseline', 'capabilities_restricted', 'hostNamespaces', 'privileged',
      'runAsNonRoot', 'runAsUser', 'seccompProfile_restricted', 'sysctls',
    ]));
    expect(wrongVerdict).toEqual([]);
    expect(wrongOnStored).toEqual([]);
    expect(unexplained).toEqual([]);
    // The sample reaches every level, so both admissions and rejections were judged at baseline and restricted.
    for (const level of [PodSecurityLevel.BASELINE, PodSecurityLevel.RESTRICTED]) {
      expect(rejected.filter(v => v.level === level).length).toBeGreaterThan(0);
      expect(verdicts.filter(v => v.level === level && v.server.admitted).length).toBeGreaterThan(0);
    }
    expect(verdicts.filter(v => v.level === PodSecurityLevel.PRIVILEGED).every(v => v.server.admitted)).toBe(true);
  }, 300_000);

  test('the server defaults hostPort to containerPort under hostNetwork (why hostPorts can differ above)', () => {
    // GIVEN
    const namespace = `hostport-${Math.random().toString(36).slice(2, 7)}`;
    server().createNamespace(namespace);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'h' }, spec: { hostNetwork: true, containers: [{ name: 'main', image: 'x', ports: [{ containerPort: 8080 }] }] } };

    // WHEN
    const r = server().kubectl(['create', '--dry-run=server', '-n', namespace, '-o', 'json', '-f', '-'], { input: JSON.stringify(pod) });

    // THEN
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).spec.containers[0].ports[0]).toEqual(expect.objectContaining({ containerPort: 8080, hostPort: 8080 }));
  });
});
