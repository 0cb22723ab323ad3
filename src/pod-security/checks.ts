import { PodSecurityLevel } from './level';
import { PodSecurityViolation } from './violation';

/*
 * The Pod Security Standards at policy version v1.27, on plain Kubernetes
 * JSON, with the semantics of k8s.io/pod-security-admission's checks
 * (policy/check_*.go) evaluated at v1.27:
 *
 * - every check visits init, regular and ephemeral containers;
 * - evaluating `restricted` runs the restricted checks plus the baseline
 *   checks they do not override (restrictedVolumes overrides hostPathVolumes,
 *   capabilities_restricted overrides capabilities_baseline,
 *   seccompProfile_restricted overrides seccompProfile_baseline);
 * - allowPrivilegeEscalation, capabilities_restricted and
 *   seccompProfile_restricted pass a Pod with `spec.os.name: windows` (1.25+);
 * - the relaxations for `hostUsers: false` (1.35) and the probe host check
 *   (1.34) do not apply at v1.27;
 * - null counts as unset, as when the API server decodes it into a pointer.
 */

/** The policy version these rules implement. */
export const PSS_POLICY_VERSION = 'v1.27';

/** Capabilities baseline allows a container to add (check_capabilities_baseline.go). */
export const BASELINE_ADDABLE_CAPABILITIES = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD',
  'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
];

/** Safe sysctls at v1.27 (check_sysctls.go, sysctlsAllowedV1Dot27). */
const SAFE_SYSCTLS_1_27 = [
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.ip_local_reserved_ports',
];

/** SELinux types baseline allows before v1.31 (check_seLinuxOptions.go, selinuxAllowedTypes1_0). */
const SELINUX_TYPES_1_0 = ['', 'container_t', 'container_init_t', 'container_kvm_t'];

/** Inline volume sources restricted allows (check_restrictedVolumes.go). */
const RESTRICTED_VOLUME_SOURCES = [
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret',
];

/** Volume sources restricted forbids, in the order the official check names them. */
const FORBIDDEN_VOLUME_SOURCES = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd',
  'flexVolume', 'cinder', 'cephfs', 'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk',
  'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos',
];

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const UNSET = '(unset)';

const B = PodSecurityLevel.BASELINE;
const R = PodSecurityLevel.RESTRICTED;

/** A container with where it is in the pod spec. */
interface VisitedContainer {
  readonly c: any;
  readonly name: string;
  /** e.g. `spec.initContainers[setup]` */
  readonly path: string;
}

interface Pod {
  readonly spec: any;
  readonly metadata: any;
  readonly containers: VisitedContainer[];
  readonly windows: boolean;
}

type CheckFn = (pod: Pod) => PodSecurityViolation[];

