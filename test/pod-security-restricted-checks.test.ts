import { PodSecurityLevel } from '../src';
import { errorOf } from './support/errors';
import { podSecurityLevel, podSecurityViolations } from '../src/pod-security/evaluator/checks';

/*
 * The restricted checks of the Pod Security Standards on crafted pod specs
 * (plain JSON), as k8s.io/pod-security-admission v0.37.2 evaluates them
 * (policy/check_*.go): which field fails, in which container, with which
 * value, and at which policy versions. Pod-level settings against
 * container-level ones; init and ephemeral containers count as regular ones;
 * null counts as unset, as when the API server decodes it.
 */

const R = PodSecurityLevel.RESTRICTED;
const B = PodSecurityLevel.BASELINE;

/** The security context that satisfies every restricted check on its own. */
const RESTRICTED_SC = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
};

/** A container named `name` that satisfies restricted, with `sc` over its security context. */
function container(name: string, sc: object = {}): any {
  return { name, image: 'registry.example/app:1', securityContext: { ...RESTRICTED_SC, ...sc } };
}

/** The violations of one check when evaluating restricted at `version`. */
function restrictedViolationsOf(check: string, spec: any, version = 'latest') {
  return podSecurityViolations(spec, {}, R, version).filter(v => v.check === check);
}

const VOLUME_TYPES_ALLOWED = 'configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret';
const SECCOMP_ALLOWED = 'only RuntimeDefault and Localhost are allowed';

describe('allowPrivilegeEscalation', () => {
  test('only an explicit false passes; unset, null and true fail, in init, regular and ephemeral containers alike', () => {
    // GIVEN
    const spec = {
      initContainers: [{ name: 'setup', image: 'x' }],
      containers: [
        container('esc', { allowPrivilegeEscalation: true }),
        container('ok'),
        container('nulled', { allowPrivilegeEscalation: null }),
      ],
      ephemeralContainers: [{ name: 'dbg', image: 'x', securityContext: {} }],
    };

    // WHEN
    const violations = restrictedViolationsOf('allowPrivilegeEscalation', spec);

    // THEN
    const ape = (name: string, list: string, value: string) => ({
      level: R,
      check: 'allowPrivilegeEscalation',
      container: name,
      containerField: 'securityContext.allowPrivilegeEscalation',
      field: `spec.${list}[${name}].securityContext.allowPrivilegeEscalation`,
      value,
      message: `Container '${name}' must set securityContext.allowPrivilegeEscalation=false.`,
    });
    expect(violations).toEqual([
      ape('setup', 'initContainers', '(unset)'),
      ape('esc', 'containers', 'true'),
      ape('nulled', 'containers', '(unset)'),
      ape('dbg', 'ephemeralContainers', '(unset)'),
    ]);
  });
});

describe('Windows pods (spec.os.name: windows)', () => {
  /** A Windows pod that sets none of the Linux-only fields, but is non-root. */
  const windowsPod = (os: string) => ({
    os: { name: os },
    securityContext: { runAsNonRoot: true },
    containers: [{ name: 'win', image: 'x' }],
  });

  test('up to v1.24 a Windows pod must still set allowPrivilegeEscalation, drop ALL and a seccomp profile', () => {
    // WHEN
    const violations = podSecurityViolations(windowsPod('windows'), {}, R, 'v1.24');

    // THEN
    expect(violations.map(v => [v.check, v.container, v.containerField, v.value])).toEqual([
      ['allowPrivilegeEscalation', 'win', 'securityContext.allowPrivilegeEscalation', '(unset)'],
      ['capabilities_restricted', 'win', 'securityContext.capabilities.drop', '(unset)'],
      ['seccompProfile_restricted', 'win', 'securityContext.seccompProfile.type', '(unset)'],
    ]);
    expect(podSecurityLevel(windowsPod('windows'), {}, 'v1.24')).toBe(B);
  });

  test('from v1.25 those three checks pass a Windows pod, which is then restricted', () => {
    for (const version of ['v1.25', 'latest']) {
      expect(podSecurityViolations(windowsPod('windows'), {}, R, version)).toEqual([]);
      expect(podSecurityLevel(windowsPod('windows'), {}, version)).toBe(R);
    }
  });

  test('from v1.25 a Windows pod must still be non-root: runAsNonRoot is not exempt', () => {
    // GIVEN
    const spec = { ...windowsPod('windows'), securityContext: {} };

    // THEN
    expect(podSecurityViolations(spec, {}, R, 'v1.25').map(v => [v.check, v.container])).toEqual([['runAsNonRoot', 'win']]);
  });

  test('only the os name windows is exempt: a Linux pod, or one with no os, fails at v1.25', () => {
    for (const spec of [windowsPod('linux'), { ...windowsPod('windows'), os: undefined }, { ...windowsPod('windows'), os: { name: '' } }]) {
      expect(podSecurityViolations(spec, {}, R, 'v1.25').map(v => v.check)).toEqual([
        'allowPrivilegeEscalation', 'capabilities_restricted', 'seccompProfile_restricted',
      ]);
    }
  });
});

