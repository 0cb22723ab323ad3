import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import type { DebugSidecar } from '../sidecar/debug-sidecar';
import { ImageFamily } from '../image/image-family';
import { BASELINE_ADDABLE_CAPABILITIES, compareLevels, podSecurityLevel, podSecurityViolations, PSS_POLICY_VERSION } from './checks';
import { PodSecurityLevel } from './level';
import { PodSecurityViolation } from './violation';
import { POD_SPEC_PATHS, pointer } from '../pod-spec';


const LEVELS = Object.values(PodSecurityLevel) as string[];

/** The pod template's metadata next to a pod spec at `specPath` (`/spec/template/spec` → `/spec/template/metadata`). */
function metadataPath(specPath: string): string | undefined {
  return specPath.endsWith('/spec') ? `${specPath.slice(0, -'/spec'.length)}/metadata` : undefined;
}

/** The pod spec path of a workload object: the one its debug sidecar uses, else by kind. */
function podSpecPathOf(apiObject: ApiObject): string | undefined {
  const sidecar: any = apiObject.node.tryFindChild('DebugSidecar');
  if (typeof sidecar?.podSpecPath === 'string') return sidecar.podSpecPath;
  return POD_SPEC_PATHS[apiObject.kind];
}

/** The workload ApiObject of a construct: itself, its default child, or the only workload under it. */
function workloadOf(construct: IConstruct): ApiObject {
  if (construct instanceof ApiObject) return construct;
  try {
    return ApiObject.of(construct);
  } catch {
    const workloads = construct.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && podSpecPathOf(c) !== undefined);
    if (workloads.length === 1) return workloads[0];
    throw new Error(`${construct.node.path}: PodSecurity needs one workload (a cdk8s-plus workload or an ApiObject with a pod template); `
      + (workloads.length === 0 ? 'there is none under this construct.'
        : `there are ${workloads.length} under this construct (${workloads.map(w => w.node.path).join(', ')}); pass one of them.`));
  }
}

/** The pod spec and template metadata of a workload object, as synthesized. */
function podOf(apiObject: ApiObject): { spec: any; metadata: any } {
  const path = podSpecPathOf(apiObject);
  if (path === undefined) {
    throw new Error(`${apiObject.node.path}: a ${apiObject.kind} has no pod template, so it has no Pod Security level (got kind '${apiObject.kind}'). `
      + `Pass a workload: ${Object.keys(POD_SPEC_PATHS).join(', ')}, or an object with a debug sidecar attached with 'podSpecPath'.`);
  }
  const json = apiObject.toJson();
  const spec = pointer(json, path);
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new Error(`${apiObject.node.path}: no pod spec at '${path}' in this ${apiObject.kind}.`);
  }
  const metaPath = metadataPath(path);
  return { spec, metadata: metaPath === undefined ? undefined : pointer(json, metaPath) };
}

function checkLevel(field: string, level: unknown): PodSecurityLevel {
  if (typeof level !== 'string' || !LEVELS.includes(level)) {
    throw new Error(`'${field}' is not a Pod Security level (got ${JSON.stringify(level)}). Use PodSecurityLevel.RESTRICTED, BASELINE or PRIVILEGED.`);
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
      throw new Error(`PodSecurity.enforce('${scope.node.path}') must be called before '${scope.node.path}' has children `
        + `(it has ${scope.node.children.map(c => `'${c.node.id}'`).join(', ')}): construct context only reaches constructs added after it. `
        + 'Call it right after creating the scope.');
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
  public static _enforcedLevel(apiObject: ApiObject): { readonly level: PodSecurityLevel; readonly source: string } | undefined {
    const found: Array<{ level: PodSecurityLevel; source: string }> = [];
    const fromContext = apiObject.node.tryGetContext(PodSecurity.ENFORCE_CONTEXT_KEY);
    if (fromContext !== undefined) {
      found.push({
        level: checkLevel(`context ${PodSecurity.ENFORCE_CONTEXT_KEY}`, fromContext),
        source: `context ${PodSecurity.ENFORCE_CONTEXT_KEY} (PodSecurity.enforce)`,
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
      });
    }
    return found.sort((a, b) => compareLevels(b.level, a.level))[0];
  }

  /**
   * Errors for a debug sidecar whose Pod would break the Pod Security level
   * enforced where it runs (see `_enforcedLevel`): one message that names
   * each tool and what it needs beyond the level, and the ways out. Empty
   * when the sidecar is off, no level is declared, or the sidecar fits.
   * Only the sidecar's own violations count; the application's are not its
   * business.
   *
   * Meant for `node.addValidation` in DebugSidecar, so it sees the final Pod.
   *
   * @internal
   */
  public static _checkDebugSidecar(sidecar: DebugSidecar, imageFamily: ImageFamily): string[] {
    if (!sidecar.enabled) return [];
    const apiObject = sidecar.node.scope;
    if (!(apiObject instanceof ApiObject)) return [];
    const enforced = PodSecurity._enforcedLevel(apiObject);
    if (enforced === undefined || enforced.level === PodSecurityLevel.PRIVILEGED) return [];
    const json = apiObject.toJson();
    const spec = pointer(json, sidecar.podSpecPath);
    const metaPath = metadataPath(sidecar.podSpecPath);
    const metadata = metaPath === undefined ? undefined : pointer(json, metaPath);
    const mine = podSecurityViolations(spec, metadata, enforced.level).filter(v => v.container === sidecar.containerName);
    if (mine.length === 0) return [];

    const needs = explainNeeds(sidecar, imageFamily, mine);
    const podLevel = podSecurityLevel(spec, metadata);
    const app = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c: any) => c.name).find((n: string) => n !== sidecar.containerName) ?? '<app container>';
    const fitting = sidecar.tools.filter(t => toolFits(t.capabilitiesIn(imageFamily).map(c => c.name), t.needsRoot, enforced.level)).map(t => t.name);
    const misfits = sidecar.tools.map(t => t.name).filter(n => !fitting.includes(n));
    const profile = enforced.level === PodSecurityLevel.RESTRICTED ? 'RESTRICTED' : 'BASELINE';
    return [
      `${needs}, which Pod Security '${enforced.level}' (enforced by ${enforced.source}) forbids. Ways out: `
      + `(1) run it in a namespace whose ${PodSecurity.ENFORCE_LABEL} is '${podLevel}'; `
      + `(2) leave the sidecar off here and attach a debug container when needed: kubectl debug -it <pod> --target=${app} `
      + `--profile=${kubectlProfile(sidecar, mine)} --image=${sidecar.image} (an ephemeral container; Pod Security checks those too, `
      + 'so this works only for a user or namespace the cluster exempts); '
      + `(3) a lesser tool set: ${misfits.length > 0 ? `remove ${misfits.join(', ')}` : 'remove the explicit privileges'}`
      + `${fitting.length > 0 ? ` (${fitting.join(', ')} fit${fitting.length === 1 ? 's' : ''} '${enforced.level}')` : ''}, `
      + `with profile: DebugProfile.${profile} to keep it within '${enforced.level}'.`,
    ];
  }

  private constructor() {}
}

