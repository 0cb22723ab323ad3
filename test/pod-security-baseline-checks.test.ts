import { PodSecurityLevel } from '../src';
import { podSecurityLevel, podSecurityViolations } from '../src/pod-security/evaluator/checks';

/*
 * The baseline checks of the Pod Security Standards, one crafted pod spec
 * (plain JSON) per fact: the exact violations each check reports (check id,
 * field, container, value, message) and the level the pod gets, with the
 * allowed values next to the refused ones and the rule changes on both sides
 * of their version gates (k8s.io/pod-security-admission v0.37.2,
 * policy/check_*.go).
 */

const BASELINE = PodSecurityLevel.BASELINE;
const IMAGE = 'registry.example.com/team/app:1';
const APPARMOR = 'container.apparmor.security.beta.kubernetes.io/';
const SECCOMP_POD = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER = 'container.seccomp.security.alpha.kubernetes.io/';

/** A container named `name` with `extra` fields. */
function container(name: string, extra: Record<string, unknown> = {}) {
  return { name, image: IMAGE, ...extra };
}

/** A pod spec with one container `app` whose securityContext is `sc`, plus `extra` pod spec fields. */
function appWith(sc: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}) {
  return { containers: [container('app', sc === undefined ? {} : { securityContext: sc })], ...extra };
}

/** What evaluating baseline at `version` reports for the pod. */
function baseline(spec: unknown, version = 'latest', metadata: unknown = {}) {
  return podSecurityViolations(spec, metadata, BASELINE, version);
}

/** A violation in the Pod outside its containers. */
function podViolation(check: string, field: string, value: string, message: string) {
  return { level: BASELINE, check, field, value, message };
}

/** A violation in container `name` of spec.containers. */
function appViolation(check: string, name: string, containerField: string, value: string, message: string) {
  return { level: BASELINE, check, container: name, containerField, field: `spec.containers[${name}].${containerField}`, value, message };
}

describe('hostNamespaces', () => {
  test('each host namespace set to true is refused on its own field', () => {
    // GIVEN a pod sharing all three host namespaces
    const spec = appWith(undefined, { hostNetwork: true, hostPID: true, hostIPC: true });

    // THEN
    expect(baseline(spec)).toEqual([
      podViolation('hostNamespaces', 'spec.hostNetwork', 'true', "The Pod sets hostNetwork: true; it must not share the host's namespaces."),
      podViolation('hostNamespaces', 'spec.hostPID', 'true', "The Pod sets hostPID: true; it must not share the host's namespaces."),
      podViolation('hostNamespaces', 'spec.hostIPC', 'true', "The Pod sets hostIPC: true; it must not share the host's namespaces."),
    ]);
    expect(podSecurityLevel(spec, {}, 'latest')).toBe(PodSecurityLevel.PRIVILEGED);
  });

  test.each(['hostPID', 'hostIPC'])('%s alone makes the pod privileged', key => {
    const spec = appWith(undefined, { [key]: true });
    expect(baseline(spec).map(v => v.field)).toEqual([`spec.${key}`]);
    expect(podSecurityLevel(spec, {}, 'latest')).toBe(PodSecurityLevel.PRIVILEGED);
  });

  test('host namespaces set to false are allowed by baseline', () => {
    const spec = appWith(undefined, { hostNetwork: false, hostPID: false, hostIPC: false });
    expect(baseline(spec)).toEqual([]);
    expect(podSecurityLevel(spec, {}, 'latest')).toBe(PodSecurityLevel.BASELINE);
  });
});

describe('privileged', () => {
  test('a privileged container is refused', () => {
    const spec = appWith({ privileged: true });
    expect(baseline(spec)).toEqual([
      appViolation('privileged', 'app', 'securityContext.privileged', 'true',
        "Container 'app' is privileged; it must not set securityContext.privileged=true."),
    ]);
    expect(podSecurityLevel(spec, {}, 'latest')).toBe(PodSecurityLevel.PRIVILEGED);
  });

  test('privileged: false is allowed by baseline', () => {
    expect(baseline(appWith({ privileged: false }))).toEqual([]);
  });
});

