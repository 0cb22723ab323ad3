import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { DebugToggleSource } from '../debug-toggle';
import { DebugWarnings } from '../debug-warnings';
import { fail } from '../errors';
import { optionalObject, optionalString } from '../input';
import { containerNames, isObject, POD_SPEC_PATHS, pointer, recordPodSpecPath } from '../pod-spec';
import { applyAtSynth, nameClash } from './apply';
import { checkFilter, matchesFilter } from './attach-filter';
import { DebugOptions } from './debug-options';
import { kubectlDebugCommand, planEphemeral } from './ephemeral';
import { EphemeralContainerOptions, KubectlDebugCommand, KubectlDebugOptions } from './ephemeral-options';
import { exportOnRequest } from './export';
import { bindOpenShiftScc, checkOpenShiftScc } from './openshift';
import { planSidecar } from './plan';
import { podSecurityAdvice } from './pod-security-advice';
import { resolveDebug, ResolvedDebug, WorkloadFacts } from './resolve';
import { SidecarForm } from './sidecar-form';
import { targetOf } from './target';
import { WorkloadFilter } from './workload-filter';
import { ImageFamily } from '../image/image-family';
import { DebugProfile } from '../privileges/debug-profile';
import { DebugTool } from '../privileges/debug-tool';

/**
 * Options for `DebugSidecar.attach`.
 */
export interface DebugSidecarAttachOptions extends DebugOptions {
  /**
   * JSON pointer to the pod spec inside the object, for kinds the library does
   * not know (a custom resource that carries a pod template), for example
   * `/spec/podTemplate/spec`. It must point at an object with `containers`.
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
export interface DebugSidecarAttachAllOptions extends DebugOptions, WorkloadFilter {}

/** The sidecar of each workload object. A WeakMap, not a child construct: debug off must cost nothing at synth. */
const SIDECARS = new WeakMap<ApiObject, DebugSidecar>();

/**
 * A debug sidecar attached to one workload: what was decided for it (for
 * your own tests and tooling), and the static methods that attach it.
 *
 * The sidecar is added to the workload's pod template when the manifests are
 * synthesized, so it sees containers and volumes added after `attach`. The
 * application's containers are never changed; the Pod only gains the sidecar,
 * its volumes and, when a tool needs it, `shareProcessNamespace: true`.
 *
 * When debug is off nothing is added to the construct tree or the manifest;
 * the decided values are still here.
 */
export class DebugSidecar {
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
    const existing = SIDECARS.get(apiObject);
    if (existing) {
      fail('target', apiObject.kind, `already has a debug sidecar ('${existing.containerName}')`,
        'Attach it once per workload (DebugSidecar.attachAll skips workloads that have one).', apiObject);
    }
    const given = optionalObject<DebugSidecarAttachOptions>('debug', options, 'Pass an object such as { tools: [DebugTool.TCPDUMP] }.') ?? {};
    const podSpecPath = optionalString('podSpecPath', given.podSpecPath, "Pass a JSON pointer such as '/spec/template/spec'.");
    const path = podSpecPath ?? POD_SPEC_PATHS[apiObject.kind];
    if (path === undefined) {
      fail('kind', apiObject.kind, 'has no pod template, so this object cannot get a debug sidecar',
        `Attach to a workload (${Object.keys(POD_SPEC_PATHS).join(', ')}), or give 'podSpecPath' for a custom resource with a pod template.`, apiObject);
    }
    if (podSpecPath !== undefined) {
      if (!podSpecPath.startsWith('/')) fail('podSpecPath', podSpecPath, 'is not a JSON pointer', "Start it with '/', for example '/spec/template/spec'.");
      // Checked now, whether or not debug is on: an object's pod spec is there from construction.
      const spec = pointer(apiObject.toJson(), podSpecPath);
      if (!isObject(spec) || !Array.isArray(spec.containers)) {
        const hint = isObject(spec) && isObject(spec.spec) ? ` It points at a pod template: use '${podSpecPath}/spec'.` : '';
        fail('podSpecPath', podSpecPath, `does not point at a pod spec (an object with 'containers') in this ${apiObject.kind}`,
          `Give the JSON pointer of the pod spec.${hint}`, apiObject);
      }
      recordPodSpecPath(apiObject, podSpecPath);
    }
    return new DebugSidecar(apiObject, workload, path, given);
  }

