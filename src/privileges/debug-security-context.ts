import { Capability } from './capability';

/**
 * An explicit security context for the debug sidecar. Every field given here
 * wins over what the tools or the profile derive; the result is still
 * validated (a non-root user with capabilities, `privileged` without
 * privilege escalation and unknown capability names are errors).
 */
export interface DebugSecurityContext {
  /**
   * The user ID the sidecar runs as.
   *
   * @default - 0 when the tools need capabilities or root, otherwise 65534 (nobody)
   */
  readonly user?: number;

  /**
   * The group ID the sidecar runs as.
   *
   * @default - not set: the image's group
   */
  readonly group?: number;

  /**
   * Whether the kubelet must refuse to start the sidecar as root
   * (`runAsNonRoot` in the manifest; cdk8s-plus calls it `ensureNonRoot` too).
   *
   * @default - false when the sidecar runs as root, otherwise true
   */
  readonly ensureNonRoot?: boolean;

  /**
   * Capabilities to add after dropping ALL. Replaces the derived set; use it
   * to grant a capability the tool table does not know about, or to prove
   * one is needed by taking it away.
   *
   * @default - the union of the tools' capabilities (or the profile's)
   */
  readonly capabilities?: Capability[];

  /**
   * Run the sidecar privileged. Requires `allowPrivilegeEscalation: true`.
   *
   * @default false (true with DebugProfile.SYSADMIN)
   */
  readonly privileged?: boolean;

  /**
   * Whether a process may gain more privileges than its parent.
   *
   * @default false (true when privileged)
   */
  readonly allowPrivilegeEscalation?: boolean;

  /**
   * Mount the sidecar's root filesystem read-only. `/tmp` is always a
   * writable emptyDir, for captures.
   *
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
}
