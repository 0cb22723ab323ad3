// The level and version Kubernetes enforces where a workload runs, read
// from PodSecurity.enforce (construct context) and from Namespace objects
// in the same app, the way the API server reads namespace labels
// (k8s.io/pod-security-admission api.PolicyToEvaluate).

import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { fail } from '../errors';
import { clusterVersionAt } from './cluster-version';
import { compareLevels } from './evaluator/checks';
import { PodSecurityLevel } from './evaluator/level';
import { checkVersion, evaluatedBy, LATEST, versionOfLabel } from './evaluator/policy-version';

export const ENFORCE_CONTEXT_KEY = 'cdk8s-debuggable/pod-security-enforce';
export const ENFORCE_VERSION_CONTEXT_KEY = 'cdk8s-debuggable/pod-security-enforce-version';
export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
export const ENFORCE_VERSION_LABEL = 'pod-security.kubernetes.io/enforce-version';

const LEVELS = Object.values(PodSecurityLevel) as string[];

export function checkLevel(field: string, level: unknown): PodSecurityLevel {
  if (typeof level !== 'string' || !LEVELS.includes(level)) {
    return fail(field, level, 'is not a Pod Security level', 'Use PodSecurityLevel.RESTRICTED, BASELINE or PRIVILEGED.');
  }
  return level as PodSecurityLevel;
}

interface NamespaceLabels {
  readonly level?: string;
  readonly version?: string;
}

/** The enforce and enforce-version labels of the v1 Namespaces of one app, by name. */
export type NamespaceIndex = ReadonlyMap<string, NamespaceLabels>;

/**
 * The enforce and enforce-version labels of every v1 Namespace in the app
 * `scope` belongs to, by name, read from the tree as it is now. Nothing is
 * kept: a Namespace defined after one read is seen by the next. A caller
 * that asks for many workloads at once (the sidecars' validation pass) reads
 * it once and passes it on, so synth stays linear.
 */
export function namespaceIndexOf(scope: IConstruct): NamespaceIndex {
  const labels = new Map<string, NamespaceLabels>();
  for (const ns of scope.node.root.node.findAll()) {
    if (!(ns instanceof ApiObject) || ns.kind !== 'Namespace' || ns.apiVersion !== 'v1') continue;
    const json = ns.toJson();
    const level = json.metadata?.labels?.[ENFORCE_LABEL];
    const version = json.metadata?.labels?.[ENFORCE_VERSION_LABEL];
    if (json.metadata?.name !== undefined && (level !== undefined || version !== undefined)) {
      labels.set(json.metadata.name, {
        level: level === undefined ? undefined : String(level),
        version: version === undefined ? undefined : String(version),
      });
    }
  }
  return labels;
}

export interface EnforcedLevel {
  readonly level: PodSecurityLevel;
  readonly source: string;
  /** The policy version to evaluate at: `v1.34` or `latest`. */
  readonly version: string;
}

/**
 * The level enforced where a workload runs, who declares it, and the version
 * it is evaluated at. Level: the strictest of the context and the workload's
 * Namespace label (an invalid label value counts as restricted, as in
 * Kubernetes). Version: the Namespace's enforce-version label (an invalid
 * one counts as latest, as in Kubernetes), else the context's, else the
 * cluster's Kubernetes version, else latest; with a declared cluster
 * version, `latest` and newer versions are the cluster's own (its API server
 * knows no newer rules).
 */
export function enforcedLevelOf(apiObject: ApiObject, namespaces: NamespaceIndex = namespaceIndexOf(apiObject)): EnforcedLevel | undefined {
  const found: Array<{ level: PodSecurityLevel; source: string }> = [];
  const fromContext = apiObject.node.tryGetContext(ENFORCE_CONTEXT_KEY);
  if (fromContext !== undefined) {
    found.push({ level: checkLevel(`context ${ENFORCE_CONTEXT_KEY}`, fromContext), source: `context ${ENFORCE_CONTEXT_KEY} (PodSecurity.enforce)` });
  }
  // cdk8s copies the chart's namespace into metadata; reading it avoids serializing the workload again.
  const namespace: string | undefined = apiObject.metadata.namespace ?? Chart.of(apiObject).namespace;
  const labels = namespace === undefined ? undefined : namespaces.get(namespace);
  if (labels?.level !== undefined) {
    const valid = LEVELS.includes(labels.level);
    found.push({
      level: valid ? labels.level as PodSecurityLevel : PodSecurityLevel.RESTRICTED,
      source: `Namespace ${namespace} via label ${ENFORCE_LABEL}`
        + (valid ? '' : `, whose value '${labels.level}' is not a level and so counts as restricted`),
    });
  }
  const winner = found.sort((a, b) => compareLevels(b.level, a.level))[0];
  if (winner === undefined) return undefined;

  let version: string;
  let note = '';
  if (labels?.version !== undefined) {
    const parsed = versionOfLabel(labels.version);
    version = parsed.version;
    if (!parsed.valid) note = `; its ${ENFORCE_VERSION_LABEL} '${labels.version}' is not a version and so counts as latest`;
  } else {
    const fromVersionContext = apiObject.node.tryGetContext(ENFORCE_VERSION_CONTEXT_KEY);
    version = fromVersionContext === undefined ? LATEST : checkVersion(`context ${ENFORCE_VERSION_CONTEXT_KEY}`, fromVersionContext);
  }
  return { level: winner.level, source: winner.source + note, version: evaluatedBy(version, clusterVersionAt(apiObject)) };
}
