import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { KubernetesVersion, PodSecurity, PodSecurityLevel } from '../src';
import { errorOf } from './support/errors';
import { restrictedApp } from './support/pod-security-apps';
import { podSecurityLevel, podSecurityViolations } from '../src/pod-security/evaluator/checks';
import { CHECKS, checksAt, selectChecks } from '../src/pod-security/evaluator/registry';

const { PRIVILEGED, BASELINE, RESTRICTED } = PodSecurityLevel;

const APP = { name: 'app', image: 'nginxinc/nginx-unprivileged:1.27.3' };
const NOT_A_POD_SPEC = (got: string) => `'podSpec' is not a pod spec: it must be an object with 'containers' (got ${got}). `
  + 'Pass the pod spec as JSON, for example { containers: [{ name: "app", image: "..." }] }.';
const NOT_A_POLICY_VERSION = (got: string) => `'version' is not a Pod Security policy version (got ${got}). `
  + "Pass 'latest' or 'v1.<minor>', as in the label pod-security.kubernetes.io/enforce-version.";

/** A pod that breaks nothing but the restricted rules added over the versions: only runAsNonRoot is set. */
function nonRootPod(): any {
  return { securityContext: { runAsNonRoot: true }, containers: [{ ...APP }] };
}

/** A pod with a sysctl that baseline allows only from v1.37. */
function newestSysctlPod(): any {
  return { containers: [{ ...APP }], securityContext: { sysctls: [{ name: 'net.ipv4.tcp_slow_start_after_idle', value: '0' }] } };
}

/**
 * A pod that breaks each baseline check a restricted check replaces
 * (capabilities, hostPath, seccomp, procMount) and no other rule.
 */
function overriddenPod(): any {
  return {
    volumes: [{ name: 'host', hostPath: { path: '/var/run' } }],
    containers: [{
      ...APP,
      securityContext: {
        allowPrivilegeEscalation: false,
        runAsNonRoot: true,
        procMount: 'Unmasked',
        capabilities: { drop: ['ALL'], add: ['NET_RAW'] },
        seccompProfile: { type: 'Unconfined' },
      },
    }],
  };
}

const checkIds = (violations: Array<{ check: string }>) => violations.map(v => v.check);

describe('the evaluator refuses what is not a pod spec or not a version', () => {
  test.each<[string, unknown, string]>([
    ['null', null, 'null'],
    ['a string', 'nginx', '"nginx"'],
    ['a list of containers', [{ name: 'app' }], '[{"name":"app"}]'],
  ])('a pod spec that is %s is an error that names it', (_what, podSpec, shown) => {
    expect(errorOf(() => podSecurityViolations(podSpec, undefined, BASELINE, 'latest'))).toBe(NOT_A_POD_SPEC(shown));
    expect(errorOf(() => podSecurityLevel(podSpec, undefined, 'latest'))).toBe(NOT_A_POD_SPEC(shown));
  });

  test.each<[unknown, string]>([
    ['v1.x', '"v1.x"'],
    ['1.35', '"1.35"'],
    ['v1.035', '"v1.035"'],
    ['Latest', '"Latest"'],
    // A list holding a version is not a version, though it prints as one.
    [['v1.30'], '["v1.30"]'],
    [30, '30'],
  ])('the version %p is an error that names it', (version, shown) => {
    expect(errorOf(() => podSecurityViolations(nonRootPod(), undefined, RESTRICTED, version as string))).toBe(NOT_A_POLICY_VERSION(shown));
    expect(errorOf(() => podSecurityLevel(nonRootPod(), undefined, version as string))).toBe(NOT_A_POLICY_VERSION(shown));
  });

  test('a list holding a version is refused as an option too', () => {
    // WHEN
    const error = errorOf(() => PodSecurity.levelOfPodSpec(nonRootPod(), undefined, { version: ['v1.30'] as any }));

    // THEN
    expect(error).toBe("'version' is not a Pod Security policy version (got [\"v1.30\"]). "
      + "Write it as the label pod-security.kubernetes.io/enforce-version does: 'latest' or 'v1.35' (v1.23 to v1.37).");
  });
});

