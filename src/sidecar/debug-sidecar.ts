import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { DebugToggleSource } from '../debug-toggle';
import { DebugWarnings } from '../debug-warnings';
import { fail } from '../errors';
import { optionalObject, optionalString } from '../input';
import { checkPodSpecAt, containerNames, POD_SPEC_PATHS, pointer, recordPodSpecPath } from '../pod-spec';
import { appFitOf } from './app-container';
import { applyAtSynth, nameClash } from './apply';
import { checkFilter, matchesFilter } from './attach-filter';
import { DEBUG_OPTION_KEYS, WORKLOAD_FILTER_KEYS } from '../option-keys';
import { kubectlDebugCopy } from './copy';
import { DebugOptions } from './debug-options';
import { checkedKubectlOptions, kubectlDebugCommand, planEphemeral } from './ephemeral';
import { EphemeralContainerOptions, KubectlDebugCommand, KubectlDebugOptions } from './ephemeral-options';
import { exportOnRequest } from './export';
import { bindOpenShiftScc, checkOpenShiftScc } from './openshift';
import { planSidecar } from './plan';
import { checkPodSecurityAtSynth } from './pod-security-advice';
import { DEBUG_POD_LABEL } from './record';
import { resolveDebug, ResolvedDebug } from './resolve';
import { SidecarForm } from './sidecar-form';
import { builtForOf, targetOf } from './target';
import { WorkloadFilter } from './workload-filter';
import { DebugImage } from '../image/debug-image';
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

const ATTACH_KEYS = [...DEBUG_OPTION_KEYS, 'podSpecPath'];
const ATTACH_ALL_KEYS = [...DEBUG_OPTION_KEYS, ...WORKLOAD_FILTER_KEYS];

