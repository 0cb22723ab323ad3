// The level and version Kubernetes enforces where a workload runs, read
// from PodSecurity.enforce (construct context) and from Namespace objects
// in the same app, the way the API server reads namespace labels
// (k8s.io/pod-security-admission api.PolicyToEvaluate).

import { ApiObject, Chart } from 'cdk8s';
import { fail } from '../errors';
import { compareLevels } from './checks';
import { PodSecurityLevel } from './level';
import { checkVersion, clusterVersionAt, evaluatedBy, LATEST, versionOfLabel } from './policy-version';

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

/**
 * The enforce and enforce-version labels of every v1 Namespace in the app,
 * by name. Built once per app and kept: it is read during validation, after
 * the tree is complete, and a scan per workload would make synth quadratic.
 */
const LABELS = new WeakMap<object, Map<string, NamespaceLabels>>();
function namespaceLabels(apiObject: ApiObject): Map<string, NamespaceLabels> {
  const root = apiObject.node.root;
  let labels = LABELS.get(root);
  if (labels === undefined) {
    labels = new Map();
    for (const ns of root.node.findAll()) {
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
    LABELS.set(root, labels);
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
export function enforcedLevelOf(apiObject: ApiObject): EnforcedLevel | undefined {
  const found: Array<{ level: PodSecurityLevel; source: string }> = [];
  const fromContext = apiObject.node.tryGetContext(ENFORCE_CONTEXT_KEY);
  if (fromContext !== undefined) {
    found.push({ level: checkLevel(`context ${ENFORCE_CONTEXT_KEY}`, fromContext), source: `context ${ENFORCE_CONTEXT_KEY} (PodSecurity.enforce)` });
  }
  // cdk8s copies the chart's namespace into metadata; reading it avoids serializing the workload again.
  const namespace: string | undefined = apiObject.metadata.namespace ?? Chart.of(apiObject).namespace;
  const labels = namespace === undefined ? undefined : namespaceLabels(apiObject).get(namespace);
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
