/**
 * A level of the Kubernetes Pod Security Standards, as the label
 * `pod-security.kubernetes.io/enforce` spells it. From the strictest:
 * `RESTRICTED`, `BASELINE`, `PRIVILEGED`.
 */
export enum PodSecurityLevel {
  /**
   * Hardened: baseline, plus non-root, no privilege escalation, every
   * capability dropped (only NET_BIND_SERVICE added back), a RuntimeDefault or
   * Localhost seccomp profile and a short list of volume types.
   */
  RESTRICTED = 'restricted',
  /**
   * Prevents known privilege escalations: no host namespaces, host paths or
   * host ports, not privileged, and only the default capabilities (no NET_RAW,
   * NET_ADMIN or SYS_PTRACE).
   */
  BASELINE = 'baseline',
  /** Unrestricted. */
  PRIVILEGED = 'privileged',
}
