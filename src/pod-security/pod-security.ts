import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { setContextBeforeChildren } from '../context';
import { fail } from '../errors';
import { optionalObject } from '../input';
import { POD_SECURITY_KEYS } from '../option-keys';
import { defaultVersionAt } from './cluster-version';
import {
  checkLevel, ENFORCE_CONTEXT_KEY, ENFORCE_LABEL, ENFORCE_VERSION_CONTEXT_KEY, ENFORCE_VERSION_LABEL, EnforcedLevel, enforcedLevelOf,
} from './enforcement';
import { podSecurityLevel, podSecurityViolations } from './evaluator/checks';
import { PodSecurityLevel } from './evaluator/level';
import { checkVersion, LATEST, LATEST_VERSION } from './evaluator/policy-version';
import { PodSecurityViolation } from './evaluator/violation';
import { synthesizedPodOf, workloadOf } from './workload';

/**
 * Which Pod Security Standards policy version to evaluate at.
 */
export interface PodSecurityOptions {
  /**
   * The policy version, written as in the namespace label
   * `pod-security.kubernetes.io/enforce-version`: `v1.23` to `v1.37`, or
   * `latest` (`PodSecurity.LATEST_VERSION`). The rules differ between
   * versions: for example a host in a probe breaks baseline from `v1.34`,
   * and `hostUsers: false` relaxes runAsNonRoot and runAsUser from `v1.35`.
   *
   * @default - the cluster's Kubernetes version where one is declared
   * (`KubernetesVersion.set`, the context `cdk8s-debuggable/kubernetes-version`
   * or `CDK8S_KUBERNETES_VERSION`), else `latest`, as Kubernetes evaluates a
   * namespace without an enforce-version label. For a plain pod spec
   * (`levelOfPodSpec`, `violationsOfPodSpec`): `latest`.
   */
  readonly version?: string;
}

function optionsOf(options: unknown): PodSecurityOptions {
  if (options === undefined || options === null) return {};
  return optionalObject<PodSecurityOptions>('options', options, "Pass { version: 'v1.35' }, or nothing for the default version.", POD_SECURITY_KEYS)!;
}

/**
 * A pod spec given by the caller: an object whose `containers` is a non-empty
 * list of containers (objects with a name), as the API server requires;
 * anything else would be judged as a Pod without containers, so "restricted".
 */
function checkPodSpec(podSpec: unknown): any {
  const fix = 'Pass the pod spec as JSON, for example { containers: [{ name: "app", image: "..." }] }.';
  const spec = optionalObject<any>('podSpec', podSpec, fix);
  if (spec === undefined) return fail('podSpec', podSpec, 'is not a pod spec', fix);
  const containers = spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    return fail('podSpec.containers', containers, 'must be a non-empty list of containers', fix);
  }
  containers.forEach((c: unknown, i: number) => {
    if (c === null || typeof c !== 'object' || Array.isArray(c) || typeof (c as any).name !== 'string') {
      fail(`podSpec.containers[${i}]`, c, 'is not a container (an object with a name)', fix);
    }
  });
  return spec;
}

/** The version asked for, else the default where `scope` is. */
function versionFor(options: PodSecurityOptions | undefined, scope?: IConstruct): string {
  const given = optionsOf(options).version;
  if (given !== undefined) return checkVersion('version', given);
  return scope === undefined ? LATEST : defaultVersionAt(scope);
}

/**
 * The Kubernetes Pod Security Standards, evaluated on synthesized workloads
 * at synth time, without a cluster.
 *
 * The rules are those of `k8s.io/pod-security-admission` at every policy
 * version from v1.23 to v1.37 (`PodSecurity.LATEST_VERSION`, what `latest`
 * means): every check the API server's PodSecurity admission runs, over
 * init, regular and ephemeral containers, with the same results (the test
 * suite compares them with the official Go evaluator at each version).
 *
 * Which version: `{ version: 'v1.34' }` on a call; else the cluster's
 * Kubernetes version where one is declared (`KubernetesVersion.set(app,
 * KubernetesVersion.V1_35)` or `CDK8S_KUBERNETES_VERSION=1.35` evaluate at
 * `v1.35`); else `latest`, as Kubernetes does for a namespace without the
 * label `pod-security.kubernetes.io/enforce-version`.
 *
 * `PodSecurity.enforce` declares the level (and version) of the namespace a
 * subtree runs in; a debug sidecar that would take its Pod beyond the level
 * is then an error at synth, naming the tool and the capability.
 */
export class PodSecurity {
  /** Context key that declares the Pod Security level enforced where a subtree runs. */
  public static readonly ENFORCE_CONTEXT_KEY = ENFORCE_CONTEXT_KEY;

  /** Context key that declares the policy version enforced where a subtree runs (`v1.34` or `latest`). */
  public static readonly ENFORCE_VERSION_CONTEXT_KEY = ENFORCE_VERSION_CONTEXT_KEY;

  /** The namespace label through which Kubernetes enforces a level. */
  public static readonly ENFORCE_LABEL = ENFORCE_LABEL;