describe('version gates, at the version before and at the gate', () => {
  test('restricted grows: allowPrivilegeEscalation from v1.8, seccomp from v1.19, capabilities from v1.22', () => {
    // GIVEN
    const at = (version: string) => checkIds(podSecurityViolations(nonRootPod(), undefined, RESTRICTED, version));

    // THEN
    expect(at('v1.0')).toEqual([]);
    expect(at('v1.7')).toEqual([]);
    expect(at('v1.8')).toEqual(['allowPrivilegeEscalation']);
    expect(at('v1.18')).toEqual(['allowPrivilegeEscalation']);
    expect(at('v1.19')).toEqual(['allowPrivilegeEscalation', 'seccompProfile_restricted']);
    expect(at('v1.21')).toEqual(['allowPrivilegeEscalation', 'seccompProfile_restricted']);
    expect(at('v1.22')).toEqual(['allowPrivilegeEscalation', 'capabilities_restricted', 'seccompProfile_restricted']);
    expect([podSecurityLevel(nonRootPod(), undefined, 'v1.0'), podSecurityLevel(nonRootPod(), undefined, 'v1.7'),
      podSecurityLevel(nonRootPod(), undefined, 'v1.8')]).toEqual([RESTRICTED, RESTRICTED, BASELINE]);
  });

  test('v1.37 is a version the library knows: a tcp_slow_start_after_idle sysctl is refused by baseline at v1.36 and allowed at v1.37', () => {
    // GIVEN
    const at = (version: string) => PodSecurity.levelOfPodSpec(newestSysctlPod(), undefined, { version });

    // THEN
    expect(at('v1.36')).toBe(PRIVILEGED);
    expect(at('v1.37')).toBe(BASELINE);
    expect(PodSecurity.violationsOfPodSpec(newestSysctlPod(), BASELINE, undefined, { version: 'v1.37' })).toEqual([]);
    expect(PodSecurity.violationsOfPodSpec(newestSysctlPod(), BASELINE, undefined, { version: 'v1.36' }).map(v => [v.check, v.field, v.value]))
      .toEqual([['sysctls', 'spec.securityContext.sysctls[net.ipv4.tcp_slow_start_after_idle]', 'net.ipv4.tcp_slow_start_after_idle']]);
  });

  test('latest and versions beyond the newest known evaluate as the newest', () => {
    // GIVEN
    const levelAt = (version: string) => podSecurityLevel(newestSysctlPod(), undefined, version);
    const violationsAt = (version: string) => podSecurityViolations(newestSysctlPod(), undefined, BASELINE, version);

    // THEN
    expect([levelAt('latest'), levelAt('v1.38'), levelAt('v1.99')]).toEqual([BASELINE, BASELINE, BASELINE]);
    expect([violationsAt('latest'), violationsAt('v1.38'), violationsAt('v1.99')]).toEqual([[], [], []]);
    expect(PodSecurity.levelOfPodSpec(newestSysctlPod())).toBe(BASELINE);
  });
});