describe('hostPathVolumes', () => {
  test('a hostPath volume is refused, named with its path; other volumes are not', () => {
    // GIVEN a hostPath volume next to an emptyDir
    const spec = appWith(undefined, { volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }, { name: 'cache', emptyDir: {} }] });

    // THEN
    expect(baseline(spec)).toEqual([
      podViolation('hostPathVolumes', 'spec.volumes[logs].hostPath', '/var/log', "Volume 'logs' is a hostPath volume, which baseline forbids."),
    ]);
    expect(podSecurityLevel(spec, {}, 'latest')).toBe(PodSecurityLevel.PRIVILEGED);
  });

  test('a hostPath without a path is refused too, with the value (unset)', () => {
    expect(baseline(appWith(undefined, { volumes: [{ name: 'host', hostPath: {} }] }))).toEqual([
      podViolation('hostPathVolumes', 'spec.volumes[host].hostPath', '(unset)', "Volume 'host' is a hostPath volume, which baseline forbids."),
    ]);
  });

  test('a null volume entry is no hostPath (the API server decodes it as an empty volume)', () => {
    const spec = appWith(undefined, { volumes: [null, { name: 'cache', emptyDir: {} }] });
    expect(baseline(spec)).toEqual([]);
  });
});

describe('hostPorts', () => {
  test('a hostPort of 8080 is refused, a hostPort of 0 or none is allowed', () => {
    // GIVEN three ports: a host port, hostPort 0 and no hostPort
    const spec = appWith(undefined);
    spec.containers[0] = container('app', {
      ports: [{ containerPort: 8080, hostPort: 8080 }, { containerPort: 9090, hostPort: 0 }, { containerPort: 7070 }],
    });

    // THEN only the first one is reported
    expect(baseline(spec)).toEqual([
      appViolation('hostPorts', 'app', 'ports[8080].hostPort', '8080', "Container 'app' uses hostPort 8080; hostPort must be unset or 0."),
    ]);
    expect(podSecurityLevel(spec, {}, 'latest')).toBe(PodSecurityLevel.PRIVILEGED);
  });

  test('a hostPort of 0 is allowed by baseline', () => {
    const spec = { containers: [container('app', { ports: [{ containerPort: 8080, hostPort: 0 }] })] };
    expect(baseline(spec)).toEqual([]);
    expect(podSecurityLevel(spec, {}, 'latest')).toBe(PodSecurityLevel.BASELINE);
  });

  test('a null port entry has no hostPort', () => {
    expect(baseline({ containers: [container('app', { ports: [null] })] })).toEqual([]);
  });
});

describe('appArmorProfile', () => {
  test.each(['', 'runtime/default', 'localhost/my-profile'])('the AppArmor annotation value %p is allowed by baseline', value => {
    const metadata = { annotations: { [`${APPARMOR}app`]: value } };
    expect(baseline(appWith(undefined), 'latest', metadata)).toEqual([]);
    expect(podSecurityLevel(appWith(undefined), metadata, 'latest')).toBe(PodSecurityLevel.BASELINE);
  });

  test.each(['unconfined', 'localhost', 'docker/default', 'my-localhost/'])('the AppArmor annotation value %p is refused', value => {
    const metadata = { annotations: { [`${APPARMOR}app`]: value } };
    expect(baseline(appWith(undefined), 'latest', metadata)).toEqual([
      podViolation('appArmorProfile', `metadata.annotations[${APPARMOR}app]`, value,
        `Annotation ${APPARMOR}app sets AppArmor profile '${value}'; only runtime/default and localhost/* are allowed.`),
    ]);
    expect(podSecurityLevel(appWith(undefined), metadata, 'latest')).toBe(PodSecurityLevel.PRIVILEGED);
  });

  test('refused AppArmor annotations are reported sorted by key; other annotations are not AppArmor', () => {
    // GIVEN two refused AppArmor annotations out of order, and an unrelated annotation with the same value
    const metadata = { annotations: { [`${APPARMOR}web`]: 'unconfined', 'example.com/note': 'unconfined', [`${APPARMOR}app`]: 'unconfined' } };

    // THEN
    expect(baseline({ containers: [container('web'), container('app')] }, 'latest', metadata).map(v => v.field)).toEqual([
      `metadata.annotations[${APPARMOR}app]`, `metadata.annotations[${APPARMOR}web]`,
    ]);
  });

  test('appArmorProfile types RuntimeDefault and Localhost are allowed, Unconfined is refused on the pod and on a container', () => {
    // GIVEN
    const spec = {
      securityContext: { appArmorProfile: { type: 'Unconfined' } },
      containers: [
        container('app', { securityContext: { appArmorProfile: { type: 'RuntimeDefault' } } }),
        container('local', { securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'k8s-apparmor' } } }),
        container('debug', { securityContext: { appArmorProfile: { type: 'Unconfined' } } }),
      ],
    };

    // THEN
    expect(baseline(spec)).toEqual([
      podViolation('appArmorProfile', 'spec.securityContext.appArmorProfile.type', 'Unconfined',
        'The Pod sets AppArmor profile type Unconfined; only RuntimeDefault and Localhost are allowed.'),
      appViolation('appArmorProfile', 'debug', 'securityContext.appArmorProfile.type', 'Unconfined',
        "Container 'debug' sets AppArmor profile type Unconfined; only RuntimeDefault and Localhost are allowed."),
    ]);
  });
});

