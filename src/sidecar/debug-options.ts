import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { SidecarForm } from './sidecar-form';
import { DebugImage } from '../image/debug-image';
import { DebugProfile } from '../privileges/debug-profile';
import { DebugSecurityContext } from '../privileges/debug-security-context';
import { DebugTool } from '../privileges/debug-tool';

/**
 * Options for the debug sidecar. Every field is optional.
 */
export interface DebugOptions {
  /**
   * Whether the sidecar is added. When not set here, the construct context
   * key `cdk8s-debuggable/enabled` decides, then the environment variable
   * `CDK8S_DEBUG` read at synth (`true`/`false`), then it is off.
   * See `DebugToggle`.
   *
   * @default - from the context, then CDK8S_DEBUG, otherwise false
   */
  readonly enabled?: boolean;

  /**
   * Allow the sidecar where the environment is declared production
   * (context `cdk8s-debuggable/environment` or `CDK8S_ENVIRONMENT` set to
   * `production` or `prod`). Without it, debug on in production is an error.
   *
   * @default false
   */
  readonly allowInProduction?: boolean;

  /**
   * The sidecar's image, with its family: `DebugImage.of(reference, family)`.
   * The family decides some tools' capabilities; for an image of unknown
   * family the sidecar gets the union of the families' capabilities.
   *
   * @default DebugImage.NETSHOOT ('docker.io/nicolaka/netshoot:v0.14', Alpine)
   */
  readonly image?: DebugImage;

  /**
   * When the kubelet pulls the sidecar's image. Locally built and air-gapped
   * debug images need `NEVER` or `IF_NOT_PRESENT`.
   *
   * @default kplus.ImagePullPolicy.IF_NOT_PRESENT (the image is pinned, so a
   * cached copy is the same image; cdk8s-plus would otherwise use ALWAYS)
   */
  readonly imagePullPolicy?: kplus.ImagePullPolicy;

  /**
   * The sidecar's command. It must keep the container running.
   *
   * @default - a POSIX shell keep-alive that never exits on its own and exits
   * at once on SIGTERM (works with busybox, Alpine and Debian shells); with
   * SidecarForm.EXIT_WITH_APP it also exits when the application's processes
   * are gone
   */
  readonly command?: string[];

  /**
   * The tools the sidecar must be able to run. They decide its capabilities,
   * its user and whether the Pod shares its process namespace.
   *
   * @default - none: the sidecar runs as a non-root user with every
   * capability dropped (enough for curl, dig, ss)
   */
  readonly tools?: DebugTool[];

  /**
   * A privilege preset with the semantics of `kubectl debug --profile`.
   * Every tool must be one the profile can serve.
   *
   * @default - no preset: privileges are derived from the tools alone
   */
  readonly profile?: DebugProfile;

  /**
   * An explicit security context; its fields win over the derived ones.
   *
   * @default - derived from the tools and the profile
   */
  readonly securityContext?: DebugSecurityContext;

  /**
   * Resources of the sidecar.
   *
   * @default - requests 10m CPU and 32Mi memory, limits 500m CPU and 256Mi memory
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * The sidecar container's name.
   *
   * @default 'debug'
   */
  readonly name?: string;

  /**
   * Share the Pod's process namespace even if no tool needs it.
   *
   * @default - true only when a tool (or the profile, or the sidecar form) needs it
   */
  readonly shareProcessNamespace?: boolean;

  /**
   * Size limit of the writable emptyDir mounted at `/tmp` for captures.
   *
   * @default Size.mebibytes(512)
   */
  readonly scratchSizeLimit?: Size;

  /**
   * How the sidecar joins the Pod.
   *
   * @default - SidecarForm.EXIT_WITH_APP for Jobs, CronJobs and Pods whose
   * restartPolicy is not Always; SidecarForm.CONTAINER otherwise
   */
  readonly form?: SidecarForm;

  /**
   * The end of the debug window, as an ISO 8601 date (`2026-12-31`, midnight
   * UTC) or date and time with a zone (`2026-12-31T18:00:00+01:00`). From
   * then on, synth gives the plain workload and a warning that says debug
   * expired and how to extend it. Synth compares it with the context
   * `cdk8s-debuggable/now` or the variable `CDK8S_DEBUGGABLE_NOW` when set,
   * else the clock. A regular sidecar ends at the first rollout after the
   * date (the kubelet restarts a container that exits), so deploy again.
   *
   * @default - no end date
   */
  readonly until?: string;

