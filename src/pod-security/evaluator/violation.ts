import { PodSecurityLevel } from './level';

/**
 * One reason a Pod does not satisfy a Pod Security level.
 */
export interface PodSecurityViolation {
  /**
   * The level of the check that failed: `BASELINE` for a baseline check (it
   * breaks restricted too), `RESTRICTED` for a check only restricted makes.
   */
  readonly level: PodSecurityLevel;

  /**
   * The id of the failing check in k8s.io/pod-security-admission, for example
   * `capabilities_baseline`, `capabilities_restricted`, `runAsNonRoot`,
   * `seccompProfile_restricted`, `hostNamespaces`.
   */
  readonly check: string;

  /**
   * The container the violation is in, when it is in one (regular, init or
   * ephemeral).
   *
   * @default - the violation is in the Pod (its spec, security context,
   * volumes or annotations)
   */
  readonly container?: string;

  /**
   * The offending field relative to the container, when the violation is in
   * one: `securityContext.capabilities.add` for the `field`
   * `spec.containers[debug].securityContext.capabilities.add`. The same for
   * regular, init and ephemeral containers, so it can be compared without
   * parsing `field`.
   *
   * @default - the violation is in the Pod, not in a container (see `field`)
   */
  readonly containerField?: string;

  /**
   * The offending field, relative to the Pod and with containers and volumes
   * by name, for example
   * `spec.containers[debug].securityContext.capabilities.add`.
   */
  readonly field: string;

  /**
   * The offending value, for example `NET_RAW`; `(unset)` when the check
   * needs a field that is not set.
   */
  readonly value: string;

  /** What is wrong and what the level allows, in one sentence. */
  readonly message: string;
}