describe('capabilities_restricted', () => {
  test('every container must drop ALL: no capabilities, no drop, or a drop list without ALL fails, with the list as the value', () => {
    // GIVEN
    const spec = {
      containers: [
        { name: 'nosc', image: 'x' },
        container('nocaps', { capabilities: undefined }),
        container('emptycaps', { capabilities: {} }),
        container('nullcaps', { capabilities: null }),
        container('some', { capabilities: { drop: ['NET_RAW', 'CHOWN'] } }),
        container('lower', { capabilities: { drop: ['all'] } }),
        container('all', { capabilities: { drop: ['NET_RAW', 'ALL'] } }),
      ],
    };

    // WHEN
    const violations = restrictedViolationsOf('capabilities_restricted', spec);

    // THEN
    const drop = (name: string, value: string) => ({
      level: R,
      check: 'capabilities_restricted',
      container: name,
      containerField: 'securityContext.capabilities.drop',
      field: `spec.containers[${name}].securityContext.capabilities.drop`,
      value,
      message: `Container '${name}' must set securityContext.capabilities.drop=["ALL"].`,
    });
    expect(violations).toEqual([
      drop('nosc', '(unset)'),
      drop('nocaps', '(unset)'),
      drop('emptycaps', '(unset)'),
      drop('nullcaps', '(unset)'),
      drop('some', '["NET_RAW","CHOWN"]'),
      drop('lower', '["all"]'),
    ]);
  });

  test('only NET_BIND_SERVICE may be added back: each other added capability is one violation', () => {
    // GIVEN
    const spec = {
      securityContext: { runAsNonRoot: true },
      initContainers: [container('setup', { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE', 'CHOWN'] } })],
      containers: [container('web', { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } })],
      ephemeralContainers: [container('dbg', { capabilities: { drop: ['ALL'], add: ['NET_RAW', 'SYS_PTRACE'] } })],
    };

    // WHEN
    const violations = podSecurityViolations(spec, {}, R, 'latest');

    // THEN
    const add = (name: string, list: string, cap: string) => ({
      level: R,
      check: 'capabilities_restricted',
      container: name,
      containerField: 'securityContext.capabilities.add',
      field: `spec.${list}[${name}].securityContext.capabilities.add`,
      value: cap,
      message: `Container '${name}' adds ${cap}; restricted allows adding only NET_BIND_SERVICE.`,
    });
    expect(violations).toEqual([
      add('setup', 'initContainers', 'CHOWN'),
      add('dbg', 'ephemeralContainers', 'NET_RAW'),
      add('dbg', 'ephemeralContainers', 'SYS_PTRACE'),
    ]);
    expect(podSecurityLevel({ containers: [spec.containers[0]] }, {}, 'latest')).toBe(R);
  });

  test('from v1.22 capabilities_restricted replaces capabilities_baseline at restricted; before, baseline reports NET_RAW', () => {
    // GIVEN
    const spec = { containers: [container('app', { capabilities: { drop: ['ALL'], add: ['NET_RAW'] } })] };

    // THEN
    expect(podSecurityViolations(spec, {}, R, 'v1.21').map(v => [v.check, v.value])).toEqual([['capabilities_baseline', 'NET_RAW']]);
    expect(podSecurityViolations(spec, {}, R, 'v1.22').map(v => [v.check, v.value])).toEqual([['capabilities_restricted', 'NET_RAW']]);
  });
});

describe('restrictedVolumes', () => {
  test('volumes of an allowed type pass restricted', () => {
    // GIVEN
    const spec = {
      containers: [container('app')],
      volumes: [
        { name: 'cm', configMap: { name: 'c' } }, { name: 'csi', csi: { driver: 'd' } }, { name: 'dapi', downwardAPI: {} },
        { name: 'tmp', emptyDir: {} }, { name: 'eph', ephemeral: {} }, { name: 'img', image: { reference: 'x' } },
        { name: 'pvc', persistentVolumeClaim: { claimName: 'c' } }, { name: 'proj', projected: {} }, { name: 's', secret: {} },
      ],
    };

    // THEN
    expect(podSecurityLevel(spec, {}, 'latest')).toBe(R);
  });

  test('a hostPath, nfs or unknown volume is refused by name and type; a null source counts as unset', () => {
    // GIVEN
    const spec = {
      containers: [container('app')],
      volumes: [
        { name: 'cm', configMap: { name: 'c' } },
        { name: 'host', hostPath: { path: '/var/log' } },
        { name: 'share', nfs: { server: 'nfs.example', path: '/export' } },
        { name: 'mystery' },
        { name: 'nulled', configMap: null, gcePersistentDisk: { pdName: 'd' } },
      ],
    };

    // WHEN
    const violations = podSecurityViolations(spec, {}, R, 'latest');

    // THEN the Pod's volumes, not a container's; hostPath too is reported by restrictedVolumes (it replaces hostPathVolumes)
    const volume = (name: string, fieldTail: string, type: string) => ({
      level: R,
      check: 'restrictedVolumes',
      field: `spec.volumes[${name}]${fieldTail}`,
      value: type,
      message: `Volume '${name}' is of type ${type}; restricted allows only ${VOLUME_TYPES_ALLOWED}.`,
    });
    expect(violations).toEqual([
      volume('host', '.hostPath', 'hostPath'),
      volume('share', '.nfs', 'nfs'),
      volume('mystery', '', 'unknown'),
      volume('nulled', '.gcePersistentDisk', 'gcePersistentDisk'),
    ]);
    expect(violations.every(v => v.container === undefined && v.containerField === undefined)).toBe(true);
    expect(podSecurityLevel(spec, {}, 'latest')).toBe(PodSecurityLevel.PRIVILEGED);
  });

  test('a volume whose name is null reads as the empty name, as Go decodes it', () => {
    // GIVEN
    const spec = { containers: [container('app')], volumes: [{ name: null, awsElasticBlockStore: { volumeID: 'v' } }] };

    // THEN
    expect(podSecurityViolations(spec, {}, R, 'latest')).toEqual([{
      level: R,
      check: 'restrictedVolumes',
      field: 'spec.volumes[].awsElasticBlockStore',
      value: 'awsElasticBlockStore',
      message: `Volume '' is of type awsElasticBlockStore; restricted allows only ${VOLUME_TYPES_ALLOWED}.`,
    }]);
  });
});

describe('runAsNonRoot', () => {
  const explicitContainer = (name: string, list = 'containers') => ({
    level: R,
    check: 'runAsNonRoot',
    container: name,
    containerField: 'securityContext.runAsNonRoot',
    field: `spec.${list}[${name}].securityContext.runAsNonRoot`,
    value: 'false',
    message: `Container '${name}' must not set securityContext.runAsNonRoot=false.`,
  });
  const implicitContainer = (name: string, list = 'containers') => ({
    level: R,
    check: 'runAsNonRoot',
    container: name,
    containerField: 'securityContext.runAsNonRoot',
    field: `spec.${list}[${name}].securityContext.runAsNonRoot`,
    value: '(unset)',
    message: `The Pod or container '${name}' must set securityContext.runAsNonRoot=true.`,
  });

  test('set nowhere (or null): every container, init and ephemeral too, is reported as unset', () => {
    // GIVEN no security context on the Pod
    const spec = {
      initContainers: [container('setup', { runAsNonRoot: undefined })],
      containers: [container('app', { runAsNonRoot: null }), container('ok')],
      ephemeralContainers: [{ name: 'dbg', image: 'x' }],
    };

    // THEN
    expect(restrictedViolationsOf('runAsNonRoot', spec)).toEqual([
      implicitContainer('setup', 'initContainers'),
      implicitContainer('app'),
      implicitContainer('dbg', 'ephemeralContainers'),
    ]);
  });

  test('runAsNonRoot: true on the Pod covers the containers that do not set it; a container that sets false still fails', () => {
    // GIVEN
    const spec = {
      securityContext: { runAsNonRoot: true },
      containers: [container('inherits', { runAsNonRoot: undefined }), container('root', { runAsNonRoot: false })],
    };

    // THEN
    expect(restrictedViolationsOf('runAsNonRoot', spec)).toEqual([explicitContainer('root')]);
    expect(podSecurityLevel({ ...spec, containers: [spec.containers[0]] }, {}, 'latest')).toBe(R);
  });

  test('a container true wins over the Pod false for itself, but the Pod false is reported, with the explicit containers only', () => {
    // GIVEN
    const spec = {
      securityContext: { runAsNonRoot: false },
      initContainers: [container('setup', { runAsNonRoot: true })],
      containers: [container('inherits', { runAsNonRoot: undefined }), container('root', { runAsNonRoot: false })],
    };

    // THEN the unset container is not reported while a setter of false is
    expect(restrictedViolationsOf('runAsNonRoot', spec)).toEqual([
      {
        level: R,
        check: 'runAsNonRoot',
        field: 'spec.securityContext.runAsNonRoot',
        value: 'false',
        message: 'The Pod must not set securityContext.runAsNonRoot=false.',
      },
      explicitContainer('root'),
    ]);
  });

  test('an explicit false hides the containers that only leave it unset', () => {
    // GIVEN
    const spec = { containers: [container('unset', { runAsNonRoot: undefined }), container('root', { runAsNonRoot: false })] };

    // THEN
    expect(restrictedViolationsOf('runAsNonRoot', spec)).toEqual([explicitContainer('root')]);
  });

  test('hostUsers: false exempts runAsNonRoot from v1.35, not at v1.34', () => {
    // GIVEN
    const spec = { hostUsers: false, containers: [container('app', { runAsNonRoot: false })] };

    // THEN
    expect(restrictedViolationsOf('runAsNonRoot', spec, 'v1.34')).toEqual([explicitContainer('app')]);
    expect(restrictedViolationsOf('runAsNonRoot', spec, 'v1.35')).toEqual([]);
  });
});

describe('runAsUser', () => {
  test('runAsUser 0 fails on the Pod and on each container that sets it, whatever the other sets', () => {
    // GIVEN
    const spec = {
      securityContext: { runAsUser: 0 },
      initContainers: [container('setup', { runAsUser: 0 })],
      containers: [container('app', { runAsUser: 1000 })],
      ephemeralContainers: [container('dbg', { runAsUser: 0 })],
    };

    // WHEN
    const violations = podSecurityViolations(spec, {}, R, 'v1.23');

    // THEN
    const user0 = (name: string, list: string) => ({
      level: R,
      check: 'runAsUser',
      container: name,
      containerField: 'securityContext.runAsUser',
      field: `spec.${list}[${name}].securityContext.runAsUser`,
      value: '0',
      message: `Container '${name}' must not set runAsUser=0.`,
    });
    expect(violations).toEqual([
      { level: R, check: 'runAsUser', field: 'spec.securityContext.runAsUser', value: '0', message: 'The Pod must not set runAsUser=0.' },
      user0('setup', 'initContainers'),
      user0('dbg', 'ephemeralContainers'),
    ]);
  });

  test('a non-zero or unset user passes; the check exists from v1.23 only', () => {
    // GIVEN
    const root = { containers: [container('app', { runAsUser: 0 })] };
    const user = { securityContext: { runAsUser: 1000 }, containers: [container('app')] };

    // THEN
    expect(podSecurityLevel(root, {}, 'v1.22')).toBe(R);
    expect(podSecurityLevel(root, {}, 'v1.23')).toBe(B);
    expect(podSecurityLevel(user, {}, 'v1.23')).toBe(R);
  });
});

describe('seccompProfile_restricted', () => {
  const unsetContainer = (name: string, list = 'containers') => ({
    level: R,
    check: 'seccompProfile_restricted',
    container: name,
    containerField: 'securityContext.seccompProfile.type',
    field: `spec.${list}[${name}].securityContext.seccompProfile.type`,
    value: '(unset)',
    message: `The Pod or container '${name}' must set securityContext.seccompProfile.type to RuntimeDefault or Localhost.`,
  });
  const badContainer = (name: string, type: string) => ({
    level: R,
    check: 'seccompProfile_restricted',
    container: name,
    containerField: 'securityContext.seccompProfile.type',
    field: `spec.containers[${name}].securityContext.seccompProfile.type`,
    value: type,
    message: `Container '${name}' sets seccomp profile type ${type}; ${SECCOMP_ALLOWED}.`,
  });

  test('set nowhere (or null): every container is reported as unset', () => {
    // GIVEN
    const spec = {
      securityContext: { runAsNonRoot: true, seccompProfile: null },
      initContainers: [container('setup', { seccompProfile: undefined })],
      containers: [container('app', { seccompProfile: null })],
    };

    // THEN
    expect(podSecurityViolations(spec, {}, R, 'latest')).toEqual([unsetContainer('setup', 'initContainers'), unsetContainer('app')]);
  });

  test('RuntimeDefault or Localhost on the Pod covers the containers that do not set a profile', () => {
    for (const type of ['RuntimeDefault', 'Localhost']) {
      // GIVEN
      const spec = { securityContext: { seccompProfile: { type } }, containers: [container('app', { seccompProfile: undefined })] };

      // THEN
      expect(podSecurityLevel(spec, {}, 'latest')).toBe(R);
    }
  });

  test('a container Localhost or RuntimeDefault passes without the Pod; a container Unconfined fails even under a RuntimeDefault Pod', () => {
    // GIVEN
    const spec = {
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        container('local', { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } }),
        container('open', { seccompProfile: { type: 'Unconfined' } }),
      ],
    };

    // THEN
    expect(restrictedViolationsOf('seccompProfile_restricted', spec)).toEqual([badContainer('open', 'Unconfined')]);
    expect(podSecurityLevel({ containers: [spec.containers[0]] }, {}, 'latest')).toBe(R);
  });

  test('an explicit bad profile hides the containers that only leave it unset; a profile without a type is bad', () => {
    // GIVEN
    const spec = {
      containers: [
        container('unset', { seccompProfile: undefined }),
        container('open', { seccompProfile: { type: 'Unconfined' } }),
        container('typeless', { seccompProfile: {} }),
      ],
    };

    // THEN
    expect(restrictedViolationsOf('seccompProfile_restricted', spec)).toEqual([badContainer('open', 'Unconfined'), badContainer('typeless', '(unset)')]);
  });

  test('an Unconfined Pod is reported at the Pod, and the containers that set nothing are not', () => {
    // GIVEN
    const spec = {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'Unconfined' } },
      containers: [container('inherits', { seccompProfile: undefined }), container('own')],
    };

    // THEN
    expect(podSecurityViolations(spec, {}, R, 'latest')).toEqual([{
      level: R,
      check: 'seccompProfile_restricted',
      field: 'spec.securityContext.seccompProfile.type',
      value: 'Unconfined',
      message: `The Pod sets seccomp profile type Unconfined; ${SECCOMP_ALLOWED}.`,
    }]);
  });

  test('the check exists from v1.19: before, only baseline seccomp runs, which an unset profile passes', () => {
    // GIVEN
    const spec = { containers: [container('app', { seccompProfile: undefined })] };

    // THEN
    expect(podSecurityLevel(spec, {}, 'v1.18')).toBe(R);
    expect(restrictedViolationsOf('seccompProfile_restricted', spec, 'v1.19')).toEqual([unsetContainer('app')]);
  });
});

