// Pod Security policy versions, written as Kubernetes writes them in the
// label pod-security.kubernetes.io/enforce-version: `v1.35` or `latest`.

import { fail } from '../../errors';

/** The version Kubernetes evaluates a namespace at when it names none. */
export const LATEST = 'latest';

/**
 * The oldest and newest minor versions of Kubernetes 1.x the library knows:
 * the range of both KubernetesVersion (`1.23`) and the policy versions a
 * caller may ask for (`v1.23`). The one place the range is written.
 */
export const OLDEST_KNOWN_MINOR = 23;
export const NEWEST_KNOWN_MINOR = 37;

/** The version `latest` means in this release. */
export const LATEST_VERSION = `v1.${NEWEST_KNOWN_MINOR}`;

/** What k8s.io/pod-security-admission's api.ParseVersion accepts besides `latest`. */
const VERSION = /^v1\.([0-9]|[1-9][0-9]*)$/;

/** minorOf's answers, since every evaluation asks. */
const MINORS = new Map<string, number | undefined>();

/**
 * The minor version whose rules apply to a version Kubernetes accepts:
 * `latest` and anything newer than this release knows count as the newest
 * (as the official evaluator clamps them to its newest rules). Undefined for
 * anything Kubernetes rejects.
 */
export function minorOf(version: string): number | undefined {
  if (version === LATEST) return NEWEST_KNOWN_MINOR;
  // Stryker disable next-line ConditionalExpression: a cache of a pure function: skipping it recomputes the same answer
  if (MINORS.has(version)) return MINORS.get(version);
  const match = typeof version === 'string' ? VERSION.exec(version) : null;
  const minor = match === null ? undefined : Math.min(Number(match[1]), NEWEST_KNOWN_MINOR);
  // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,StringLiteral: whether and how much to cache changes memory, not answers (a non-string is never a version)
  if (typeof version === 'string' && MINORS.size < 1000) MINORS.set(version, minor);
  return minor;
}

/** A version given to the library (an option or construct context): `latest` or `v1.23` to `v1.37`. Anything else is an error naming it. */
export function checkVersion(field: string, value: unknown): string {
  if (value === LATEST) return LATEST;
  const match = typeof value === 'string' ? VERSION.exec(value) : null;
  if (match === null) {
    return fail(field, value, 'is not a Pod Security policy version',
      `Write it as the label pod-security.kubernetes.io/enforce-version does: 'latest' or 'v1.${NEWEST_KNOWN_MINOR - 2}' (v1.${OLDEST_KNOWN_MINOR} to ${LATEST_VERSION}).`);
  }
  const minor = Number(match[1]);
  if (minor < OLDEST_KNOWN_MINOR || minor > NEWEST_KNOWN_MINOR) {
    return fail(field, value, `is not a Pod Security policy version this library knows (v1.${OLDEST_KNOWN_MINOR} to ${LATEST_VERSION}, or latest)`,
      // Stryker disable next-line EqualityOperator: minor is here < OLDEST_KNOWN_MINOR or > NEWEST_KNOWN_MINOR, so > and >= agree
      minor > NEWEST_KNOWN_MINOR ? `Use '${LATEST_VERSION}' or 'latest' until a release of cdk8s-debuggable knows v1.${minor}.`
        : `Kubernetes 1.${minor} is out of support; use 'v1.${OLDEST_KNOWN_MINOR}' or later.`);
  }
  return value as string;
}

/**
 * The version Kubernetes reads from a namespace's enforce-version label: the
 * label when it is `latest` or `v1.<minor>`, else `latest`
 * (api.PolicyToEvaluate: ParseVersion returns latest with its error, and the
 * admission goes on with it, recording the error in an audit annotation).
 */
export function versionOfLabel(value: string): { readonly version: string; readonly valid: boolean } {
  return minorOf(value) === undefined ? { version: LATEST, valid: false } : { version: value, valid: true };
}

/**
 * The version an API server of version `cluster` evaluates `version` at: its
 * evaluator knows no rules newer than itself, so `latest` and newer versions
 * count as its own (policy.NewEvaluator clamps to its newest rules, or to
 * the emulated version).
 */
export function evaluatedBy(version: string, cluster: string | undefined): string {
  if (cluster === undefined) return version;
  return minorOf(version)! >= minorOf(cluster)! ? cluster : version;
}
