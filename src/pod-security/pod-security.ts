import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { fail } from '../errors';
import { isObject, metadataPathOf, POD_SPEC_PATHS, podSpecPathOf, pointer } from '../pod-spec';
import { compareLevels, podSecurityLevel, podSecurityViolations, PSS_POLICY_VERSION } from './checks';
import { PodSecurityLevel } from './level';
import { PodSecurityViolation } from './violation';

const LEVELS = Object.values(PodSecurityLevel) as string[];

/** The workload ApiObject of a construct: itself, its default child, or the only workload under it. */
function workloadOf(construct: IConstruct): ApiObject {
  if (construct instanceof ApiObject) return construct;
  const child = construct.node.defaultChild;
  if (child instanceof ApiObject) return child;
  const workloads = construct.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && podSpecPathOf(c) !== undefined);
  if (workloads.length === 1) return workloads[0];
  return fail('workload', construct.node.path,
    workloads.length === 0 ? 'has no workload under it (a cdk8s-plus workload or an ApiObject with a pod template)'
      : `has ${workloads.length} workloads under it (${workloads.map(w => w.node.path).join(', ')})`,
    'Pass one workload: the cdk8s-plus workload, its ApiObject, or a construct with exactly one workload under it.');
}

/** The pod spec and template metadata of a workload object, as synthesized. */
function podOf(apiObject: ApiObject): { spec: any; metadata: any } {
  const path = podSpecPathOf(apiObject);
  if (path === undefined) {
    return fail('kind', apiObject.kind, 'has no pod template, so this object has no Pod Security level',
      `Pass a workload (${Object.keys(POD_SPEC_PATHS).join(', ')}), or an object a debug sidecar was attached to with 'podSpecPath'.`, apiObject);
  }
  const json = apiObject.toJson();
  const spec = pointer(json, path);
  if (!isObject(spec)) {
    return fail('podSpecPath', path, `points at no pod spec in ${apiObject.node.path}`, 'Give the JSON pointer of the pod spec in this object.');
  }
  const metaPath = metadataPathOf(path);
  return { spec, metadata: metaPath === undefined ? undefined : pointer(json, metaPath) };
}

function checkLevel(field: string, level: unknown): PodSecurityLevel {
  if (typeof level !== 'string' || !LEVELS.includes(level)) {
    return fail(field, level, 'is not a Pod Security level', 'Use PodSecurityLevel.RESTRICTED, BASELINE or PRIVILEGED.');
  }
  return level as PodSecurityLevel;
}

/**
 * The enforce label of every v1 Namespace in the app, by name. Built once per
 * app and kept: it is read during validation, after the tree is complete, and
 * a scan per workload would make synth quadratic.
 */
const ENFORCE_LABELS = new WeakMap<object, Map<string, string>>();
function enforceLabels(apiObject: ApiObject): Map<string, string> {
  const root = apiObject.node.root;
  let labels = ENFORCE_LABELS.get(root);
  if (labels === undefined) {
    labels = new Map();
    for (const ns of root.node.findAll()) {
      if (!(ns instanceof ApiObject) || ns.kind !== 'Namespace' || ns.apiVersion !== 'v1') continue;
      const json = ns.toJson();
      const value = json.metadata?.labels?.[PodSecurity.ENFORCE_LABEL];
      if (json.metadata?.name !== undefined && value !== undefined) labels.set(json.metadata.name, String(value));
    }
    ENFORCE_LABELS.set(root, labels);
  }
  return labels;
}

/**
 * The Kubernetes Pod Security Standards, evaluated on synthesized workloads
 * at synth time, without a cluster.
 *
 * The rules are those of `k8s.io/pod-security-admission` at policy version
 * v1.27: every check the API server's PodSecurity admission runs, over init,
 * regular and ephemeral containers, with the same results (the test suite
 * compares them with the official Go evaluator).
 *
 * `PodSecurity.enforce` declares the level of the namespace a subtree runs
 * in; a debug sidecar that would take its Pod beyond the level is then an
 * error at synth, naming the tool and the capability.
 */
export class PodSecurity {
  /** Context key that declares the Pod Security level enforced where a subtree runs. */
  public static readonly ENFORCE_CONTEXT_KEY = 'cdk8s-debuggable/pod-security-enforce';

  /** The namespace label through which Kubernetes enforces a level. */
  public static readonly ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

  /** The Pod Security Standards version the rules implement. */
  public static readonly POLICY_VERSION = PSS_POLICY_VERSION;