describe('restricted runs the restricted checks and the baseline checks they do not replace', () => {
  test('each replaced baseline check is reported once, by the restricted check that replaces it', () => {
    // GIVEN
    const pod = overriddenPod();
    const at = (level: PodSecurityLevel, version: string) =>
      PodSecurity.violationsOfPodSpec(pod, level, undefined, { version }).map(v => [v.check, v.containerField ?? v.field, v.value]);

    // THEN baseline reports them by its own checks
    expect(at(BASELINE, 'v1.35')).toEqual([
      ['capabilities_baseline', 'securityContext.capabilities.add', 'NET_RAW'],
      ['hostPathVolumes', 'spec.volumes[host].hostPath', '/var/run'],
      ['procMount', 'securityContext.procMount', 'Unmasked'],
      ['seccompProfile_baseline', 'securityContext.seccompProfile.type', 'Unconfined'],
    ]);
    // THEN restricted reports each once, by the restricted check (baseline ids first, then restricted ones)
    expect(at(RESTRICTED, 'v1.35')).toEqual([
      ['capabilities_restricted', 'securityContext.capabilities.add', 'NET_RAW'],
      ['procMount_restricted', 'securityContext.procMount', 'Unmasked'],
      ['restrictedVolumes', 'spec.volumes[host].hostPath', 'hostPath'],
      ['seccompProfile_restricted', 'securityContext.seccompProfile.type', 'Unconfined'],
    ]);
  });

  test('before v1.35 no restricted check replaces procMount: restricted reports it by the baseline check', () => {
    // WHEN
    const violations = PodSecurity.violationsOfPodSpec(overriddenPod(), RESTRICTED, undefined, { version: 'v1.34' });

    // THEN
    expect(checkIds(violations)).toEqual(['procMount', 'capabilities_restricted', 'restrictedVolumes', 'seccompProfile_restricted']);
    expect(violations.find(v => v.check === 'procMount')?.level).toBe(BASELINE);
  });

  test('a baseline check no restricted check replaces is reported once at restricted', () => {
    // GIVEN
    const pod = { ...overriddenPod(), hostNetwork: true };
    delete pod.volumes;
    delete pod.containers[0].securityContext.procMount;

    // WHEN
    const violations = PodSecurity.violationsOfPodSpec(pod, RESTRICTED);

    // THEN
    expect(checkIds(violations)).toEqual(['hostNamespaces', 'capabilities_restricted', 'seccompProfile_restricted']);
  });

  test('privileged reports nothing, even for a pod that breaks baseline and restricted', () => {
    // GIVEN
    const pod = { ...overriddenPod(), hostNetwork: true };

    // THEN
    expect(PodSecurity.violationsOfPodSpec(pod, PRIVILEGED)).toEqual([]);
    expect(podSecurityViolations(pod, undefined, PRIVILEGED, 'v1.0')).toEqual([]);
    expect(PodSecurity.levelOfPodSpec(pod)).toBe(PRIVILEGED);
  });
});

describe('the selection of checks for a level and a version', () => {
  test('is computed once: asking again for the same level and version gives the same list', () => {
    expect(checksAt(RESTRICTED, 30)).toBe(checksAt(RESTRICTED, 30));
    expect(checksAt(BASELINE, 30)).toBe(checksAt(BASELINE, 30));
    // versions beyond the newest rules share the newest selection
    expect(checksAt(BASELINE, 99)).toBe(checksAt(BASELINE, 37));
  });

  test('runs in the official order, baseline ids sorted then restricted ids sorted, whatever the order of the table', () => {
    // GIVEN a table in no particular order
    const shuffled = [...CHECKS].sort((a, b) => (a.id.length - b.id.length) || (a.id < b.id ? 1 : -1));

    // THEN
    expect(selectChecks(shuffled, BASELINE, 37).map(c => c.id)).toEqual([
      'appArmorProfile', 'capabilities_baseline', 'hostNamespaces', 'hostPathVolumes', 'hostPorts', 'hostProbesAndHostLifecycle',
      'privileged', 'procMount', 'seLinuxOptions', 'seccompProfile_baseline', 'sysctls', 'windowsHostProcess',
    ]);
    expect(selectChecks(shuffled, RESTRICTED, 37).map(c => c.id)).toEqual([
      'appArmorProfile', 'hostNamespaces', 'hostPorts', 'hostProbesAndHostLifecycle', 'privileged', 'seLinuxOptions', 'sysctls',
      'windowsHostProcess', 'allowPrivilegeEscalation', 'capabilities_restricted', 'procMount_restricted', 'restrictedVolumes',
      'runAsNonRoot', 'runAsUser', 'seccompProfile_restricted',
    ]);
  });

  test('as in policy/registry.go, only restricted checks replace baseline ones', () => {
    // GIVEN a baseline check that names another as replaced
    const table = CHECKS.map(c => c.id === 'hostPorts' ? { ...c, versions: c.versions.map(v => ({ ...v, overrides: ['privileged'] })) } : c);

    // THEN restricted still runs the baseline check 'privileged'
    expect(selectChecks(table, RESTRICTED, 37).map(c => c.id)).toContain('privileged');
  });
});