interface Check {
  readonly id: string;
  readonly level: PodSecurityLevel;
  /** Baseline checks this one replaces when restricted is evaluated. */
  readonly overrides?: string[];
  readonly run: CheckFn;
}

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function obj(v: any): any {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

function list(v: any): any[] {
  return Array.isArray(v) ? v : [];
}

function str(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

function show(v: unknown): string {
  if (v === undefined || v === null) return UNSET;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Init, regular, then ephemeral containers, as visitContainers (policy/visitor.go) walks them. */
function visit(spec: any): VisitedContainer[] {
  const out: VisitedContainer[] = [];
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of list(spec[key])) {
      const container = obj(c) ?? {};
      const name = str(container.name);
      out.push({ c: container, name, path: `spec.${key}[${name}]` });
    }
  }
  return out;
}

function sc(container: VisitedContainer): any {
  return obj(container.c.securityContext);
}

function podSc(pod: Pod): any {
  return obj(pod.spec.securityContext);
}

function violation(level: PodSecurityLevel, check: string, field: string, value: string, message: string, container?: string): PodSecurityViolation {
  return container === undefined ? { level, check, field, value, message } : { level, check, container, field, value, message };
}

// --- baseline -------------------------------------------------------------

const hostNamespaces: CheckFn = pod => ['hostNetwork', 'hostPID', 'hostIPC']
  .filter(key => pod.spec[key] === true)
  .map(key => violation(B, 'hostNamespaces', `spec.${key}`, 'true', `The Pod sets ${key}: true; it must not share the host's namespaces.`));

const privileged: CheckFn = pod => pod.containers
  .filter(k => sc(k)?.privileged === true)
  .map(k => violation(B, 'privileged', `${k.path}.securityContext.privileged`, 'true',
    `Container '${k.name}' is privileged; it must not set securityContext.privileged=true.`, k.name));

const capabilitiesBaseline: CheckFn = pod => pod.containers.flatMap(k => {
  const caps = obj(sc(k)?.capabilities);
  if (!caps) return [];
  return list(caps.add).map(str).filter(cap => !BASELINE_ADDABLE_CAPABILITIES.includes(cap)).map(cap =>
    violation(B, 'capabilities_baseline', `${k.path}.securityContext.capabilities.add`, cap,
      `Container '${k.name}' adds ${cap}; baseline allows adding only ${BASELINE_ADDABLE_CAPABILITIES.join(', ')}.`, k.name));
});

const hostPathVolumes: CheckFn = pod => list(pod.spec.volumes)
  .filter(v => isSet(obj(v)?.hostPath))
  .map(v => violation(B, 'hostPathVolumes', `spec.volumes[${str(v.name)}].hostPath`, show(v.hostPath?.path),
    `Volume '${str(v.name)}' is a hostPath volume, which baseline forbids.`));

const hostPorts: CheckFn = pod => pod.containers.flatMap(k => list(k.c.ports)
  .filter(p => isSet(obj(p)?.hostPort) && p.hostPort !== 0)
  .map(p => violation(B, 'hostPorts', `${k.path}.ports[${str(p.containerPort)}].hostPort`, show(p.hostPort),
    `Container '${k.name}' uses hostPort ${show(p.hostPort)}; hostPort must be unset or 0.`, k.name)));

function allowedAppArmorAnnotation(value: string): boolean {
  return value === '' || value === 'runtime/default' || value.startsWith('localhost/');
}

const appArmorProfile: CheckFn = pod => {
  const out: PodSecurityViolation[] = [];
  const okType = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
  const podProfile = obj(podSc(pod)?.appArmorProfile);
  if (podProfile && !okType(podProfile.type)) {
    out.push(violation(B, 'appArmorProfile', 'spec.securityContext.appArmorProfile.type', show(podProfile.type),
      `The Pod sets AppArmor profile type ${show(podProfile.type)}; only RuntimeDefault and Localhost are allowed.`));
  }
  for (const k of pod.containers) {
    const profile = obj(sc(k)?.appArmorProfile);
    if (profile && !okType(profile.type)) {
      out.push(violation(B, 'appArmorProfile', `${k.path}.securityContext.appArmorProfile.type`, show(profile.type),
        `Container '${k.name}' sets AppArmor profile type ${show(profile.type)}; only RuntimeDefault and Localhost are allowed.`, k.name));
    }
  }
  const annotations = obj(obj(pod.metadata)?.annotations) ?? {};
  for (const key of Object.keys(annotations).sort()) {
    if (key.startsWith(APPARMOR_ANNOTATION_PREFIX) && !allowedAppArmorAnnotation(str(annotations[key]))) {
      out.push(violation(B, 'appArmorProfile', `metadata.annotations[${key}]`, str(annotations[key]),
        `Annotation ${key} sets AppArmor profile '${str(annotations[key])}'; only runtime/default and localhost/* are allowed.`));
    }
  }
  return out;
};

const seLinuxOptions: CheckFn = pod => {
  const out: PodSecurityViolation[] = [];
  const check = (opts: any, field: string, who: string, container?: string) => {
    if (!opts) return;
    if (!SELINUX_TYPES_1_0.includes(str(opts.type))) {
      out.push(violation(B, 'seLinuxOptions', `${field}.type`, str(opts.type),
        `${who} sets SELinux type '${str(opts.type)}'; only ${SELINUX_TYPES_1_0.filter(t => t).join(', ')} are allowed.`, container));
    }
    for (const key of ['user', 'role']) {
      if (str(opts[key]).length > 0) {
        out.push(violation(B, 'seLinuxOptions', `${field}.${key}`, str(opts[key]), `${who} sets an SELinux ${key}, which baseline forbids.`, container));
      }
    }
  };
  check(obj(podSc(pod)?.seLinuxOptions), 'spec.securityContext.seLinuxOptions', 'The Pod');
  for (const k of pod.containers) check(obj(sc(k)?.seLinuxOptions), `${k.path}.securityContext.seLinuxOptions`, `Container '${k.name}'`, k.name);
  return out;
};

const procMount: CheckFn = pod => pod.containers
  .filter(k => isSet(sc(k)?.procMount) && sc(k).procMount !== 'Default')
  .map(k => violation(B, 'procMount', `${k.path}.securityContext.procMount`, str(sc(k).procMount),
    `Container '${k.name}' sets procMount ${show(sc(k).procMount)}; only Default is allowed.`, k.name));

function validSeccomp(type: unknown): boolean {
  return type === 'RuntimeDefault' || type === 'Localhost';
}

const seccompProfileBaseline: CheckFn = pod => {
  const out: PodSecurityViolation[] = [];
  const podProfile = obj(podSc(pod)?.seccompProfile);
  if (podProfile && !validSeccomp(podProfile.type)) {
    out.push(violation(B, 'seccompProfile_baseline', 'spec.securityContext.seccompProfile.type', show(podProfile.type),
      `The Pod sets seccomp profile type ${show(podProfile.type)}; only RuntimeDefault and Localhost are allowed.`));
  }
  for (const k of pod.containers) {
    const profile = obj(sc(k)?.seccompProfile);
    if (profile && !validSeccomp(profile.type)) {
      out.push(violation(B, 'seccompProfile_baseline', `${k.path}.securityContext.seccompProfile.type`, show(profile.type),
        `Container '${k.name}' sets seccomp profile type ${show(profile.type)}; only RuntimeDefault and Localhost are allowed.`, k.name));
    }
  }
  return out;
};

const sysctls: CheckFn = pod => list(podSc(pod)?.sysctls)
  .map(s => str(obj(s)?.name))
  .filter(name => !SAFE_SYSCTLS_1_27.includes(name))
  .map(name => violation(B, 'sysctls', `spec.securityContext.sysctls[${name}]`, name,
    `The Pod sets sysctl ${name}; baseline allows only ${SAFE_SYSCTLS_1_27.join(', ')}.`));

const windowsHostProcess: CheckFn = pod => {
  const out: PodSecurityViolation[] = [];
  if (obj(podSc(pod)?.windowsOptions)?.hostProcess === true) {
    out.push(violation(B, 'windowsHostProcess', 'spec.securityContext.windowsOptions.hostProcess', 'true',
      'The Pod sets windowsOptions.hostProcess: true, which baseline forbids.'));
  }
  for (const k of pod.containers) {
    if (obj(sc(k)?.windowsOptions)?.hostProcess === true) {
      out.push(violation(B, 'windowsHostProcess', `${k.path}.securityContext.windowsOptions.hostProcess`, 'true',
        `Container '${k.name}' sets windowsOptions.hostProcess: true, which baseline forbids.`, k.name));
    }
  }
  return out;
};

// --- restricted -----------------------------------------------------------

const allowPrivilegeEscalation: CheckFn = pod => pod.windows ? [] : pod.containers
  .filter(k => sc(k)?.allowPrivilegeEscalation !== false)
  .map(k => violation(R, 'allowPrivilegeEscalation', `${k.path}.securityContext.allowPrivilegeEscalation`, show(sc(k)?.allowPrivilegeEscalation),
    `Container '${k.name}' must set securityContext.allowPrivilegeEscalation=false.`, k.name));

const capabilitiesRestricted: CheckFn = pod => pod.windows ? [] : pod.containers.flatMap(k => {
  const caps = obj(sc(k)?.capabilities);
  const out: PodSecurityViolation[] = [];
  const drop = list(caps?.drop).map(str);
  if (!drop.includes('ALL')) {
    out.push(violation(R, 'capabilities_restricted', `${k.path}.securityContext.capabilities.drop`, caps && isSet(caps.drop) ? show(caps.drop) : UNSET,
      `Container '${k.name}' must set securityContext.capabilities.drop=["ALL"].`, k.name));
  }
  for (const cap of list(caps?.add).map(str).filter(c => c !== 'NET_BIND_SERVICE')) {
    out.push(violation(R, 'capabilities_restricted', `${k.path}.securityContext.capabilities.add`, cap,
      `Container '${k.name}' adds ${cap}; restricted allows adding only NET_BIND_SERVICE.`, k.name));
  }
  return out;
});

const restrictedVolumes: CheckFn = pod => list(pod.spec.volumes).flatMap(v => {
  const volume = obj(v) ?? {};
  if (RESTRICTED_VOLUME_SOURCES.some(s => isSet(volume[s]))) return [];
  const type = FORBIDDEN_VOLUME_SOURCES.find(s => isSet(volume[s])) ?? 'unknown';
  return [violation(R, 'restrictedVolumes', `spec.volumes[${str(volume.name)}]${type === 'unknown' ? '' : `.${type}`}`, type,
    `Volume '${str(volume.name)}' is of type ${type}; restricted allows only ${RESTRICTED_VOLUME_SOURCES.join(', ')}.`)];
});

const runAsNonRoot: CheckFn = pod => {
  const explicit: PodSecurityViolation[] = [];
  const implicit: PodSecurityViolation[] = [];
  const podValue = podSc(pod)?.runAsNonRoot;
  if (podValue === false) {
    explicit.push(violation(R, 'runAsNonRoot', 'spec.securityContext.runAsNonRoot', 'false', 'The Pod must not set securityContext.runAsNonRoot=false.'));
  }
  for (const k of pod.containers) {
    const value = sc(k)?.runAsNonRoot;
    if (isSet(value)) {
      if (value === false) {
        explicit.push(violation(R, 'runAsNonRoot', `${k.path}.securityContext.runAsNonRoot`, 'false',
          `Container '${k.name}' must not set securityContext.runAsNonRoot=false.`, k.name));
      }
    } else if (podValue !== true) {
      implicit.push(violation(R, 'runAsNonRoot', `${k.path}.securityContext.runAsNonRoot`, UNSET,
        `The Pod or container '${k.name}' must set securityContext.runAsNonRoot=true.`, k.name));
    }
  }
  // The official check reports the explicit setters, and the implicit ones only when there are none.
  return explicit.length > 0 ? explicit : implicit;
};

const runAsUser: CheckFn = pod => {
  const out: PodSecurityViolation[] = [];
  if (podSc(pod)?.runAsUser === 0) {
    out.push(violation(R, 'runAsUser', 'spec.securityContext.runAsUser', '0', 'The Pod must not set runAsUser=0.'));
  }
  for (const k of pod.containers) {
    if (sc(k)?.runAsUser === 0) {
      out.push(violation(R, 'runAsUser', `${k.path}.securityContext.runAsUser`, '0', `Container '${k.name}' must not set runAsUser=0.`, k.name));
    }
  }
  return out;
};

const seccompProfileRestricted: CheckFn = pod => {
  if (pod.windows) return [];
  const explicit: PodSecurityViolation[] = [];
  const implicit: PodSecurityViolation[] = [];
  const podProfile = obj(podSc(pod)?.seccompProfile);
  const podSet = podProfile !== undefined && validSeccomp(podProfile.type);
  if (podProfile && !podSet) {
    explicit.push(violation(R, 'seccompProfile_restricted', 'spec.securityContext.seccompProfile.type', show(podProfile.type),
      `The Pod sets seccomp profile type ${show(podProfile.type)}; only RuntimeDefault and Localhost are allowed.`));
  }
  for (const k of pod.containers) {
    const profile = obj(sc(k)?.seccompProfile);
    if (profile) {
      if (!validSeccomp(profile.type)) {
        explicit.push(violation(R, 'seccompProfile_restricted', `${k.path}.securityContext.seccompProfile.type`, show(profile.type),
          `Container '${k.name}' sets seccomp profile type ${show(profile.type)}; only RuntimeDefault and Localhost are allowed.`, k.name));
      }
    } else if (!podSet) {
      implicit.push(violation(R, 'seccompProfile_restricted', `${k.path}.securityContext.seccompProfile.type`, UNSET,
        `The Pod or container '${k.name}' must set securityContext.seccompProfile.type to RuntimeDefault or Localhost.`, k.name));
    }
  }
  return explicit.length > 0 ? explicit : implicit;
};

/** Every check at v1.27, baseline first, each group sorted by id (as registry.go orders them). */
const CHECKS: Check[] = [
  { id: 'appArmorProfile', level: B, run: appArmorProfile },
  { id: 'capabilities_baseline', level: B, run: capabilitiesBaseline },
  { id: 'hostNamespaces', level: B, run: hostNamespaces },
  { id: 'hostPathVolumes', level: B, run: hostPathVolumes },
  { id: 'hostPorts', level: B, run: hostPorts },
  { id: 'privileged', level: B, run: privileged },
  { id: 'procMount', level: B, run: procMount },
  { id: 'seLinuxOptions', level: B, run: seLinuxOptions },
  { id: 'seccompProfile_baseline', level: B, run: seccompProfileBaseline },
  { id: 'sysctls', level: B, run: sysctls },
  { id: 'windowsHostProcess', level: B, run: windowsHostProcess },
  { id: 'allowPrivilegeEscalation', level: R, run: allowPrivilegeEscalation },
  { id: 'capabilities_restricted', level: R, run: capabilitiesRestricted, overrides: ['capabilities_baseline'] },
  { id: 'restrictedVolumes', level: R, run: restrictedVolumes, overrides: ['hostPathVolumes'] },
  { id: 'runAsNonRoot', level: R, run: runAsNonRoot },
  { id: 'runAsUser', level: R, run: runAsUser },
  { id: 'seccompProfile_restricted', level: R, run: seccompProfileRestricted, overrides: ['seccompProfile_baseline'] },
];

const OVERRIDDEN_BY_RESTRICTED = new Set(CHECKS.flatMap(c => c.overrides ?? []));

function checksFor(level: PodSecurityLevel): Check[] {
  if (level === PodSecurityLevel.BASELINE) return CHECKS.filter(c => c.level === B);
  if (level === PodSecurityLevel.RESTRICTED) return CHECKS.filter(c => !(c.level === B && OVERRIDDEN_BY_RESTRICTED.has(c.id)));
  return [];
}

/**
 * What keeps a pod (spec and template metadata, plain JSON) from `level`, as
 * evaluating `level` at v1.27 reports it. Empty for PRIVILEGED.
 */
export function podSecurityViolations(podSpec: any, podMetadata: any, level: PodSecurityLevel, _version: string = PSS_POLICY_VERSION): PodSecurityViolation[] {
  const spec = obj(podSpec);
  if (!spec) {
    throw new Error(`a pod spec must be an object with 'containers' (got ${JSON.stringify(podSpec)}).`);
  }
  const pod: Pod = { spec, metadata: obj(podMetadata) ?? {}, containers: visit(spec), windows: obj(spec.os)?.name === 'windows' };
  return checksFor(level).flatMap(c => c.run(pod));
}

/** The strictest level a pod satisfies at v1.27. */
export function podSecurityLevel(podSpec: any, podMetadata: any, _version: string = PSS_POLICY_VERSION): PodSecurityLevel {
  if (podSecurityViolations(podSpec, podMetadata, PodSecurityLevel.RESTRICTED).length === 0) return PodSecurityLevel.RESTRICTED;
  if (podSecurityViolations(podSpec, podMetadata, PodSecurityLevel.BASELINE).length === 0) return PodSecurityLevel.BASELINE;
  return PodSecurityLevel.PRIVILEGED;
}

const STRICTNESS = [PodSecurityLevel.PRIVILEGED, PodSecurityLevel.BASELINE, PodSecurityLevel.RESTRICTED];

/** Positive when a is stricter than b. */
export function compareLevels(a: PodSecurityLevel, b: PodSecurityLevel): number {
  return STRICTNESS.indexOf(a) - STRICTNESS.indexOf(b);
}
