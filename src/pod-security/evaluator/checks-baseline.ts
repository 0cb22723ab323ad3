// The baseline checks of k8s.io/pod-security-admission (policy/check_*.go),
// one function per versioned implementation. Which one runs at which policy
// version is in registry.ts.

import { PodSecurityLevel } from './level';
import { CheckFn, containerViolation, isSet, list, obj, Pod, podSc, profileTypes, sc, show, str, violation, VisitedContainer } from './pod';
import { PodSecurityViolation } from './violation';

const B = PodSecurityLevel.BASELINE;

/** Capabilities baseline allows a container to add (check_capabilities_baseline.go). */
export const BASELINE_ADDABLE_CAPABILITIES = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD',
  'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
];

/** Safe sysctls (check_sysctls.go): each version's list adds to the one before. */
const SYSCTLS_1_0 = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start'];
const SYSCTLS_1_27 = [...SYSCTLS_1_0, 'net.ipv4.ip_local_reserved_ports'];
const SYSCTLS_1_29 = [...SYSCTLS_1_27, 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'];
const SYSCTLS_1_32 = [...SYSCTLS_1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];
const SYSCTLS_1_37 = [...SYSCTLS_1_32, 'net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'];

/** SELinux types baseline allows (check_seLinuxOptions.go). */
const SELINUX_TYPES_1_0 = ['', 'container_t', 'container_init_t', 'container_kvm_t'];
const SELINUX_TYPES_1_31 = [...SELINUX_TYPES_1_0, 'container_engine_t'];

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

function annotationsOf(pod: Pod): Record<string, unknown> {
  return obj(pod.metadata.annotations) ?? {};
}

const hostNamespaces: CheckFn = pod => ['hostNetwork', 'hostPID', 'hostIPC']
  .filter(key => pod.spec[key] === true)
  .map(key => violation(B, 'hostNamespaces', `spec.${key}`, 'true', `The Pod sets ${key}: true; it must not share the host's namespaces.`));

const privileged: CheckFn = pod => pod.containers
  .filter(k => sc(k)?.privileged === true)
  .map(k => containerViolation(B, 'privileged', k, 'securityContext.privileged', 'true',
    `Container '${k.name}' is privileged; it must not set securityContext.privileged=true.`));

const capabilitiesBaseline: CheckFn = pod => pod.containers.flatMap(k => {
  const caps = obj(sc(k)?.capabilities);
  if (!caps) return [];
  return list(caps.add).map(str).filter(cap => !BASELINE_ADDABLE_CAPABILITIES.includes(cap)).map(cap =>
    containerViolation(B, 'capabilities_baseline', k, 'securityContext.capabilities.add', cap,
      `Container '${k.name}' adds ${cap}; baseline allows adding only ${BASELINE_ADDABLE_CAPABILITIES.join(', ')}.`));
});

const hostPathVolumes: CheckFn = pod => list(pod.spec.volumes)
  .filter(v => isSet(obj(v)?.hostPath))
  .map(v => violation(B, 'hostPathVolumes', `spec.volumes[${str(v.name)}].hostPath`, show(v.hostPath?.path),
    `Volume '${str(v.name)}' is a hostPath volume, which baseline forbids.`));

const hostPorts: CheckFn = pod => pod.containers.flatMap(k => list(k.c.ports)
  .filter(p => isSet(obj(p)?.hostPort) && p.hostPort !== 0)
  .map(p => containerViolation(B, 'hostPorts', k, `ports[${str(p.containerPort)}].hostPort`, show(p.hostPort),
    `Container '${k.name}' uses hostPort ${show(p.hostPort)}; hostPort must be unset or 0.`)));

function allowedAppArmorAnnotation(value: string): boolean {
  return value === '' || value === 'runtime/default' || value.startsWith('localhost/');
}

const appArmorProfile: CheckFn = pod => {
  const out = profileTypes(pod, B, 'appArmorProfile', 'appArmorProfile', 'AppArmor', ['RuntimeDefault', 'Localhost']);
  const annotations = annotationsOf(pod);
  for (const key of Object.keys(annotations).sort()) {
    if (key.startsWith(APPARMOR_ANNOTATION_PREFIX) && !allowedAppArmorAnnotation(str(annotations[key]))) {
      out.push(violation(B, 'appArmorProfile', `metadata.annotations[${key}]`, str(annotations[key]),
        `Annotation ${key} sets AppArmor profile '${str(annotations[key])}'; only runtime/default and localhost/* are allowed.`));
    }
  }
  return out;
};

function seLinuxOptions(allowedTypes: string[]): CheckFn {
  return pod => {
    const out: PodSecurityViolation[] = [];
    /** The seLinuxOptions of the Pod's security context, or of container `k`'s. */
    const check = (opts: any, k?: VisitedContainer) => {
      if (!opts) return;
      const who = k === undefined ? 'The Pod' : `Container '${k.name}'`;
      const at = (key: string, value: string, message: string) => out.push(k === undefined
        ? violation(B, 'seLinuxOptions', `spec.securityContext.seLinuxOptions.${key}`, value, message)
        : containerViolation(B, 'seLinuxOptions', k, `securityContext.seLinuxOptions.${key}`, value, message));
      if (!allowedTypes.includes(str(opts.type))) {
        at('type', str(opts.type), `${who} sets SELinux type '${str(opts.type)}'; only ${allowedTypes.filter(t => t).join(', ')} are allowed.`);
      }
      for (const key of ['user', 'role']) {
        if (str(opts[key]).length > 0) at(key, str(opts[key]), `${who} sets an SELinux ${key}, which baseline forbids.`);
      }
    };
    check(obj(podSc(pod)?.seLinuxOptions));
    for (const k of pod.containers) check(obj(sc(k)?.seLinuxOptions), k);
    return out;
  };
}

/** procMount must be unset or Default (the check is `procMount` in baseline, `procMount_restricted` in restricted from v1.35). */
export function procMountDefault(level: PodSecurityLevel, check: string): CheckFn {
  return pod => pod.containers
    .filter(k => isSet(sc(k)?.procMount) && sc(k).procMount !== 'Default')
    .map(k => containerViolation(level, check, k, 'securityContext.procMount', str(sc(k).procMount),
      `Container '${k.name}' sets procMount ${show(sc(k).procMount)}; only Default is allowed.`));
}

const procMountBaseline = procMountDefault(B, 'procMount');

/** v1.35: any procMount in a user namespace (`hostUsers: false`). */
const procMountBaseline135: CheckFn = pod => pod.userNamespace ? [] : procMountBaseline(pod);

function validSeccompAnnotation(value: string): boolean {
  return value === 'runtime/default' || value === 'docker/default' || value.startsWith('localhost/');
}

/** Before v1.19: the alpha seccomp annotations. */
const seccompProfileBaseline10: CheckFn = pod => {
  const annotations = annotationsOf(pod);
  const keys = [SECCOMP_POD_ANNOTATION, ...pod.containers.map(k => SECCOMP_CONTAINER_ANNOTATION_PREFIX + k.name)];
  return [...new Set(keys)].filter(key => key in annotations && !validSeccompAnnotation(str(annotations[key]))).map(key =>
    violation(B, 'seccompProfile_baseline', `metadata.annotations[${key}]`, str(annotations[key]),
      `Annotation ${key} sets seccomp profile '${str(annotations[key])}'; only runtime/default, docker/default and localhost/* are allowed.`));
};

/** From v1.19: the seccompProfile fields. */
const seccompProfileBaseline119: CheckFn = pod =>
  profileTypes(pod, B, 'seccompProfile_baseline', 'seccompProfile', 'seccomp', ['RuntimeDefault', 'Localhost']);

function sysctls(allowed: string[]): CheckFn {
  return pod => list(podSc(pod)?.sysctls)
    .map(s => str(obj(s)?.name))
    .filter(name => !allowed.includes(name))
    .map(name => violation(B, 'sysctls', `spec.securityContext.sysctls[${name}]`, name,
      `The Pod sets sysctl ${name}; baseline allows only ${allowed.join(', ')}.`));
}

const windowsHostProcess: CheckFn = pod => {
  const out: PodSecurityViolation[] = [];
  if (obj(podSc(pod)?.windowsOptions)?.hostProcess === true) {
    out.push(violation(B, 'windowsHostProcess', 'spec.securityContext.windowsOptions.hostProcess', 'true',
      'The Pod sets windowsOptions.hostProcess: true, which baseline forbids.'));
  }
  for (const k of pod.containers) {
    if (obj(sc(k)?.windowsOptions)?.hostProcess === true) {
      out.push(containerViolation(B, 'windowsHostProcess', k, 'securityContext.windowsOptions.hostProcess', 'true',
        `Container '${k.name}' sets windowsOptions.hostProcess: true, which baseline forbids.`));
    }
  }
  return out;
};

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];
const LIFECYCLE_HANDLERS = ['postStart', 'preStop'];
const HANDLER_KINDS = ['httpGet', 'tcpSocket'];

