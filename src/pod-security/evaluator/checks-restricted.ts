// The restricted checks of k8s.io/pod-security-admission (policy/check_*.go),
// one function per versioned implementation. Which one runs at which policy
// version, and which baseline check each replaces, is in registry.ts.

import { procMountDefault } from './checks-baseline';
import { PodSecurityLevel } from './level';
import { CheckFn, containerViolation, isSet, list, obj, podSc, sc, show, str, UNSET, violation } from './pod';
import { PodSecurityViolation } from './violation';

const R = PodSecurityLevel.RESTRICTED;

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

/** From v1.25 a check that a Windows Pod cannot satisfy passes it (`spec.os.name: windows`). */
function exemptWindows(check: CheckFn): CheckFn {
  return pod => pod.windows ? [] : check(pod);
}

/** From v1.35 a check that a user namespace makes moot passes a Pod with `hostUsers: false`. */
function exemptUserNamespace(check: CheckFn): CheckFn {
  return pod => pod.userNamespace ? [] : check(pod);
}

const allowPrivilegeEscalation: CheckFn = pod => pod.containers
  .filter(k => sc(k)?.allowPrivilegeEscalation !== false)
  .map(k => containerViolation(R, 'allowPrivilegeEscalation', k, 'securityContext.allowPrivilegeEscalation', show(sc(k)?.allowPrivilegeEscalation),
    `Container '${k.name}' must set securityContext.allowPrivilegeEscalation=false.`));

const capabilitiesRestricted: CheckFn = pod => pod.containers.flatMap(k => {
  const caps = obj(sc(k)?.capabilities);
  const out: PodSecurityViolation[] = [];
  const drop = list(caps?.drop).map(str);
  if (!drop.includes('ALL')) {
    out.push(containerViolation(R, 'capabilities_restricted', k, 'securityContext.capabilities.drop', caps && isSet(caps.drop) ? show(caps.drop) : UNSET,
      `Container '${k.name}' must set securityContext.capabilities.drop=["ALL"].`));
  }
  for (const cap of list(caps?.add).map(str).filter(c => c !== 'NET_BIND_SERVICE')) {
    out.push(containerViolation(R, 'capabilities_restricted', k, 'securityContext.capabilities.add', cap,
      `Container '${k.name}' adds ${cap}; restricted allows adding only NET_BIND_SERVICE.`));
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
        explicit.push(containerViolation(R, 'runAsNonRoot', k, 'securityContext.runAsNonRoot', 'false',
          `Container '${k.name}' must not set securityContext.runAsNonRoot=false.`));
      }
    } else if (podValue !== true) {
      implicit.push(containerViolation(R, 'runAsNonRoot', k, 'securityContext.runAsNonRoot', UNSET,
        `The Pod or container '${k.name}' must set securityContext.runAsNonRoot=true.`));
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
      out.push(containerViolation(R, 'runAsUser', k, 'securityContext.runAsUser', '0', `Container '${k.name}' must not set runAsUser=0.`));
    }
  }
  return out;
};

function validSeccomp(type: unknown): boolean {
  return type === 'RuntimeDefault' || type === 'Localhost';
}

const seccompProfileRestricted: CheckFn = pod => {
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
        explicit.push(containerViolation(R, 'seccompProfile_restricted', k, 'securityContext.seccompProfile.type', show(profile.type),
          `Container '${k.name}' sets seccomp profile type ${show(profile.type)}; only RuntimeDefault and Localhost are allowed.`));
      }
    } else if (!podSet) {
      implicit.push(containerViolation(R, 'seccompProfile_restricted', k, 'securityContext.seccompProfile.type', UNSET,
        `The Pod or container '${k.name}' must set securityContext.seccompProfile.type to RuntimeDefault or Localhost.`));
    }
  }
  return explicit.length > 0 ? explicit : implicit;
};

/** The restricted implementations, by the Go function each one ports. */
export const RESTRICTED = {
  allowPrivilegeEscalation18: allowPrivilegeEscalation,
  allowPrivilegeEscalation125: exemptWindows(allowPrivilegeEscalation),
  capabilitiesRestricted122: capabilitiesRestricted,
  capabilitiesRestricted125: exemptWindows(capabilitiesRestricted),
  procMountRestricted: procMountDefault(R, 'procMount_restricted'),
  restrictedVolumes,
  runAsNonRoot10: runAsNonRoot,
  runAsNonRoot135: exemptUserNamespace(runAsNonRoot),
  runAsUser123: runAsUser,
  runAsUser135: exemptUserNamespace(runAsUser),
  seccompProfileRestricted119: seccompProfileRestricted,
  seccompProfileRestricted125: exemptWindows(seccompProfileRestricted),
};
