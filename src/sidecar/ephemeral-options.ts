import { PodSecurityLevel } from '../pod-security/level';

/**
 * Options for `DebugSidecar.ephemeralContainer`.
 */
export interface EphemeralContainerOptions {
  /**
   * The container whose process namespace the debug container joins
   * (`targetContainerName`). Ephemeral containers use this instead of
   * `shareProcessNamespace`: a tool that needs the app's processes (strace)
   * must target the app's container.
   *
   * @default - the Pod's first container (the app)
   */
  readonly targetContainer?: string;

  /**
   * The ephemeral container's name. It must differ from every container of
   * the Pod, ephemeral ones included (they cannot be removed).
   *
   * @default - the sidecar's name (`debug`)
   */
  readonly name?: string;
}

/**
 * Options for `DebugSidecar.kubectlDebug`.
 */
export interface KubectlDebugOptions extends EphemeralContainerOptions {
  /** The running Pod to debug, for example `web-7d9f8b6c5-x2x4q`. */
  readonly pod: string;

  /**
   * The Pod's namespace.
   *
   * @default - the workload's namespace, if it has one; otherwise kubectl's current namespace
   */
  readonly namespace?: string;

  /**
   * The file `kubectl debug --custom` reads; write `customJson` into it.
   *
   * @default 'debug-custom.json'
   */
  readonly customFile?: string;
}

/**
 * A `kubectl debug` command that adds the library's least-privilege debug
 * container to a running Pod as an ephemeral container.
 */
export interface KubectlDebugCommand {
  /** What follows `kubectl`, starting with `debug`. */
  readonly args: string[];

  /** The JSON to write into the `--custom` file: the container's exact securityContext. */
  readonly customJson: string;

  /**
   * The Pod Security level of the Pod once the ephemeral container is added
   * (PodSecurity checks `pods/ephemeralcontainers` too).
   */
  readonly podSecurityLevel: PodSecurityLevel;

  /**
   * Why the Pod's namespace would refuse the ephemeral container, and the
   * ways out, when the app declares the level its namespace enforces
   * (`PodSecurity.enforce` or a labelled Namespace) and the container is
   * beyond it.
   *
   * @default - no refusal is predicted
   */
  readonly refusal?: string;
}