describe('seLinuxOptions', () => {
  test('a forbidden SELinux type on the Pod names the types allowed at the version', () => {
    const spec = appWith(undefined, { securityContext: { seLinuxOptions: { type: 'spc_t' } } });
    expect(baseline(spec, 'v1.31')).toEqual([
      podViolation('seLinuxOptions', 'spec.securityContext.seLinuxOptions.type', 'spc_t',
        "The Pod sets SELinux type 'spc_t'; only container_t, container_init_t, container_kvm_t, container_engine_t are allowed."),
    ]);
    expect(baseline(spec, 'v1.30').map(v => v.message)).toEqual([
      "The Pod sets SELinux type 'spc_t'; only container_t, container_init_t, container_kvm_t are allowed.",
    ]);
    expect(podSecurityLevel(spec, {}, 'latest')).toBe(PodSecurityLevel.PRIVILEGED);
  });

  test('container_engine_t is refused before v1.31 and allowed from v1.31', () => {
    // GIVEN a container of type container_engine_t
    const spec = appWith({ seLinuxOptions: { type: 'container_engine_t' } });

    // THEN
    expect(baseline(spec, 'v1.30')).toEqual([
      appViolation('seLinuxOptions', 'app', 'securityContext.seLinuxOptions.type', 'container_engine_t',
        "Container 'app' sets SELinux type 'container_engine_t'; only container_t, container_init_t, container_kvm_t are allowed."),
    ]);
    expect(podSecurityLevel(spec, {}, 'v1.30')).toBe(PodSecurityLevel.PRIVILEGED);
    expect(baseline(spec, 'v1.31')).toEqual([]);
    expect(podSecurityLevel(spec, {}, 'v1.31')).toBe(PodSecurityLevel.BASELINE);
  });

  test.each(['container_t', 'container_init_t', 'container_kvm_t', ''])('SELinux type %p is allowed at v1.30', type => {
    expect(baseline(appWith({ seLinuxOptions: { type, level: 's0:c123,c456' } }), 'v1.30')).toEqual([]);
  });

  test('empty seLinuxOptions are allowed', () => {
    expect(baseline(appWith({ seLinuxOptions: {} }, { securityContext: { seLinuxOptions: {} } }))).toEqual([]);
  });

  test('an SELinux user or role is refused on a container and on the Pod', () => {
    // GIVEN
    const spec = appWith({ seLinuxOptions: { user: 'system_u', role: 'system_r' } }, { securityContext: { seLinuxOptions: { role: 'object_r' } } });

    // THEN
    expect(baseline(spec)).toEqual([
      podViolation('seLinuxOptions', 'spec.securityContext.seLinuxOptions.role', 'object_r', 'The Pod sets an SELinux role, which baseline forbids.'),
      appViolation('seLinuxOptions', 'app', 'securityContext.seLinuxOptions.user', 'system_u', "Container 'app' sets an SELinux user, which baseline forbids."),
      appViolation('seLinuxOptions', 'app', 'securityContext.seLinuxOptions.role', 'system_r', "Container 'app' sets an SELinux role, which baseline forbids."),
    ]);
  });
});