  /** The namespace label that pins the policy version of the enforced level. */
  public static readonly ENFORCE_VERSION_LABEL = ENFORCE_VERSION_LABEL;

  /** The policy version `latest` stands for in this release: the newest one the library knows. */
  public static readonly LATEST_VERSION = LATEST_VERSION;

  /**
   * The strictest level the synthesized workload satisfies: RESTRICTED,
   * BASELINE or PRIVILEGED. Includes the debug sidecar when it is enabled.
   *
   * @param workload a cdk8s-plus workload (Deployment, StatefulSet, DaemonSet,
   * Job, CronJob, Pod), a DebuggableDeployment, an ApiObject with a pod
   * template (for example from `Include`), or a construct with exactly one
   * of those under it
   * @param options the policy version (default: the cluster's, else latest)
   */
  public static levelOf(workload: IConstruct, options?: PodSecurityOptions): PodSecurityLevel {
    const apiObject = workloadOf(workload);
    const version = versionFor(options, apiObject);
    const pod = synthesizedPodOf(apiObject);
    return podSecurityLevel(pod.spec, pod.metadata, version);
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
   * @param options the policy version (default: the cluster's, else latest)
   */
  public static violations(workload: IConstruct, level: PodSecurityLevel, options?: PodSecurityOptions): PodSecurityViolation[] {
    const checked = checkLevel('level', level);
    const apiObject = workloadOf(workload);
    const version = versionFor(options, apiObject);
    const pod = synthesizedPodOf(apiObject);
    return podSecurityViolations(pod.spec, pod.metadata, checked, version);
  }

  /**
   * The strictest level a plain pod spec satisfies.
   *
   * @param podSpec a Kubernetes PodSpec as JSON (`{ containers: [...], ... }`)
   * @param podMetadata the pod (template) metadata, whose AppArmor and seccomp annotations count
   * @param options the policy version (default: latest)
   */
  public static levelOfPodSpec(podSpec: any, podMetadata?: any, options?: PodSecurityOptions): PodSecurityLevel {
    return podSecurityLevel(checkPodSpec(podSpec), podMetadata, versionFor(options));
  }

  /**
   * What keeps a plain pod spec from `level`.
   *
   * @param podSpec a Kubernetes PodSpec as JSON
   * @param level the level to evaluate
   * @param podMetadata the pod (template) metadata, whose AppArmor and seccomp annotations count
   * @param options the policy version (default: latest)
   */
  public static violationsOfPodSpec(podSpec: any, level: PodSecurityLevel, podMetadata?: any, options?: PodSecurityOptions): PodSecurityViolation[] {
    const checked = checkLevel('level', level);
    return podSecurityViolations(checkPodSpec(podSpec), podMetadata, checked, versionFor(options));
  }

  /**
   * Declares that everything under `scope` runs in a namespace that enforces
   * `level` (its label `pod-security.kubernetes.io/enforce`), for namespaces
   * that are not defined in the app. Call it before the scope has children.
   *
   * A Namespace defined anywhere in the same app with that label is found
   * without this call. Where both declare a level, the stricter counts.
   *
   * @param options `version`: the namespace's
   * `pod-security.kubernetes.io/enforce-version` (default: the cluster's
   * Kubernetes version, else latest). A Namespace object's own
   * enforce-version label takes precedence.
   */
  public static enforce(scope: IConstruct, level: PodSecurityLevel, options?: PodSecurityOptions): void {
    const checked = checkLevel('level', level);
    const version = optionsOf(options).version;
    const checkedVersion = version === undefined ? undefined : checkVersion('version', version);
    setContextBeforeChildren(scope, PodSecurity.ENFORCE_CONTEXT_KEY, checked, 'PodSecurity.enforce');
    // Stryker disable next-line StringLiteral: the method is named only when the scope has children, and the call just above has already refused such a scope
    if (checkedVersion !== undefined) setContextBeforeChildren(scope, PodSecurity.ENFORCE_VERSION_CONTEXT_KEY, checkedVersion, 'PodSecurity.enforce');
  }

  /**
   * The level enforced where a workload runs, who declares it, and the policy
   * version to evaluate it at (`v1.34` or `latest`): the context
   * `cdk8s-debuggable/pod-security-enforce` (PodSecurity.enforce), or a
   * Namespace object in the same app (kplus.Namespace, an ApiObject, an
   * Include) named like the workload's namespace and labelled
   * `pod-security.kubernetes.io/enforce`; the strictest one wins, and an
   * invalid label value counts as restricted, as in Kubernetes. The version:
   * that Namespace's `pod-security.kubernetes.io/enforce-version` (an invalid
   * one counts as latest, as in Kubernetes), else the one given to
   * PodSecurity.enforce, else the cluster's Kubernetes version, else latest.
   *
   * @internal
   */
  public static _enforcedLevel(apiObject: ApiObject): EnforcedLevel | undefined {
    return enforcedLevelOf(apiObject);
  }

  private constructor() {}
}
