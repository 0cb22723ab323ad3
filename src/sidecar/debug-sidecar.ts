import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { DebugOptions } from './debug-options';
import { DebugProfile } from '../privileges/debug-profile';
import { DebugTool } from '../privileges/debug-tool';
import { PodSecurity } from '../pod-security/pod-security';
import { POD_SPEC_PATHS, pointer } from '../pod-spec';
import { resolveDebug, ResolvedDebug } from './resolve';
import { SidecarForm } from './sidecar-form';
import { planSidecar, SidecarPlan } from './plan';

const CHILD_ID = 'DebugSidecar';

/**
 * Options for `DebugSidecar.attach`.
 */
export interface DebugSidecarAttachOptions extends DebugOptions {
  /**
   * JSON pointer to the pod spec inside the object, for kinds the library does
   * not know (a custom resource that carries a pod template), for example
   * `/spec/podTemplate/spec`.
   *
   * @default - by kind: `/spec` for Pod, `/spec/jobTemplate/spec/template/spec`
   * for CronJob, `/spec/template/spec` for Deployment, StatefulSet, DaemonSet,
   * ReplicaSet, ReplicationController and Job, `/template/spec` for PodTemplate
   */
  readonly podSpecPath?: string;
}

/**
 * Options for `DebugSidecar.attachAll`: the sidecar's options plus a filter.
 * A workload must pass every filter that is set.
 */
export interface DebugSidecarAttachAllOptions extends DebugOptions {
  /**
   * Only workloads of these kinds (`Deployment`, `CronJob`, ...).
   *
   * @default - every kind that carries a pod template
   */
  readonly kinds?: string[];

  /**
   * Only workloads with one of these names (`metadata.name`) or construct ids.
   *
   * @default - any name
   */
  readonly names?: string[];

  /**
   * Only workloads whose `metadata.labels` include all of these.
   *
   * @default - any labels
   */
  readonly labels?: { [key: string]: string };
}

/** The ApiObject of a target, and the kplus workload around it if any. */
interface Target {
  readonly apiObject: ApiObject;
  readonly workload?: kplus.AbstractPod;
}

function targetOf(target: IConstruct): Target {
  if (target instanceof ApiObject) {
    const parent = target.node.scope;
    return { apiObject: target, workload: parent instanceof kplus.AbstractPod && ApiObject.of(parent) === target ? parent : undefined };
  }
  let apiObject: ApiObject;
  try {
    apiObject = ApiObject.of(target);
  } catch {
    throw new Error(`${target.node.path}: DebugSidecar.attach needs a workload (a cdk8s-plus workload or an ApiObject with a pod template); this construct has no Kubernetes object.`);
  }
  return { apiObject, workload: target instanceof kplus.AbstractPod ? target : undefined };
}

function containerNames(spec: any): string[] {
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].map((c: any) => c.name);
}

/**
 * A debug sidecar attached to one workload: what was decided for it (for
 * your own tests and tooling), and the static methods that attach it.
 *
 * The sidecar is added to the workload's pod template when the manifests are
 * synthesized, so it sees containers and volumes added after `attach`. The
 * application's containers are never changed; the Pod only gains the sidecar,
 * its volumes and, when a tool needs it, `shareProcessNamespace: true`.
 */
export class DebugSidecar extends Construct {
  /**
   * Adds a debug sidecar to one workload: any cdk8s-plus workload
   * (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod) or any ApiObject
   * that carries a pod template (from `Include`, `Helm` or your own).
   *
   * When debug is not enabled (see `DebugToggle`) nothing is added and the
   * output is byte-identical to the workload alone; the options are still
   * validated. Attaching twice to the same workload is an error.
   */
  public static attach(target: IConstruct, options: DebugSidecarAttachOptions = {}): DebugSidecar {
    const { apiObject, workload } = targetOf(target);
    const existing = DebugSidecar.of(apiObject);
    if (existing) {
      throw new Error(`${apiObject.node.path}: already has a debug sidecar ('${existing.containerName}'); attach it once per workload (DebugSidecar.attachAll skips workloads that have one).`);
    }
    const path = options.podSpecPath ?? POD_SPEC_PATHS[apiObject.kind];
    if (path === undefined) {
      throw new Error(`${apiObject.node.path}: a ${apiObject.kind} has no pod template, so it cannot get a debug sidecar (got kind '${apiObject.kind}'). Attach to a workload (${Object.keys(POD_SPEC_PATHS).join(', ')}), or give 'podSpecPath' for a custom resource with a pod template.`);
    }
    if (!path.startsWith('/')) {
      throw new Error(`'podSpecPath' must be a JSON pointer starting with '/' (got '${path}'), for example '/spec/template/spec'.`);
    }
    return new DebugSidecar(apiObject, workload, path, options);
  }