describe('procMount', () => {
  test('procMount Unmasked is refused, Default is allowed', () => {
    expect(baseline(appWith({ procMount: 'Unmasked' }))).toEqual([
      appViolation('procMount', 'app', 'securityContext.procMount', 'Unmasked', "Container 'app' sets procMount Unmasked; only Default is allowed."),
    ]);
    expect(podSecurityLevel(appWith({ procMount: 'Unmasked' }), {}, 'latest')).toBe(PodSecurityLevel.PRIVILEGED);
    expect(baseline(appWith({ procMount: 'Default' }))).toEqual([]);
    expect(podSecurityLevel(appWith({ procMount: 'Default' }), {}, 'latest')).toBe(PodSecurityLevel.BASELINE);
  });

  test('in a user namespace (hostUsers: false) baseline allows procMount Unmasked from v1.35, not before', () => {
    // GIVEN
    const spec = appWith({ procMount: 'Unmasked' }, { hostUsers: false });

    // THEN
    expect(baseline(spec, 'v1.34').map(v => v.check)).toEqual(['procMount']);
    expect(baseline(spec, 'v1.35')).toEqual([]);
    expect(podSecurityLevel(spec, {}, 'v1.35')).toBe(PodSecurityLevel.BASELINE);
  });

  test('with host users (hostUsers: true) procMount Unmasked stays refused at v1.35', () => {
    expect(baseline(appWith({ procMount: 'Unmasked' }, { hostUsers: true }), 'v1.35').map(v => v.check)).toEqual(['procMount']);
  });
});

describe('seccompProfile_baseline before v1.19: the alpha annotations', () => {
  test.each(['runtime/default', 'docker/default', 'localhost/profile.json'])('the seccomp annotation value %p is allowed', value => {
    // GIVEN the value on the Pod and on its container
    const metadata = { annotations: { [SECCOMP_POD]: value, [`${SECCOMP_CONTAINER}app`]: value } };

    // THEN
    expect(baseline(appWith(undefined), 'v1.18', metadata)).toEqual([]);
  });

  test.each(['unconfined', '', 'localhost', 'runtime/default-x'])('the seccomp annotation value %p is refused on the Pod', value => {
    const metadata = { annotations: { [SECCOMP_POD]: value } };
    expect(baseline(appWith(undefined), 'v1.18', metadata)).toEqual([
      podViolation('seccompProfile_baseline', `metadata.annotations[${SECCOMP_POD}]`, value,
        `Annotation ${SECCOMP_POD} sets seccomp profile '${value}'; only runtime/default, docker/default and localhost/* are allowed.`),
    ]);
    expect(podSecurityLevel(appWith(undefined), metadata, 'v1.18')).toBe(PodSecurityLevel.PRIVILEGED);
  });

  test('a container annotation counts for a container of that name only', () => {
    // GIVEN unconfined for the container app and for a container ghost the pod does not have
    const metadata = { annotations: { [`${SECCOMP_CONTAINER}app`]: 'unconfined', [`${SECCOMP_CONTAINER}ghost`]: 'unconfined' } };

    // THEN
    expect(baseline(appWith(undefined), 'v1.18', metadata)).toEqual([
      podViolation('seccompProfile_baseline', `metadata.annotations[${SECCOMP_CONTAINER}app]`, 'unconfined',
        `Annotation ${SECCOMP_CONTAINER}app sets seccomp profile 'unconfined'; only runtime/default, docker/default and localhost/* are allowed.`),
    ]);
  });

  test('without seccomp annotations nothing is reported before v1.19', () => {
    expect(baseline(appWith(undefined), 'v1.18', { annotations: { 'example.com/team': 'web' } })).toEqual([]);
    expect(podSecurityLevel(appWith(undefined), {}, 'v1.18')).toBe(PodSecurityLevel.BASELINE);
  });

  test('from v1.19 the annotations no longer count, the seccompProfile fields do', () => {
    const metadata = { annotations: { [SECCOMP_POD]: 'unconfined' } };
    const spec = appWith(undefined, { securityContext: { seccompProfile: { type: 'Unconfined' } } });
    expect(baseline(appWith(undefined), 'v1.19', metadata)).toEqual([]);
    expect(baseline(spec, 'v1.18')).toEqual([]);
    expect(baseline(spec, 'v1.19').map(v => v.check)).toEqual(['seccompProfile_baseline']);
  });
});