/** The sidecar of each workload, as a property of it would be: a WeakMap, not a child construct, since debug off must add nothing to the tree. */
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
   * The label every Pod template with a debug sidecar carries, with the value
   * `true`: `kubectl get pods -A -l cdk8s-debuggable.dev/debug` lists every
   * debug Pod of a cluster. Debug off adds no label.
   */
  public static readonly POD_LABEL = DEBUG_POD_LABEL;

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
    const { workload, podConstruct } = targetOf(target);
    const existing = SIDECARS.get(workload);
    if (existing) {
      fail('target', workload.kind, `already has a debug sidecar ('${existing.containerName}')`,
        'Attach it once per workload (DebugSidecar.attachAll skips workloads that have one).', workload);
    }
    const given = optionalObject<DebugSidecarAttachOptions>('debug', options, 'Pass an object such as { tools: [DebugTool.TCPDUMP] }.',
      ATTACH_KEYS) ?? {};
    const podSpecPath = optionalString('podSpecPath', given.podSpecPath, "Pass a JSON pointer such as '/spec/template/spec'.");
    const path = podSpecPath ?? POD_SPEC_PATHS[workload.kind];
    if (path === undefined) {
      fail('kind', workload.kind, 'has no pod template, so this object cannot get a debug sidecar',
        `Attach to a workload (${Object.keys(POD_SPEC_PATHS).join(', ')}), or give 'podSpecPath' for a custom resource with a pod template.`, workload);
    }
    if (podSpecPath !== undefined) {
      if (!podSpecPath.startsWith('/')) fail('podSpecPath', podSpecPath, 'is not a JSON pointer', "Start it with '/', for example '/spec/template/spec'.");
      // Checked now, whether or not debug is on: an object's pod spec is there from construction.
      checkPodSpecAt(workload, podSpecPath, pointer(workload.toJson(), podSpecPath));
      recordPodSpecPath(workload, podSpecPath);
    }
    return new DebugSidecar(workload, podConstruct, path, given);
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
    const given = optionalObject<DebugSidecarAttachAllOptions>('debug', options, 'Pass an object such as { kinds: [\'Deployment\'] }.',
      ATTACH_ALL_KEYS) ?? {};
    const filter = checkFilter(given);
    // The sidecar's options: the filter's keys are attachAll's own.
    const debug = Object.fromEntries(Object.entries(given).filter(([k]) => !WORKLOAD_FILTER_KEYS.includes(k))) as DebugOptions;
    const matches = () => scope.node.findAll()
      .filter((c): c is ApiObject => c instanceof ApiObject && POD_SPEC_PATHS[c.kind] !== undefined)
      .filter(o => matchesFilter(o, filter));
    const found = matches();
    if (found.length === 0) {
      DebugWarnings._warn(scope, `DebugSidecar.attachAll found no workload${filter.kinds || filter.names || filter.labels ? ' that passes the filter' : ''} `
        + `(got ${JSON.stringify(filter)}). Call it after the workloads are defined, and check the filter.`);
    }
    const attached = found.filter(o => !SIDECARS.has(o)).map(o => DebugSidecar.attach(o, debug));
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
    const workload = target instanceof ApiObject ? target : target?.node?.defaultChild;
    return workload instanceof ApiObject ? SIDECARS.get(workload) : undefined;
  }

  /** The JSON pointer of the pod spec the sidecar is added to. */
  public readonly podSpecPath: string;

  /** The workload the sidecar belongs to: the Kubernetes object that carries the pod template. */
  public readonly workload: ApiObject;

  /** What was decided, once, at attach; every getter and rendering reads it. */
  private readonly resolved: ResolvedDebug;

  /**
   * @param podConstruct the cdk8s-plus workload around `workload`, if any: its props are read without serializing it
   */
  private constructor(workload: ApiObject, podConstruct: kplus.AbstractPod | undefined, podSpecPath: string, options: DebugSidecarAttachOptions) {
    // What the pod template says of itself now; the final pod spec is checked again at synth.
    const spec = podConstruct ? undefined : pointer(workload.toJson(), podSpecPath);
    const restartPolicy = podConstruct ? podConstruct.restartPolicy as string | undefined : spec?.restartPolicy;
    // Decided (and so validated) now, whether or not debug is on.
    const r = resolveDebug(workload, options, { kind: workload.kind, restartPolicy, builtFor: builtForOf(workload) });
    const taken = podConstruct ? [...podConstruct.containers, ...podConstruct.initContainers].map(c => c.name) : containerNames(spec);
    if (taken.includes(r.name)) nameClash(workload, r.name);
    const openShift = r.openShiftScc === undefined ? undefined : checkOpenShiftScc(workload, r.openShiftScc);

    this.workload = workload;
    this.podSpecPath = podSpecPath;
    this.resolved = r;
    SIDECARS.set(workload, this);
    exportOnRequest(this);
    for (const w of r.warnings) DebugWarnings._warn(workload, w);
    if (!r.enabled) {
      // What the debug container takes from the app is checked against the final pod spec with debug off too, so staging finds a mistake before an incident.
      if (r.runAsAppUser || r.appVolumes !== undefined) {
        workload.node.addValidation({ validate: () => this.appFitProblems() });
      }
      return;
    }

    const podAccount = podConstruct ? podConstruct.serviceAccount?.name : spec?.serviceAccountName;
    const serviceAccount = openShift === undefined ? undefined : bindOpenShiftScc(workload, openShift, podAccount);
    applyAtSynth(workload, podSpecPath, r, serviceAccount);
    // The namespace's Pod Security level is known only once the whole app is defined.
    checkPodSecurityAtSynth(workload, podSpecPath, r);
  }

  /** Whether the sidecar is in the manifest. */
  public get enabled(): boolean { return this.resolved.enabled; }
  /** What decided `enabled`. */
  public get enabledBy(): DebugToggleSource { return this.resolved.enabledBy; }
  /** The sidecar container's name. */
  public get containerName(): string { return this.resolved.name; }
  /** The sidecar's image, with its family (`image.family`, undefined when unknown), which decides some tools' capabilities. */
  public get image(): DebugImage { return this.resolved.image; }
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
  /** Problems found at attach that are not errors, such as a mutable image tag (also in `DebugWarnings.of`). */
  public get warnings(): string[] { return [...this.resolved.warnings]; }
  /** The pull secrets the debug image needs, added to the Pod's when debug is on. */
  public get imagePullSecrets(): string[] { return [...this.resolved.imagePullSecrets]; }
  /** Whether the debug container runs as the app container's user and group (`runAsUser` is then the app's, read at synth). */
  public get runAsAppUser(): boolean { return this.resolved.runAsAppUser; }

  /** The error of `runAsAppUser` or `appVolumes` on the final pod spec, for a validation with debug off. */
  private appFitProblems(): string[] {
    try {
      appFitOf(this.resolved, pointer(this.workload.toJson(), this.podSpecPath), this.workload, false);
      return [];
    } catch (e) {
      return [(e as Error).message];
    }
  }

  /**
   * The same debug container as an ephemeral container, for a Pod of this
   * workload that is already running (`pods/ephemeralcontainers`): name,
   * image, command, the derived securityContext and `targetContainerName`,
   * and none of the fields the API forbids there (resources, ports, probes,
   * lifecycle, volumes of its own). Works whether or not debug is on.
   */
  public ephemeralContainer(options: EphemeralContainerOptions = {}): any {
    return planEphemeral(this.workload, this.podSpecPath, this.resolved, options);
  }

  /**
   * The `kubectl debug` command that adds `ephemeralContainer()` to a
   * running Pod with exactly the library's securityContext: `args` follow
   * `kubectl`, and `customJson` goes into the `--custom` file. It needs the
   * kubectl version in `minKubectlVersion` or later (for `--custom`). With
   * `copyTo`, the command debugs a copy of the Pod instead.
   */
  public kubectlDebug(options: KubectlDebugOptions): KubectlDebugCommand {
    const checked = checkedKubectlOptions(this.workload, options);
    return checked.copyTo !== undefined ? kubectlDebugCopy(this.workload, this.podSpecPath, this.resolved, checked)
      : kubectlDebugCommand(this.workload, this.podSpecPath, this.resolved, checked);
  }

  /**
   * The sidecar container as it appears in the manifest (plain Kubernetes JSON).
   * With `runAsAppUser` or `appVolumes` it reads the app container from the
   * workload's pod spec as it serializes now.
   * @param podMountsToken whether the Pod automounts a service account token
   *        (then the sidecar masks it with an empty directory)
   */
  public containerJson(podMountsToken: boolean = false): any {
    const r = this.resolved;
    const app = r.runAsAppUser || r.appVolumes !== undefined
      ? appFitOf(r, pointer(this.workload.toJson(), this.podSpecPath), this.workload, false) : undefined;
    return planSidecar(r, podMountsToken, app).container;
  }
}