  /**
   * Adds a debug sidecar to every workload under `scope` that passes the
   * filter, and returns them. Workloads that already have one are skipped,
   * so a workload attached on its own keeps its own options.
   *
   * Call it after the workloads are defined; a matching workload defined
   * later is reported as an error at synth, never silently left out.
   */
  public static attachAll(scope: IConstruct, options: DebugSidecarAttachAllOptions = {}): DebugSidecar[] {
    const matches = () => scope.node.findAll()
      .filter((c): c is ApiObject => c instanceof ApiObject && POD_SPEC_PATHS[c.kind] !== undefined)
      .filter(o => DebugSidecar.matches(o, options));
    const attached = matches().filter(o => !DebugSidecar.of(o)).map(o => DebugSidecar.attach(o, options));
    scope.node.addValidation({
      validate: () => matches().filter(o => !DebugSidecar.of(o)).map(o =>
        `${o.node.path}: this ${o.kind} was defined after DebugSidecar.attachAll('${scope.node.path}') ran; call attachAll after every workload is defined.`),
    });
    return attached;
  }

  /**
   * The debug sidecar attached to a workload, if any.
   */
  public static of(target: IConstruct): DebugSidecar | undefined {
    let apiObject: ApiObject;
    try {
      apiObject = target instanceof ApiObject ? target : ApiObject.of(target);
    } catch {
      return undefined;
    }
    const child = apiObject.node.tryFindChild(CHILD_ID);
    return child instanceof DebugSidecar ? child : undefined;
  }

  private static matches(o: ApiObject, filter: DebugSidecarAttachAllOptions): boolean {
    if (filter.kinds && !filter.kinds.includes(o.kind)) return false;
    const ids = [o.name, o.node.id, o.node.scope?.node.id];
    if (filter.names && !filter.names.some(n => ids.includes(n))) return false;
    return Object.entries(filter.labels ?? {}).every(([k, v]) => o.metadata.getLabel(k) === v);
  }

  private static clash(apiObject: ApiObject, name: string): Error {
    return new Error(`${apiObject.node.path}: 'debug.name' clashes with a container of the application (got '${name}'). Set 'debug.name' to a name no container in this Pod uses.`);
  }

  private static factsOf(workload: kplus.AbstractPod) {
    return {
      restartPolicy: workload.restartPolicy as string | undefined,
      names: [...workload.containers, ...workload.initContainers].map(c => c.name),
    };
  }

  private static factsOfJson(apiObject: ApiObject, podSpecPath: string) {
    const spec = pointer(apiObject.toJson(), podSpecPath);
    return { restartPolicy: spec?.restartPolicy as string | undefined, names: containerNames(spec) };
  }

  /** Whether the sidecar is in the manifest. */
  public readonly enabled: boolean;
  /** Where `enabled` came from: `prop`, `context`, `env` or `default`. */
  public readonly enabledBy: string;
  /** The sidecar container's name. */
  public readonly containerName: string;
  /** The sidecar's image. */
  public readonly image: string;
  /** The sidecar's command. */
  public readonly command: string[];
  /** The tools the sidecar was configured for. */
  public readonly tools: DebugTool[];
  /** The privilege preset, if one was chosen. */
  public readonly profile?: DebugProfile;
  /** The capabilities added after dropping ALL, in Kubernetes spelling (`NET_RAW`). */
  public readonly capabilities: string[];
  /** The user the sidecar runs as. */
  public readonly runAsUser: number;
  /** `runAsNonRoot` on the sidecar container. */
  public readonly runAsNonRoot: boolean;
  /** Whether the sidecar is privileged. */
  public readonly privileged: boolean;
  /** `allowPrivilegeEscalation` on the sidecar container. */
  public readonly allowPrivilegeEscalation: boolean;
  /** `readOnlyRootFilesystem` on the sidecar container. */
  public readonly readOnlyRootFilesystem: boolean;
  /** Whether the Pod gets `shareProcessNamespace: true`. */
  public readonly sharesProcessNamespace: boolean;
  /** How the sidecar joins the Pod. */
  public readonly form: SidecarForm;
  /** The JSON pointer of the pod spec the sidecar is added to. */
  public readonly podSpecPath: string;
  /** Problems that are not errors, such as a mutable image tag. */
  public readonly warnings: string[];

  private readonly resolved: ResolvedDebug;