describe('seccompProfile_baseline from v1.19: the seccompProfile fields', () => {
  test('types RuntimeDefault and Localhost are allowed, Unconfined is refused on the pod and on a container', () => {
    // GIVEN
    const spec = {
      securityContext: { seccompProfile: { type: 'Unconfined' } },
      containers: [
        container('app', { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }),
        container('local', { securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'profile.json' } } }),
        container('debug', { securityContext: { seccompProfile: { type: 'Unconfined' } } }),
      ],
    };

    // THEN
    expect(baseline(spec)).toEqual([
      podViolation('seccompProfile_baseline', 'spec.securityContext.seccompProfile.type', 'Unconfined',
        'The Pod sets seccomp profile type Unconfined; only RuntimeDefault and Localhost are allowed.'),
      appViolation('seccompProfile_baseline', 'debug', 'securityContext.seccompProfile.type', 'Unconfined',
        "Container 'debug' sets seccomp profile type Unconfined; only RuntimeDefault and Localhost are allowed."),
    ]);
    expect(podSecurityLevel(spec, {}, 'latest')).toBe(PodSecurityLevel.PRIVILEGED);
  });

  test('a Localhost seccomp profile on the Pod is allowed', () => {
    const spec = appWith(undefined, { securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'profile.json' } } });
    expect(baseline(spec)).toEqual([]);
  });
});

describe('sysctls', () => {
  /** The sysctl each version adds to the safe list, with the version before it. */
  const GATES: Array<[string, string, string]> = [
    ['net.ipv4.ip_local_reserved_ports', 'v1.26', 'v1.27'],
    ['net.ipv4.tcp_keepalive_time', 'v1.28', 'v1.29'],
    ['net.ipv4.tcp_fin_timeout', 'v1.28', 'v1.29'],
    ['net.ipv4.tcp_keepalive_intvl', 'v1.28', 'v1.29'],
    ['net.ipv4.tcp_keepalive_probes', 'v1.28', 'v1.29'],
    ['net.ipv4.tcp_rmem', 'v1.31', 'v1.32'],
    ['net.ipv4.tcp_wmem', 'v1.31', 'v1.32'],
    ['net.ipv4.tcp_slow_start_after_idle', 'v1.36', 'v1.37'],
    ['net.ipv4.tcp_notsent_lowat', 'v1.36', 'v1.37'],
  ];

  test.each(GATES)('%s is refused at %s and allowed from %s', (name, before, from) => {
    const spec = appWith(undefined, { securityContext: { sysctls: [{ name, value: '1' }] } });
    expect(baseline(spec, before).map(v => [v.check, v.field, v.value])).toEqual([['sysctls', `spec.securityContext.sysctls[${name}]`, name]]);
    expect(podSecurityLevel(spec, {}, before)).toBe(PodSecurityLevel.PRIVILEGED);
    expect(baseline(spec, from)).toEqual([]);
    expect(podSecurityLevel(spec, {}, from)).toBe(PodSecurityLevel.BASELINE);
  });

  test.each([
    'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
    'net.ipv4.ip_unprivileged_port_start',
  ])('%s has been safe since v1.0', name => {
    expect(baseline(appWith(undefined, { securityContext: { sysctls: [{ name, value: '1' }] } }), 'v1.0')).toEqual([]);
  });

  test('an unsafe sysctl is reported with the safe list of the version', () => {
    // GIVEN a safe sysctl and an unsafe one
    const spec = appWith(undefined, { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '65536' }, { name: 'net.ipv4.tcp_syncookies', value: '1' }] } });

    // THEN
    expect(baseline(spec, 'v1.26')).toEqual([
      podViolation('sysctls', 'spec.securityContext.sysctls[kernel.msgmax]', 'kernel.msgmax',
        'The Pod sets sysctl kernel.msgmax; baseline allows only kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, '
        + 'net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_unprivileged_port_start.'),
    ]);
  });

  test('a null sysctl entry is refused as a sysctl with an empty name (the API server decodes it so)', () => {
    expect(baseline(appWith(undefined, { securityContext: { sysctls: [null] } }), 'v1.26').map(v => [v.field, v.value])).toEqual([
      ['spec.securityContext.sysctls[]', ''],
    ]);
  });
});

