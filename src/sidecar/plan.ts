import { AppFit, AppIdentity } from './app-container';
import { ResolvedDebug } from './resolve';
import { SidecarForm } from './sidecar-form';

/** Where the sidecar's scratch emptyDir is mounted. */
export const SCRATCH_PATH = '/tmp';
/** Where Kubernetes mounts the service account token; masked in the sidecar. */
export const SERVICE_ACCOUNT_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/** What the sidecar adds to a pod spec. Plain Kubernetes JSON, the same for every workload kind. */
export interface SidecarPlan {
  /** The container, for `containers` or (native sidecar) `initContainers`. */
  readonly container: any;
  /** Whether the container goes to `initContainers` (native sidecar). */
  readonly asInitContainer: boolean;
  /** Volumes the container needs. */
  readonly volumes: any[];
  /** Set `shareProcessNamespace: true` on the pod spec. */
  readonly shareProcessNamespace: boolean;
  /** Pull secrets the Pod must have (added after its own, each once). */
  readonly imagePullSecrets: string[];
}

/** Sorts keys the way cdk8s does, so the sidecar reads like the rest of the manifest. */
export function sorted(value: any): any {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map(k => [k, sorted(value[k])]));
  }
  return value;
}

/**
 * The debug container's security context: the same for the sidecar, the
 * ephemeral container and the debug copy.
 * @param identity the app container's user and group, with `runAsAppUser`
 */
export function securityContextOf(r: ResolvedDebug, identity?: AppIdentity): any {
  const securityContext: any = {
    allowPrivilegeEscalation: r.allowPrivilegeEscalation,
    privileged: r.privileged,
    readOnlyRootFilesystem: r.readOnlyRootFilesystem,
    runAsNonRoot: identity === undefined ? r.ensureNonRoot : identity.user !== 0,
    runAsUser: identity === undefined ? r.runAsUser : identity.user,
    seccompProfile: { type: 'RuntimeDefault' },
  };
  const group = identity === undefined ? r.runAsGroup : identity.group;
  if (group !== undefined) securityContext.runAsGroup = group;
  // A privileged container gets every capability whatever the list says.
  if (!r.privileged) {
    securityContext.capabilities = r.capabilities.length > 0 ? { add: r.capabilities, drop: ['ALL'] } : { drop: ['ALL'] };
  }
  return sorted(securityContext);
}

/**
 * Turns a decided sidecar into the JSON it adds to a pod spec.
 * @param maskServiceAccountToken mount an empty directory over the token path
 *        (when the Pod automounts a token the sidecar must not see)
 * @param app what the sidecar takes from the app container (its user, its volumes)
 */
export function planSidecar(r: ResolvedDebug, maskServiceAccountToken: boolean, app: AppFit = { volumeMounts: [] }): SidecarPlan {
  const scratchVolume = `${r.name}-scratch`;
  const tokenVolume = `${r.name}-no-token`;
  const volumeMounts: any[] = [{ name: scratchVolume, mountPath: SCRATCH_PATH }];
  const volumes: any[] = [{ name: scratchVolume, emptyDir: { sizeLimit: r.scratchSizeLimit } }];
  if (maskServiceAccountToken) {
    volumeMounts.push({ name: tokenVolume, mountPath: SERVICE_ACCOUNT_TOKEN_PATH });
    volumes.push({ name: tokenVolume, emptyDir: { sizeLimit: '1Mi' } });
  }
  volumeMounts.push(...app.volumeMounts);
  const asInitContainer = r.form === SidecarForm.NATIVE_SIDECAR;
  const container: any = {
    name: r.name,
    image: r.image.reference,
    imagePullPolicy: r.imagePullPolicy,
    command: r.command,
    resources: r.resources,
    securityContext: securityContextOf(r, app.identity),
    volumeMounts,
  };
  if (asInitContainer) container.restartPolicy = 'Always';
  return {
    container: sorted(container),
    asInitContainer,
    volumes: volumes.map(sorted),
    shareProcessNamespace: r.shareProcessNamespace,
    imagePullSecrets: r.imagePullSecrets,
  };
}