/** From v1.34: no `host` in httpGet or tcpSocket of probes and lifecycle handlers. */
const hostProbesAndHostLifecycle: CheckFn = pod => {
  const out: PodSecurityViolation[] = [];
  const check = (k: VisitedContainer, where: string, handler: any) => {
    for (const kind of HANDLER_KINDS) {
      const host = str(obj(obj(handler)?.[kind])?.host);
      if (host !== '') {
        out.push(containerViolation(B, 'hostProbesAndHostLifecycle', k, `${where}.${kind}.host`, host,
          `Container '${k.name}' points ${where}.${kind} at host ${host}; baseline (from v1.34) allows no host in probes and lifecycle handlers.`));
      }
    }
  };
  for (const k of pod.containers) {
    // Stryker disable next-line ConditionalExpression: check() reads an unset handler as one without a host, so visiting it changes nothing
    for (const probe of PROBES) if (k.c[probe] !== undefined) check(k, probe, k.c[probe]);
    const lifecycle = obj(k.c.lifecycle);
    if (lifecycle) for (const h of LIFECYCLE_HANDLERS) check(k, `lifecycle.${h}`, lifecycle[h]);
  }
  return out;
};

/** The baseline implementations, by the Go function each one ports. */
export const BASELINE = {
  appArmorProfile,
  capabilitiesBaseline,
  hostNamespaces,
  hostPathVolumes,
  hostPorts,
  hostProbesAndHostLifecycle,
  privileged,
  procMountBaseline,
  procMountBaseline135,
  seLinuxOptions10: seLinuxOptions(SELINUX_TYPES_1_0),
  seLinuxOptions131: seLinuxOptions(SELINUX_TYPES_1_31),
  seccompProfileBaseline10,
  seccompProfileBaseline119,
  sysctls10: sysctls(SYSCTLS_1_0),
  sysctls127: sysctls(SYSCTLS_1_27),
  sysctls129: sysctls(SYSCTLS_1_29),
  sysctls132: sysctls(SYSCTLS_1_32),
  sysctls137: sysctls(SYSCTLS_1_37),
  windowsHostProcess,
};