describe('windowsHostProcess', () => {
  test('hostProcess: true is refused on the Pod and on a container', () => {
    // GIVEN
    const spec = appWith({ windowsOptions: { hostProcess: true } }, { securityContext: { windowsOptions: { hostProcess: true } } });

    // THEN
    expect(baseline(spec)).toEqual([
      podViolation('windowsHostProcess', 'spec.securityContext.windowsOptions.hostProcess', 'true',
        'The Pod sets windowsOptions.hostProcess: true, which baseline forbids.'),
      appViolation('windowsHostProcess', 'app', 'securityContext.windowsOptions.hostProcess', 'true',
        "Container 'app' sets windowsOptions.hostProcess: true, which baseline forbids."),
    ]);
    expect(podSecurityLevel(spec, {}, 'latest')).toBe(PodSecurityLevel.PRIVILEGED);
  });

  test('hostProcess: true on the Pod alone is refused', () => {
    const spec = appWith(undefined, { securityContext: { windowsOptions: { hostProcess: true } } });
    expect(baseline(spec).map(v => v.field)).toEqual(['spec.securityContext.windowsOptions.hostProcess']);
    expect(podSecurityLevel(spec, {}, 'latest')).toBe(PodSecurityLevel.PRIVILEGED);
  });

  test('hostProcess: false is allowed', () => {
    const spec = appWith({ windowsOptions: { hostProcess: false } }, { securityContext: { windowsOptions: { hostProcess: false } } });
    expect(baseline(spec)).toEqual([]);
  });
});

describe('hostProbesAndHostLifecycle', () => {
  test('a probe with a host is refused from v1.34, allowed at v1.33', () => {
    // GIVEN a liveness probe pointing at another host
    const spec = { containers: [container('app', { livenessProbe: { httpGet: { host: '10.0.0.1', port: 8080 } } })] };

    // THEN
    expect(baseline(spec, 'v1.33')).toEqual([]);
    expect(baseline(spec, 'v1.34')).toEqual([
      appViolation('hostProbesAndHostLifecycle', 'app', 'livenessProbe.httpGet.host', '10.0.0.1',
        "Container 'app' points livenessProbe.httpGet at host 10.0.0.1; baseline (from v1.34) allows no host in probes and lifecycle handlers."),
    ]);
    expect(podSecurityLevel(spec, {}, 'v1.34')).toBe(PodSecurityLevel.PRIVILEGED);
  });

  test('a lifecycle handler with a host is refused; one without a host, or a missing one, is not', () => {
    // GIVEN a postStart with a host and no preStop
    const spec = { containers: [container('app', { lifecycle: { postStart: { tcpSocket: { host: 'db.example.com', port: 5432 } } } })] };

    // THEN
    expect(baseline(spec, 'v1.34')).toEqual([
      appViolation('hostProbesAndHostLifecycle', 'app', 'lifecycle.postStart.tcpSocket.host', 'db.example.com',
        "Container 'app' points lifecycle.postStart.tcpSocket at host db.example.com; baseline (from v1.34) allows no host in probes and lifecycle handlers."),
    ]);
  });

  test('probes and lifecycle handlers without a host are allowed', () => {
    const spec = {
      containers: [container('app', {
        readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
        lifecycle: { preStop: { httpGet: { path: '/stop', port: 8080 } } },
      })],
    };
    expect(baseline(spec, 'v1.34')).toEqual([]);
  });
});