describe('the version a namespace is evaluated at', () => {
  /** The enforced level of a restricted app in namespace `shop`, labelled with `labels`, in a cluster of `cluster` when given. */
  function enforcedIn(labels: Record<string, string>, cluster?: KubernetesVersion) {
    const app = Testing.app();
    new kplus.Namespace(new Chart(app, 'cluster'), 'shop', { metadata: { name: 'shop', labels } });
    const chart = new Chart(app, 'web', { namespace: 'shop' });
    if (cluster !== undefined) KubernetesVersion.set(chart, cluster);
    return PodSecurity._enforcedLevel(ApiObject.of(restrictedApp(chart, 'web')));
  }

  test('a valid enforce-version label is taken as it is, with no note', () => {
    expect(enforcedIn({ [PodSecurity.ENFORCE_LABEL]: 'baseline', [PodSecurity.ENFORCE_VERSION_LABEL]: 'v1.29' })).toEqual({
      level: BASELINE,
      version: 'v1.29',
      source: 'Namespace shop via label pod-security.kubernetes.io/enforce',
    });
  });

  test('a cluster of version 1.37 evaluates latest as v1.37, and older versions as themselves', () => {
    expect(enforcedIn({ [PodSecurity.ENFORCE_LABEL]: 'restricted', [PodSecurity.ENFORCE_VERSION_LABEL]: 'latest' }, KubernetesVersion.V1_37))
      .toEqual({ level: RESTRICTED, version: 'v1.37', source: 'Namespace shop via label pod-security.kubernetes.io/enforce' });
    expect(enforcedIn({ [PodSecurity.ENFORCE_LABEL]: 'restricted' }, KubernetesVersion.V1_37)?.version).toBe('v1.37');
    expect(enforcedIn({ [PodSecurity.ENFORCE_LABEL]: 'restricted', [PodSecurity.ENFORCE_VERSION_LABEL]: 'v1.36' }, KubernetesVersion.V1_37)?.version)
      .toBe('v1.36');
  });

  test('a cluster evaluates a label newer than itself as its own version, also when it is the newest known', () => {
    // GIVEN a label beyond the newest rules (Kubernetes accepts any v1.<minor>)
    const label = { [PodSecurity.ENFORCE_LABEL]: 'restricted', [PodSecurity.ENFORCE_VERSION_LABEL]: 'v1.99' };
    // THEN each cluster evaluates it at its own version
    expect(enforcedIn(label, KubernetesVersion.V1_37)?.version).toBe('v1.37');
    expect(enforcedIn(label, KubernetesVersion.V1_36)?.version).toBe('v1.36');
  });

  test('a cluster of version 1.36 evaluates latest and v1.37 as v1.36', () => {
    expect(enforcedIn({ [PodSecurity.ENFORCE_LABEL]: 'restricted', [PodSecurity.ENFORCE_VERSION_LABEL]: 'latest' }, KubernetesVersion.V1_36)?.version)
      .toBe('v1.36');
    expect(enforcedIn({ [PodSecurity.ENFORCE_LABEL]: 'restricted', [PodSecurity.ENFORCE_VERSION_LABEL]: 'v1.37' }, KubernetesVersion.V1_36)?.version)
      .toBe('v1.36');
  });
});