  /**
   * The strictest level the synthesized workload satisfies: RESTRICTED,
   * BASELINE or PRIVILEGED. Includes the debug sidecar when it is enabled.
   *
   * @param workload a cdk8s-plus workload (Deployment, StatefulSet, DaemonSet,
   * Job, CronJob, Pod), a DebuggableDeployment, an ApiObject with a pod
   * template (for example from `Include`), or a construct with exactly one
   * of those under it
   */
  public static levelOf(workload: IConstruct): PodSecurityLevel {
    const pod = podOf(workloadOf(workload));
    return podSecurityLevel(pod.spec, pod.metadata);
  }

  /**
   * What keeps the synthesized workload from `level`: the failing checks of
   * an evaluation at `level`, one entry per offending field and value. Empty
   * when the workload satisfies it (always for PRIVILEGED).
   *
   * As in Kubernetes, evaluating RESTRICTED runs the restricted checks and
   * the baseline checks they do not replace, so a capability such as NET_RAW
   * is reported by `capabilities_restricted`.
   *
   * @param workload as for `levelOf`
   * @param level the level to evaluate
   */
  public static violations(workload: IConstruct, level: PodSecurityLevel): PodSecurityViolation[] {
    const checked = checkLevel('level', level);
    const pod = podOf(workloadOf(workload));
    return podSecurityViolations(pod.spec, pod.metadata, checked);
  }

  /**
   * The strictest level a plain pod spec satisfies.
   *
   * @param podSpec a Kubernetes PodSpec as JSON (`{ containers: [...], ... }`)
   * @param podMetadata the pod (template) metadata, whose AppArmor annotations count
   */
  public static levelOfPodSpec(podSpec: any, podMetadata?: any): PodSecurityLevel {
    return podSecurityLevel(podSpec, podMetadata);
  }

  /**
   * What keeps a plain pod spec from `level`.
   *
   * @param podSpec a Kubernetes PodSpec as JSON
   * @param level the level to evaluate
   * @param podMetadata the pod (template) metadata, whose AppArmor annotations count
   */
  public static violationsOfPodSpec(podSpec: any, level: PodSecurityLevel, podMetadata?: any): PodSecurityViolation[] {
    return podSecurityViolations(podSpec, podMetadata, checkLevel('level', level));
  }

  /**
   * Declares that everything under `scope` runs in a namespace that enforces
   * `level` (its label `pod-security.kubernetes.io/enforce`), for namespaces
   * that are not defined in the app. Call it before the scope has children.
   *
   * A Namespace defined anywhere in the same app with that label is found
   * without this call. Where both declare a level, the stricter counts.
   */
  public static enforce(scope: IConstruct, level: PodSecurityLevel): void {
    const checked = checkLevel('level', level);
    if (scope.node.children.length > 0) {
      fail('scope', scope.node.path, `already has children (${scope.node.children.map(c => `'${c.node.id}'`).join(', ')}), and construct context only reaches constructs added after it`,
        'Call PodSecurity.enforce right after creating the scope, before adding constructs to it.');
    }
    scope.node.setContext(PodSecurity.ENFORCE_CONTEXT_KEY, checked);
  }

  /**
   * The level enforced where a workload runs and who declares it: the
   * context `cdk8s-debuggable/pod-security-enforce`, or a Namespace object in
   * the same app (kplus.Namespace, an ApiObject, an Include) named like the
   * workload's namespace and labelled `pod-security.kubernetes.io/enforce`.
   * The strictest one wins. An invalid label value counts as restricted, as
   * in Kubernetes.
   *
   * @internal
   */
  public static _enforcedLevel(apiObject: ApiObject): { readonly level: PodSecurityLevel; readonly source: string; readonly version: string } | undefined {
    const found: Array<{ level: PodSecurityLevel; source: string; version: string }> = [];
    const fromContext = apiObject.node.tryGetContext(PodSecurity.ENFORCE_CONTEXT_KEY);
    if (fromContext !== undefined) {
      found.push({
        level: checkLevel(`context ${PodSecurity.ENFORCE_CONTEXT_KEY}`, fromContext),
        source: `context ${PodSecurity.ENFORCE_CONTEXT_KEY} (PodSecurity.enforce)`,
        version: PSS_POLICY_VERSION,
      });
    }
    // cdk8s copies the chart's namespace into metadata; reading it avoids serializing the workload again.
    const namespace: string | undefined = apiObject.metadata.namespace ?? Chart.of(apiObject).namespace;
    const value = namespace === undefined ? undefined : enforceLabels(apiObject).get(namespace);
    if (value !== undefined) {
      const valid = LEVELS.includes(value);
      found.push({
        level: valid ? value as PodSecurityLevel : PodSecurityLevel.RESTRICTED,
        source: `Namespace ${namespace} via label ${PodSecurity.ENFORCE_LABEL}`
          + (valid ? '' : `, whose value '${value}' is not a level and so counts as restricted`),
        version: PSS_POLICY_VERSION,
      });
    }
    return found.sort((a, b) => compareLevels(b.level, a.level))[0];
  }

  private constructor() {}
}