  /**
   * Adds a debug sidecar to every workload under `scope` that passes the
   * filter, and returns them. Workloads that already have one are skipped,
   * so a workload attached on its own keeps its own options.
   *
   * Call it after the workloads are defined; a matching workload defined
   * later is reported as an error at synth, never silently left out. A
   * filter that matches nothing is a warning (see `DebugWarnings`).
   */
  public static attachAll(scope: IConstruct, options: DebugSidecarAttachAllOptions = {}): DebugSidecar[] {
    if (typeof scope?.node?.findAll !== 'function') {
      fail('scope', scope, 'is not a construct', 'Pass the chart (or any construct) whose workloads get the sidecar.');
    }
    const given = optionalObject<DebugSidecarAttachAllOptions>('debug', options, 'Pass an object such as { kinds: [\'Deployment\'] }.') ?? {};
    const filter = checkFilter(given);
    const matches = () => scope.node.findAll()
      .filter((c): c is ApiObject => c instanceof ApiObject && POD_SPEC_PATHS[c.kind] !== undefined)
      .filter(o => matchesFilter(o, filter));
    const found = matches();
    if (found.length === 0) {
      DebugWarnings._warn(scope, `DebugSidecar.attachAll found no workload${filter.kinds || filter.names || filter.labels ? ' that passes the filter' : ''} `
        + `(got ${JSON.stringify(filter)}). Call it after the workloads are defined, and check the filter.`);
    }
    const attached = found.filter(o => !SIDECARS.has(o)).map(o => DebugSidecar.attach(o, given));
    scope.node.addValidation({
      validate: () => matches().filter(o => !SIDECARS.has(o)).map(o =>
        `${o.node.path}: this ${o.kind} was defined after DebugSidecar.attachAll('${scope.node.path}') ran; call attachAll after every workload is defined.`),
    });
    return attached;
  }

  /**
   * The debug sidecar attached to a workload, if any (also when debug is off).
   */
  public static of(target: IConstruct): DebugSidecar | undefined {
    const apiObject = target instanceof ApiObject ? target : target?.node?.defaultChild;
    return apiObject instanceof ApiObject ? SIDECARS.get(apiObject) : undefined;
  }

  /** The JSON pointer of the pod spec the sidecar is added to. */
  public readonly podSpecPath: string;

  private readonly apiObject: ApiObject;
  private readonly options: DebugSidecarAttachOptions;
  private readonly facts: WorkloadFacts;
  /** Kept only when debug is on; when off, decided again on first read (debug off must not grow synth's memory). */
  private decided?: ResolvedDebug;

  private constructor(apiObject: ApiObject, workload: kplus.AbstractPod | undefined, podSpecPath: string, options: DebugSidecarAttachOptions) {
    // What the workload says of itself now; the final pod spec is checked again at synth.
    const spec = workload ? undefined : pointer(apiObject.toJson(), podSpecPath);
    const restartPolicy = workload ? workload.restartPolicy as string | undefined : spec?.restartPolicy;
    const facts: WorkloadFacts = { kind: apiObject.kind, restartPolicy };
    // Decided (and so validated) now, whether or not debug is on.
    const r = resolveDebug(apiObject, options, facts);
    const taken = workload ? workload.containers.some(c => c.name === r.name) || workload.initContainers.some(c => c.name === r.name)
      : containerNames(spec).includes(r.name);
    if (taken) nameClash(apiObject, r.name);
    const openShift = options.openShiftScc === undefined ? undefined : checkOpenShiftScc(apiObject, options.openShiftScc);

    this.apiObject = apiObject;
    this.options = options;
    this.facts = facts;
    this.podSpecPath = podSpecPath;
    if (r.enabled) this.decided = r;
    SIDECARS.set(apiObject, this);
    exportOnRequest(this);
    for (const w of r.warnings) DebugWarnings._warn(apiObject, w);
    if (!r.enabled) return;

    const podAccount = workload ? workload.serviceAccount?.name : spec?.serviceAccountName;
    const serviceAccount = openShift === undefined ? undefined : bindOpenShiftScc(apiObject, openShift, podAccount);
    applyAtSynth(apiObject, podSpecPath, r, serviceAccount);
    // The namespace's Pod Security level is known only once the whole app is defined.
    apiObject.node.addValidation({ validate: () => podSecurityAdvice(apiObject, podSpecPath, r) });
  }