  private constructor(apiObject: ApiObject, workload: kplus.AbstractPod | undefined, podSpecPath: string, options: DebugOptions) {
    super(apiObject, CHILD_ID);
    const known = workload ? DebugSidecar.factsOf(workload) : DebugSidecar.factsOfJson(apiObject, podSpecPath);
    const r = resolveDebug(apiObject, options, { kind: apiObject.kind, restartPolicy: known.restartPolicy });
    if (known.names.includes(r.name)) {
      throw DebugSidecar.clash(apiObject, r.name);
    }
    this.resolved = r;
    this.enabled = r.enabled;
    this.enabledBy = r.enabledBy;
    this.containerName = r.name;
    this.image = r.image;
    this.command = r.command;
    this.tools = r.tools;
    this.profile = r.profile;
    this.capabilities = r.capabilities;
    this.runAsUser = r.runAsUser;
    this.runAsNonRoot = r.runAsNonRoot;
    this.privileged = r.privileged;
    this.allowPrivilegeEscalation = r.allowPrivilegeEscalation;
    this.readOnlyRootFilesystem = r.readOnlyRootFilesystem;
    this.sharesProcessNamespace = r.sharesProcessNamespace;
    this.form = r.form;
    this.podSpecPath = podSpecPath;
    this.warnings = r.warnings;
    // A namespace that enforces a Pod Security level (PodSecurity.enforce or a labelled Namespace) is checked at synth.
    this.node.addValidation({ validate: () => PodSecurity._checkDebugSidecar(this, r.imageFamily) });
    for (const w of r.warnings) {
      process.stderr.write(`[cdk8s-debuggable] warning: ${apiObject.node.path}: ${w}\n`);
    }
    if (r.enabled) {
      const podAccount = () => (workload ? workload.serviceAccount?.name : pointer(apiObject.toJson(), podSpecPath)?.serviceAccountName);
      const serviceAccount = options.openShiftScc === undefined ? undefined
        : this.bindOpenShiftScc(apiObject, options.openShiftScc, podAccount());
      this.applyAtSynth(apiObject, serviceAccount);
    }
  }

  /**
   * The sidecar container as it appears in the manifest (plain Kubernetes JSON).
   * @param podMountsToken whether the Pod automounts a service account token
   *        (then the sidecar masks it with an empty directory)
   */
  public containerJson(podMountsToken: boolean = false): any {
    return planSidecar(this.resolved, podMountsToken).container;
  }

  /**
   * Adds the plan to the object's JSON each time it is serialized, so the
   * sidecar sees the final pod spec (containers and volumes added later).
   * JSON patches cannot do it: `add .../volumes/-` fails where the pod has no
   * volumes, and the name checks need the final containers.
   */
  /**
   * Emits the RoleBinding (and, for a Pod on the `default` account, a
   * dedicated ServiceAccount) that admits the Pod under an OpenShift SCC.
   * @returns the service account the Pod must be switched to, if any
   */
  private bindOpenShiftScc(apiObject: ApiObject, scc: string, podServiceAccount: string | undefined): string | undefined {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(scc)) {
      throw new Error(`'debug.openShiftScc' is not an SCC name (got '${scc}'). Use the name of a SecurityContextConstraints object, for example 'privileged'.`);
    }
    const namespace = apiObject.metadata.namespace ?? Chart.of(apiObject).namespace;
    if (namespace === undefined) {
      throw new Error(`${apiObject.node.path}: 'debug.openShiftScc' needs the workload's namespace for its RoleBinding (got none). Set 'namespace' on the Chart or the workload's metadata.`);
    }
    const dedicated = podServiceAccount === undefined || podServiceAccount === 'default' ? `${apiObject.name}-debug` : undefined;
    const subject = dedicated ?? podServiceAccount!;
    if (dedicated) {
      new ApiObject(this, 'ServiceAccount', {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: dedicated, namespace },
        automountServiceAccountToken: false,
      } as any);
    }
    new ApiObject(this, 'SccRoleBinding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: `${subject}-scc-${scc}`, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `system:openshift:scc:${scc}` },
      subjects: [{ kind: 'ServiceAccount', name: subject, namespace }],
    } as any);
    return dedicated;
  }

  private applyAtSynth(apiObject: ApiObject, serviceAccountName: string | undefined): void {
    const toJson = apiObject.toJson.bind(apiObject);
    apiObject.toJson = () => {
      const json = toJson();
      const spec = pointer(json, this.podSpecPath);
      if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
        throw new Error(`${apiObject.node.path}: no pod spec at '${this.podSpecPath}' in this ${apiObject.kind}; give 'podSpecPath' the JSON pointer of its pod spec.`);
      }
      if (containerNames(spec).includes(this.containerName)) {
        throw DebugSidecar.clash(apiObject, this.containerName);
      }
      if (serviceAccountName) spec.serviceAccountName = serviceAccountName;
      applyPlan(apiObject, spec, planSidecar(this.resolved, spec.automountServiceAccountToken !== false));
      return json;
    };
  }
}

function applyPlan(apiObject: ApiObject, spec: any, plan: SidecarPlan): void {
  const volumeNames = new Set((spec.volumes ?? []).map((v: any) => v.name));
  for (const v of plan.volumes) {
    if (volumeNames.has(v.name)) {
      throw new Error(`${apiObject.node.path}: the debug sidecar's volume '${v.name}' clashes with a volume of the application. Set 'debug.name' so its volumes ('<name>-scratch') get another name.`);
    }
  }
  const list = plan.asInitContainer ? 'initContainers' : 'containers';
  spec[list] = [...(spec[list] ?? []), plan.container];
  spec.volumes = [...(spec.volumes ?? []), ...plan.volumes];
  if (plan.shareProcessNamespace) spec.shareProcessNamespace = true;
  // Keep the keys sorted, as cdk8s writes them.
  for (const key of Object.keys(spec).sort()) {
    const value = spec[key];
    delete spec[key];
    spec[key] = value;
  }
}
