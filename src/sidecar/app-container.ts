// The application container a debug container fits: its user and group
// (`runAsAppUser`) and the volumes it mounts (`appVolumes`), read from a pod
// spec: the final one at synth for the sidecar, the pod template for a
// running Pod (ephemeral container, debug copy).

import { IConstruct } from 'constructs';
import { fail } from '../errors';
import { isObject } from '../pod-spec';
import { ResolvedDebug } from './resolve';

/** Where the app's volumes appear in the debug container: the app's `/etc/config` is `/app/etc/config`. */
export const APP_FILES_PATH = '/app';

/** The user and group the app container runs as. */
export interface AppIdentity {
  readonly user: number;
  readonly group: number;
}

/** What the debug container takes from the app container. */
export interface AppFit {
  /** The app's user and group, with `runAsAppUser`. */
  readonly identity?: AppIdentity;
  /** The debug container's mounts of the app's volumes, with `appVolumes`. */
  readonly volumeMounts: any[];
}

/** The regular containers of a pod spec that belong to the app (the sidecar, when present, is not one). */
export function appContainersOf(spec: any, sidecarName: string | undefined): any[] {
  const containers: any[] = isObject(spec) && Array.isArray(spec.containers) ? spec.containers : [];
  return containers.filter(c => c?.name !== sidecarName);
}

/** The app container named `name`, else the first; `debug.appContainer` must name one. */
function appContainerOf(spec: any, r: ResolvedDebug, name: string | undefined, where: IConstruct): any {
  const containers = appContainersOf(spec, r.enabled ? r.name : undefined);
  const wanted = name ?? containers[0]?.name;
  const found = containers.find(c => c.name === wanted);
  if (found === undefined) {
    fail('debug.appContainer', wanted, `is not a container of this Pod (it has ${containers.map(c => c.name).join(', ') || 'none'})`,
      'Name one of them, or omit it for the first.', where);
  }
  return found;
}

/** The app's user and group: its container's securityContext, else the Pod's; an error where either is not in the manifest. */
function identityOf(r: ResolvedDebug, spec: any, container: any, where: IConstruct): AppIdentity {
  const user = container.securityContext?.runAsUser ?? spec.securityContext?.runAsUser;
  const group = container.securityContext?.runAsGroup ?? spec.securityContext?.runAsGroup;
  const missing = [...(typeof user === 'number' ? [] : ['user (runAsUser)']), ...(typeof group === 'number' ? [] : ['group (runAsGroup)'])];
  if (missing.length > 0) {
    fail('debug.runAsAppUser', true, `needs the ${missing.join(' and ')} of the app container '${container.name}', and neither it nor the Pod sets ${missing.length > 1 ? 'them' : 'it'} `
      + "(the image's USER is not known at synth)",
    "Set them on the app container or the Pod (cdk8s-plus: securityContext: { user: 1000, group: 1000 }), or remove 'runAsAppUser'.", where);
  }
  if (user === 0 && r.profile?._nonRoot) {
    fail('debug.runAsAppUser', true, `runs the debug container as the user of the app container '${container.name}', root (0), which DebugProfile.${r.profile.name.toUpperCase()} forbids`,
      "Run the app as a non-root user, or remove 'runAsAppUser' or the profile.", where);
  }
  return { user, group };
}

/**
 * The debug container's mounts of the app container's volumes: each at
 * `/app` + the app's mount path, read-only unless `readOnly: false`, a subPath
 * carried as it is. An ephemeral container may not mount a subPath.
 */
function mountsOf(r: ResolvedDebug, container: any, ephemeral: boolean, where: IConstruct): any[] {
  const wanted = r.appVolumes!;
  const mounts: any[] = Array.isArray(container.volumeMounts) ? container.volumeMounts : [];
  const mounted = [...new Set(mounts.map(m => m.name))];
  (wanted.names ?? []).forEach((name, i) => {
    if (!mounted.includes(name)) {
      fail(`debug.appVolumes.names[${i}]`, name, `is not a volume the app container '${container.name}' mounts (it mounts ${mounted.join(', ') || 'none'})`,
        "Name one of them, or omit 'names' to mount them all.", where);
    }
  });
  const chosen = mounts.filter(m => wanted.names === undefined || wanted.names.includes(m.name));
  const bySubPath = chosen.filter(m => m.subPath !== undefined || m.subPathExpr !== undefined);
  if (ephemeral && bySubPath.length > 0) {
    fail('debug.appVolumes', wanted.names ?? 'every volume', `mounts ${bySubPath.map(m => `'${m.name}' (subPath ${m.subPath ?? m.subPathExpr})`).join(', ')}, `
      + 'and an ephemeral container may not mount a subPath (the API server refuses it)',
    `Name only volumes the app mounts whole in 'debug.appVolumes.names', or read the file through the app's root: /proc/<pid>/root${bySubPath[0].mountPath} (see docs/fitting-pods.md).`, where);
  }
  // Keys in cdk8s's sorted order.
  return chosen.map(m => ({
    mountPath: `${APP_FILES_PATH}${m.mountPath}`,
    name: m.name,
    ...(wanted.readOnly ? { readOnly: true } : m.readOnly === undefined ? {} : { readOnly: m.readOnly }),
    ...(m.subPath === undefined ? {} : { subPath: m.subPath }),
    ...(m.subPathExpr === undefined ? {} : { subPathExpr: m.subPathExpr }),
  }));
}

/**
 * What the debug container takes from the app container of `spec`:
 * `containerName` when given (an ephemeral container's target), else
 * `debug.appContainer`, else the first. Nothing is read when neither
 * `runAsAppUser` nor `appVolumes` is set.
 */
export function appFitOf(r: ResolvedDebug, spec: any, where: IConstruct, ephemeral: boolean, containerName?: string): AppFit {
  if (!r.runAsAppUser && r.appVolumes === undefined) return { volumeMounts: [] };
  const container = appContainerOf(spec, r, r.appContainer ?? containerName, where);
  return {
    identity: r.runAsAppUser ? identityOf(r, spec, container, where) : undefined,
    volumeMounts: r.appVolumes === undefined ? [] : mountsOf(r, container, ephemeral, where),
  };
}
