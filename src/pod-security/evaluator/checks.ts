// The Pod Security Standards on plain Kubernetes JSON, with the semantics of
// k8s.io/pod-security-admission's evaluator at any policy version:
//
// - the checks and their version gates are in registry.ts, the checks
//   themselves in checks-baseline.ts and checks-restricted.ts;
// - every check visits init, regular and ephemeral containers;
// - evaluating `restricted` runs the restricted checks plus the baseline
//   checks they do not override;
// - `latest` and versions newer than the newest rules evaluate as the newest.

import { PodSecurityLevel } from './level';
import { podOf } from './pod';
import { minorOf } from './policy-version';
import { checksAt } from './registry';
import { PodSecurityViolation } from './violation';
import { fail } from '../../errors';

export { BASELINE_ADDABLE_CAPABILITIES } from './checks-baseline';

function podAndMinor(podSpec: any, podMetadata: any, version: string) {
  const pod = podOf(podSpec, podMetadata);
  if (pod === undefined) {
    return fail('podSpec', podSpec, "is not a pod spec: it must be an object with 'containers'", 'Pass the pod spec as JSON, for example { containers: [{ name: "app", image: "..." }] }.');
  }
  const minor = minorOf(version);
  if (minor === undefined) {
    return fail('version', version, 'is not a Pod Security policy version', "Pass 'latest' or 'v1.<minor>', as in the label pod-security.kubernetes.io/enforce-version.");
  }
  return { pod, minor };
}

/**
 * What keeps a pod (spec and template metadata, plain JSON) from `level`, as
 * evaluating `level` at `version` (`latest` or `v1.<minor>`) reports it, one
 * entry per offending field and value. Empty for PRIVILEGED.
 */
export function podSecurityViolations(podSpec: any, podMetadata: any, level: PodSecurityLevel, version: string): PodSecurityViolation[] {
  const { pod, minor } = podAndMinor(podSpec, podMetadata, version);
  return checksAt(level, minor).flatMap(c => c.run(pod));
}

/** Whether every check of `level` at `version` passes; stops at the first failing check. */
function satisfies(pod: ReturnType<typeof podAndMinor>, level: PodSecurityLevel): boolean {
  return checksAt(level, pod.minor).every(c => c.run(pod.pod).length === 0);
}

/** The strictest level a pod satisfies at `version`. */
export function podSecurityLevel(podSpec: any, podMetadata: any, version: string): PodSecurityLevel {
  const pod = podAndMinor(podSpec, podMetadata, version);
  if (satisfies(pod, PodSecurityLevel.RESTRICTED)) return PodSecurityLevel.RESTRICTED;
  if (satisfies(pod, PodSecurityLevel.BASELINE)) return PodSecurityLevel.BASELINE;
  return PodSecurityLevel.PRIVILEGED;
}

const STRICTNESS = [PodSecurityLevel.PRIVILEGED, PodSecurityLevel.BASELINE, PodSecurityLevel.RESTRICTED];

/** Positive when a is stricter than b. */
export function compareLevels(a: PodSecurityLevel, b: PodSecurityLevel): number {
  return STRICTNESS.indexOf(a) - STRICTNESS.indexOf(b);
}