  /**
   * Why the sidecar is there (an incident, a ticket), recorded on the Pod as
   * the annotation `cdk8s-debuggable.dev/reason`.
   *
   * @default - no reason annotation
   */
  readonly reason?: string;

  /**
   * Who is responsible for the sidecar (a person or a team), recorded on the
   * Pod as the annotation `cdk8s-debuggable.dev/owner`.
   *
   * @default - no owner annotation
   */
  readonly owner?: string;

  /**
   * On OpenShift, the name of a SecurityContextConstraints the Pod must be
   * admitted under for the sidecar's privileges (for example `privileged`:
   * the default `restricted-v2` forbids user 0 and added capabilities).
   * When debug is on, the library emits what an administrator would otherwise
   * run by hand: a RoleBinding of the ClusterRole `system:openshift:scc:<name>`
   * to the Pod's service account, and, when the Pod uses the namespace's
   * `default` account, a dedicated ServiceAccount `<workload>-debug` that the
   * Pod is switched to (so the SCC is not granted to every Pod of the
   * namespace). Needs the workload's namespace (metadata or Chart).
   *
   * @default - no OpenShift objects
   */
  readonly openShiftScc?: string;

  /**
   * Secrets (of type `kubernetes.io/dockerconfigjson`, in the Pod's
   * namespace) the kubelet uses to pull the debug image from a private
   * registry. When debug is on they are added to the Pod's
   * `imagePullSecrets`, after the application's, each once. A running Pod's
   * pull secrets cannot change (kubernetes/kubernetes#127835), so
   * `kubectlDebug()` says what to do when the Pod lacks them, and a debug copy
   * (`copyTo`) gets them.
   *
   * @default - none: the Pod keeps its own pull secrets
   */
  readonly imagePullSecrets?: string[];

  /**
   * Where the environment is declared production, refuse a debug image that
   * is not pinned by digest (`repo@sha256:...`), tag or not. Elsewhere such an
   * image is a warning.
   *
   * @default false - production refuses only a mutable tag (latest or none)
   */
  readonly requireDigestInProduction?: boolean;

  /**
   * The application container whose volumes (`appVolumes`) and user
   * (`runAsAppUser`) the debug container takes; for an ephemeral container,
   * also the default target.
   *
   * @default - the Pod's first container
   */
  readonly appContainer?: string;

  /**
   * Mount the application container's volumes into the debug container, each
   * at `/app` followed by the app's mount path (the app's `/etc/config` is the
   * debug container's `/app/etc/config`), read-only unless told otherwise.
   * A subPath mount is carried as it is. The sidecar and the ephemeral
   * container both get them (ephemeral containers may mount the Pod's
   * volumes, but not a subPath of one).
   *
   * @default - none of the app's volumes is mounted
   */
  readonly appVolumes?: DebugAppVolumes;

  /**
   * Run the debug container as the application container's user and group
   * (its `runAsUser` and `runAsGroup`, else the Pod's), so it reads what the
   * app can read, including the app's root filesystem through
   * `/proc/<pid>/root` with a shared process namespace, and nothing more. For
   * tools that need no capability (curl, dig, cat): capabilities do not take
   * effect for a non-root user. The app's user and group must be set in the
   * manifest (the image's USER is not known at synth).
   *
   * @default false - the user follows the tools (root with capabilities, otherwise 65534)
   */
  readonly runAsAppUser?: boolean;
}

/**
 * Which of the application container's volumes the debug container mounts
 * (`DebugOptions.appVolumes`).
 */
export interface DebugAppVolumes {
  /**
   * The names of the volumes to mount; each must be mounted by the app
   * container.
   *
   * @default - every volume the app container mounts
   */
  readonly names?: string[];

  /**
   * Mount them read-only. With `false`, each is mounted as the app mounts it
   * (read-write unless the app's mount is read-only).
   *
   * @default true
   */
  readonly readOnly?: boolean;
}