  /** What was decided for the sidecar. */
  private get resolved(): ResolvedDebug {
    return this.decided ??= resolveDebug(this.apiObject, this.options, this.facts);
  }

  /** Whether the sidecar is in the manifest. */
  public get enabled(): boolean { return this.resolved.enabled; }
  /** What decided `enabled`. */
  public get enabledBy(): DebugToggleSource { return this.resolved.enabledBy; }
  /** The sidecar container's name. */
  public get containerName(): string { return this.resolved.name; }
  /** The sidecar's image. */
  public get image(): string { return this.resolved.image; }
  /** The distribution family of the image, which decides some tools' capabilities; undefined when unknown. */
  public get imageFamily(): ImageFamily | undefined { return this.resolved.imageFamily; }
  /** The sidecar's command. */
  public get command(): string[] { return [...this.resolved.command]; }
  /** The tools the sidecar was configured for. */
  public get tools(): DebugTool[] { return [...this.resolved.tools]; }
  /** The privilege preset, if one was chosen. */
  public get profile(): DebugProfile | undefined { return this.resolved.profile; }
  /** The capabilities added after dropping ALL, in Kubernetes spelling (`NET_RAW`). */
  public get capabilities(): string[] { return [...this.resolved.capabilities]; }
  /** The user the sidecar runs as. */
  public get runAsUser(): number { return this.resolved.runAsUser; }
  /** `runAsNonRoot` on the sidecar container. */
  public get ensureNonRoot(): boolean { return this.resolved.ensureNonRoot; }
  /** Whether the sidecar is privileged. */
  public get privileged(): boolean { return this.resolved.privileged; }
  /** `allowPrivilegeEscalation` on the sidecar container. */
  public get allowPrivilegeEscalation(): boolean { return this.resolved.allowPrivilegeEscalation; }
  /** `readOnlyRootFilesystem` on the sidecar container. */
  public get readOnlyRootFilesystem(): boolean { return this.resolved.readOnlyRootFilesystem; }
  /** Whether the Pod gets `shareProcessNamespace: true`. */
  public get shareProcessNamespace(): boolean { return this.resolved.shareProcessNamespace; }
  /** How the sidecar joins the Pod. */
  public get form(): SidecarForm { return this.resolved.form; }
  /** Problems that are not errors, such as a mutable image tag (also in `DebugWarnings.of`). */
  public get warnings(): string[] { return [...this.resolved.warnings]; }
  /** The workload object the sidecar belongs to. */
  public get workload(): ApiObject { return this.apiObject; }

  /**
   * The same debug container as an ephemeral container, for a Pod of this
   * workload that is already running (`pods/ephemeralcontainers`): name,
   * image, command, the derived securityContext and `targetContainerName`,
   * and none of the fields the API forbids there (resources, ports, probes,
   * lifecycle, volumes of its own). Works whether or not debug is on.
   */
  public ephemeralContainer(options: EphemeralContainerOptions = {}): any {
    return planEphemeral(this.apiObject, this.podSpecPath, this.resolved, options);
  }

  /**
   * The `kubectl debug` command that adds `ephemeralContainer()` to a
   * running Pod with exactly the library's securityContext: `args` follow
   * `kubectl`, and `customJson` goes into the `--custom` file. Needs kubectl
   * 1.32 or later (`--custom`: beta and on by default in 1.31, stable 1.32).
   */
  public kubectlDebug(options: KubectlDebugOptions): KubectlDebugCommand {
    return kubectlDebugCommand(this.apiObject, this.podSpecPath, this.resolved, options);
  }

  /**
   * The sidecar container as it appears in the manifest (plain Kubernetes JSON).
   * @param podMountsToken whether the Pod automounts a service account token
   *        (then the sidecar masks it with an empty directory)
   */
  public containerJson(podMountsToken: boolean = false): any {
    return planSidecar(this.resolved, podMountsToken).container;
  }
}
