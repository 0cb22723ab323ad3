import { Duration } from 'cdk8s';
import { PodSecurityLevel } from '../pod-security/evaluator/level';

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
   * @default - the sidecar's name (`debug`), or that name with `-ephemeral`
   * (`debug-ephemeral`) when a container of the Pod already has it, as the
   * sidecar does when debug is on
   */
  readonly name?: string;

  /**
   * How long the ephemeral container lives: its keep-alive exits after this
   * time, and Kubernetes never restarts an ephemeral container, so its
   * capabilities end with it (the container stays listed, terminated, in the
   * Pod until the Pod is deleted). Whole seconds, rounded up.
   *
   * @default - it runs until the Pod stops
   */
  readonly ttl?: Duration;
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

  /**
   * Debug a copy of the Pod instead, for an app that crash-loops (an
   * ephemeral container cannot help there): the name of the copy.
   * `kubectl debug <pod> --copy-to=<name> --share-processes` creates it with
   * the debug container as a regular container (its exact securityContext
   * through `--custom`), the Pod's processes shared, and the app's labels,
   * annotations and probes dropped, so it gets no Service traffic and is
   * never restarted for failing a probe. `targetContainer` is then the app
   * container (`sleepApp`), and there is no `--target`. It needs the
   * kubectl version in `minKubectlVersion` or later.
   *
   * @default - no copy: an ephemeral container in the running Pod
   */
  readonly copyTo?: string;

  /**
   * With `copyTo`: replace the app container's command in the copy with a
   * keep-alive (`/bin/sh` must be in its image), so the app can be started
   * by hand inside (`kubectl exec -it <copy> -c <app> -- sh`). The command
   * then reads the Pod with `kubectl get` and patches it locally
   * (`kubectl patch --local`) before the copy is made: see `pipedFrom`.
   *
   * @default false - the copy runs the app's own command
   */
  readonly sleepApp?: boolean;
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
   * The oldest kubectl that runs `args` as they are (`1.31`: `--custom` is
   * on by default from 1.31; 1.30 needs `KUBECTL_DEBUG_CUSTOM_PROFILE=true`).
   */
  readonly minKubectlVersion: string;

  /**
   * What follows `kubectl` to label the Pod as a debug Pod
   * (`DebugSidecar.POD_LABEL`), as a sidecar's Pod is: run it after `args`,
   * so `kubectl get pods -l cdk8s-debuggable.dev/debug` lists it.
   */
  readonly labelArgs: string[];

  /**
   * What follows `kubectl` to record on the Pod which container was added,
   * with which tools and capabilities, until when, why and by whom (the
   * annotations a sidecar's Pod carries).
   */
  readonly annotateArgs: string[];

  /**
   * Why the Pod's namespace would refuse the ephemeral container, and the
   * ways out, when the app declares the level its namespace enforces
   * (`PodSecurity.enforce` or a labelled Namespace) and the container is
   * beyond it.
   *
   * @default - no refusal is predicted
   */
  readonly refusal?: string;

  /**
   * What to do when the debug image needs pull secrets
   * (`debug.imagePullSecrets`) that the Pod, as the workload synthesizes,
   * does not have: an ephemeral container cannot add any
   * (kubernetes/kubernetes#127835). A debug copy gets them.
   *
   * @default - no pull secret is missing
   */
  readonly pullSecretAdvice?: string;

  /**
   * For a debug copy that changes the Pod first (`sleepApp`, or pull secrets
   * the Pod lacks): the `kubectl` commands to run before `args`, each one's
   * output piped into the next, the last into `args` (which then reads the
   * Pod from standard input, `-f -`): `kubectl get pod -o json`, then
   * `kubectl patch --local`.
   *
   * @default - none: `args` reads the Pod from the cluster
   */
  readonly pipedFrom?: string[][];
}