describe('profile types at baseline (seccomp and AppArmor fields)', () => {
  test('baseline refuses an Unconfined seccomp profile on the Pod and on a container, and an unset one passes', () => {
    // GIVEN
    const spec = {
      securityContext: { seccompProfile: { type: 'Unconfined' } },
      containers: [
        { name: 'open', image: 'x', securityContext: { seccompProfile: { type: 'Unconfined' } } },
        { name: 'plain', image: 'x' },
      ],
    };

    // THEN
    expect(podSecurityViolations(spec, {}, B, 'latest')).toEqual([
      {
        level: B,
        check: 'seccompProfile_baseline',
        field: 'spec.securityContext.seccompProfile.type',
        value: 'Unconfined',
        message: `The Pod sets seccomp profile type Unconfined; ${SECCOMP_ALLOWED}.`,
      },
      {
        level: B,
        check: 'seccompProfile_baseline',
        container: 'open',
        containerField: 'securityContext.seccompProfile.type',
        field: 'spec.containers[open].securityContext.seccompProfile.type',
        value: 'Unconfined',
        message: `Container 'open' sets seccomp profile type Unconfined; ${SECCOMP_ALLOWED}.`,
      },
    ]);
    expect(podSecurityLevel({ containers: [spec.containers[1]] }, {}, 'latest')).toBe(B);
  });

  test('baseline refuses an Unconfined AppArmor profile, and a null one counts as unset', () => {
    // GIVEN
    const spec = {
      securityContext: { appArmorProfile: null },
      containers: [{ name: 'open', image: 'x', securityContext: { appArmorProfile: { type: 'Unconfined' } } }],
    };

    // THEN
    expect(podSecurityViolations(spec, {}, B, 'latest')).toEqual([{
      level: B,
      check: 'appArmorProfile',
      container: 'open',
      containerField: 'securityContext.appArmorProfile.type',
      field: 'spec.containers[open].securityContext.appArmorProfile.type',
      value: 'Unconfined',
      message: `Container 'open' sets AppArmor profile type Unconfined; ${SECCOMP_ALLOWED}.`,
    }]);
  });
});

describe('what a pod spec is', () => {
  const NOT_A_POD_SPEC = (got: string) => `'podSpec' is not a pod spec: it must be an object with 'containers' (got ${got}). `
    + 'Pass the pod spec as JSON, for example { containers: [{ name: "app", image: "..." }] }.';

  test('a string, an array or null is not a pod spec, for the violations and for the level', () => {
    expect(errorOf(() => podSecurityViolations('nginx', {}, R, 'latest'))).toBe(NOT_A_POD_SPEC('"nginx"'));
    expect(errorOf(() => podSecurityViolations([{ name: 'app' }], {}, R, 'latest'))).toBe(NOT_A_POD_SPEC('[{"name":"app"}]'));
    expect(errorOf(() => podSecurityViolations(null, {}, R, 'latest'))).toBe(NOT_A_POD_SPEC('null'));
    expect(errorOf(() => podSecurityLevel(42, {}, 'latest'))).toBe(NOT_A_POD_SPEC('42'));
  });
});