/** Whether a tool with these needs runs within `level`, given how the sidecar derives its privileges. */
function toolFits(capabilities: string[], needsRoot: boolean, level: PodSecurityLevel): boolean {
  if (level === PodSecurityLevel.RESTRICTED) return capabilities.length === 0 && !needsRoot;
  if (level === PodSecurityLevel.BASELINE) return capabilities.every(c => BASELINE_ADDABLE_CAPABILITIES.includes(c));
  return true;
}

/** The kubectl debug profile that grants what the sidecar needs beyond the level. */
function kubectlProfile(sidecar: DebugSidecar, mine: PodSecurityViolation[]): string {
  // Every profile but restricted keeps the runtime's default capabilities, which are baseline's list.
  const caps = mine.filter(v => v.field.endsWith('.capabilities.add')).map(v => v.value)
    .filter(c => !BASELINE_ADDABLE_CAPABILITIES.includes(c));
  if (sidecar.privileged || caps.some(c => !['NET_ADMIN', 'NET_RAW', 'SYS_PTRACE'].includes(c))) return 'sysadmin';
  if (caps.some(c => c === 'NET_ADMIN' || c === 'NET_RAW')) return caps.includes('SYS_PTRACE') ? 'sysadmin' : 'netadmin';
  if (caps.includes('SYS_PTRACE')) return 'general';
  return 'baseline';
}

/**
 * "tcpdump needs NET_RAW; strace needs SYS_PTRACE and to run as root": what
 * each tool (or else the profile, or the explicit security context) needs that
 * the violations forbid.
 */
function explainNeeds(sidecar: DebugSidecar, family: ImageFamily, mine: PodSecurityViolation[]): string {
  const isAdd = (v: PodSecurityViolation) => v.check.startsWith('capabilities_') && v.field.endsWith('.capabilities.add');
  const isRoot = (v: PodSecurityViolation) => (v.check === 'runAsNonRoot' || v.check === 'runAsUser') && v.value !== '(unset)';
  const forbiddenCaps = [...new Set(mine.filter(isAdd).map(v => v.value))];
  const root = mine.some(isRoot);
  const privileged = mine.some(v => v.check === 'privileged');
  const profile = sidecar.profile;
  const profileName = profile ? `DebugProfile.${profile.name.toUpperCase()}` : undefined;
  const explicit = "'debug.securityContext'";
  const parts: string[] = [];
  const explainedCaps = new Set<string>();
  let rootExplained = false;
  for (const tool of sidecar.tools) {
    const toolCaps = tool.capabilitiesIn(family).map(c => c.name);
    const caps = toolCaps.filter(c => forbiddenCaps.includes(c));
    const needsRoot = root && (tool.needsRoot || toolCaps.length > 0);
    caps.forEach(c => explainedCaps.add(c));
    rootExplained ||= needsRoot;
    const what = [...(caps.length > 0 ? [caps.join(', ')] : []), ...(needsRoot ? ['to run as root'] : [])];
    if (what.length > 0) parts.push(`${tool.name} needs ${what.join(' and ')}`);
  }
  const unexplained = forbiddenCaps.filter(c => !explainedCaps.has(c));
  const fromProfile = unexplained.filter(c => profile?._fixedCapabilities?.includes(c));
  const fromExplicit = unexplained.filter(c => !fromProfile.includes(c));
  if (fromProfile.length > 0) parts.push(`${profileName} adds ${fromProfile.join(', ')}`);
  if (fromExplicit.length > 0) parts.push(`${explicit} adds ${fromExplicit.join(', ')}`);
  if (privileged) parts.push(`${profile?._privileged ? profileName : explicit} makes it privileged`);
  if (root && !rootExplained && !privileged) parts.push(`${profile && !profile._nonRoot ? profileName : explicit} runs it as root`);
  for (const v of mine) {
    if (isAdd(v) || isRoot(v) || v.check === 'privileged') continue;
    if (v.check === 'allowPrivilegeEscalation' && privileged) continue;
    parts.push(`${v.field.replace(/^spec\.\w+\[[^\]]*\]\./, '')} is ${v.value}`);
  }
  return `debug sidecar '${sidecar.containerName}': ${[...new Set(parts)].join('; ')}`;
}
