// The sidecar's side of Pod Security: when the namespace a workload runs in
// enforces a level the sidecar breaks, say which tool needs what, and the
// ways out. Fed by the resolved sidecar; PodSecurity itself knows nothing of
// sidecars.

import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { problemText } from '../errors';
import { ResolvedDebug } from './resolve';
import { EnforcedLevel, enforcedLevelOf, ENFORCE_LABEL, NamespaceIndex, namespaceIndexOf } from '../pod-security/enforcement';
import { BASELINE_ADDABLE_CAPABILITIES, podSecurityLevel, podSecurityViolations } from '../pod-security/evaluator/checks';
import { PodSecurityLevel } from '../pod-security/evaluator/level';
import { UNSET } from '../pod-security/evaluator/pod';
import { PodSecurityViolation } from '../pod-security/evaluator/violation';
import { podTemplateOf } from '../pod-spec';
import { DebugProfile } from '../privileges/debug-profile';
import { PrivilegeSource } from '../privileges/derive';

/** kubectl's profiles from the narrowest, for "kubectl debug --profile=...". */
const KUBECTL_PROFILES = [DebugProfile.BASELINE, DebugProfile.GENERAL, DebugProfile.NETADMIN, DebugProfile.SYSADMIN];

/**
 * Whether a tool with these needs runs within `level` (restricted or
 * baseline: privileged refuses nothing), given how the sidecar derives its
 * privileges.
 */
function toolFits(capabilities: string[], needsRoot: boolean, level: PodSecurityLevel): boolean {
  return level === PodSecurityLevel.RESTRICTED ? capabilities.length === 0 && !needsRoot
    : capabilities.every(c => BASELINE_ADDABLE_CAPABILITIES.includes(c));
}

/** The narrowest kubectl debug profile that grants what the sidecar needs beyond baseline. */
export function kubectlProfileFor(r: Pick<ResolvedDebug, 'privileged' | 'capabilities'>): DebugProfile {
  // Every kubectl profile but restricted keeps the runtime's default capabilities, which are baseline's list.
  const beyond = r.capabilities.filter(c => !BASELINE_ADDABLE_CAPABILITIES.includes(c));
  return KUBECTL_PROFILES.find(p => p._privileged || (!r.privileged && beyond.every(c => (p._fixedCapabilities ?? []).includes(c))))!;
}

function who(source: PrivilegeSource | undefined, r: ResolvedDebug): string {
  return source === 'profile' && r.profile ? `DebugProfile.${r.profile.name.toUpperCase()}` : "'debug.securityContext'";
}

/**
 * "tcpdump needs NET_RAW; strace needs SYS_PTRACE and to run as root": what
 * each tool (or else the profile, or the explicit security context) needs
 * that the violations forbid, and the option most to blame.
 */
function explainNeeds(r: ResolvedDebug, mine: PodSecurityViolation[], user: number):
{ readonly text: string; readonly field: string; readonly value: unknown } {
  const isAdd = (v: PodSecurityViolation) => v.check.startsWith('capabilities_') && v.containerField === 'securityContext.capabilities.add';
  const isRoot = (v: PodSecurityViolation) => (v.check === 'runAsNonRoot' || v.check === 'runAsUser') && v.value !== UNSET;
  const forbidden = [...new Set(mine.filter(isAdd).map(v => v.value))];
  const root = mine.some(isRoot);
  const privileged = mine.some(v => v.check === 'privileged');
  const parts: string[] = [];
  const explained = new Set<string>();
  let rootExplained = false;
  for (const need of r.toolNeeds) {
    const caps = need.capabilities.filter(c => forbidden.includes(c));
    const needsRoot = root && (need.needsRoot || need.capabilities.length > 0);
    caps.forEach(c => explained.add(c));
    rootExplained ||= needsRoot;
    const what = [...(caps.length > 0 ? [caps.join(', ')] : []), ...(needsRoot ? ['to run as root'] : [])];
    if (what.length > 0) parts.push(`${need.tool} needs ${what.join(' and ')}`);
  }
  const unexplained = forbidden.filter(c => !explained.has(c));
  if (unexplained.length > 0) parts.push(`${who(r.capabilitiesFrom, r)} adds ${unexplained.join(', ')}`);
  if (privileged) parts.push(`${who(r.privilegedFrom, r)} makes it privileged`);
  // runAsAppUser takes no tool that needs root or a capability: a root debug container then runs as the app's root user.
  const asAppRoot = root && !rootExplained && !privileged && r.runAsAppUser;
  if (asAppRoot) parts.push("'debug.runAsAppUser' runs it as the app container's user, root (0)");
  else if (root && !rootExplained && !privileged) parts.push(`${who(r.rootFrom, r)} runs it as root`);
  for (const v of mine) {
    if (isAdd(v) || isRoot(v) || v.check === 'privileged') continue;
    if (v.check === 'allowPrivilegeEscalation' && privileged) continue;
    parts.push(`${v.containerField ?? v.field} is ${v.value}`);
  }
  const text = [...new Set(parts)].join('; ');
  if (explained.size > 0 || rootExplained) return { text, field: 'debug.tools', value: r.tools.map(t => t.name) };
  if (asAppRoot) return { text, field: 'debug.runAsAppUser', value: true };
  if (r.profile && [r.capabilitiesFrom, r.privilegedFrom, r.rootFrom].includes('profile')) {
    return { text, field: 'debug.profile', value: r.profile.name };
  }
  return { text, field: 'debug.securityContext', value: { capabilities: r.capabilities, privileged: r.privileged, user } };
}

/**
 * Why the Pod's namespace refuses the debug container `containerName` (the
 * sidecar, the ephemeral container, or the debug container of a copy of the
 * Pod) in the pod spec, and the ways out; undefined when the container fits
 * the enforced level.
 */
export function refusalOf(r: ResolvedDebug, spec: any, metadata: any, containerName: string, enforced: EnforcedLevel,
  kind: 'sidecar' | 'ephemeral' | 'copy'): string | undefined {
  const ephemeral = kind !== 'sidecar';
  if (enforced.level === PodSecurityLevel.PRIVILEGED) return undefined;
  const mine = podSecurityViolations(spec, metadata, enforced.level, enforced.version).filter(v => v.container === containerName);
  if (mine.length === 0) return undefined;

  const podLevel = podSecurityLevel(spec, metadata, enforced.version);
  const app = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c: any) => c.name).find((n: string) => n !== r.name) ?? '<app container>';
  const fitting = r.toolNeeds.filter(n => toolFits(n.capabilities, n.needsRoot, enforced.level)).map(n => n.tool);
  const misfits = r.toolNeeds.map(n => n.tool).filter(n => !fitting.includes(n));
  const profile = enforced.level === PodSecurityLevel.RESTRICTED ? 'RESTRICTED' : 'BASELINE';
  // The user it runs as, from the spec: with runAsAppUser that is the app's, known only at synth.
  const debugContainer = [spec.containers, spec.initContainers, spec.ephemeralContainers].flatMap(list => list ?? [])
    .find((c: any) => c.name === containerName);
  const needs = explainNeeds(r, mine, debugContainer.securityContext.runAsUser);
  const what = kind === 'ephemeral' ? `the ephemeral debug container '${containerName}'`
    : kind === 'copy' ? `the debug container '${containerName}' of the Pod's copy` : `the debug sidecar '${r.name}'`;
  const problem = `of ${what} ask for more than Pod Security '${enforced.level}:${enforced.version}' allows `
    + `(enforced by ${enforced.source}): ${needs.text}`;
  const second = ephemeral
    ? '(2) ask for an exemption (the PodSecurity admission configuration exempts users, runtime classes or namespaces; '
      + `${kind === 'copy' ? 'the copy is a new Pod, checked as any' : 'pods/ephemeralcontainers is checked like the Pod'}); `
    : `(2) leave the sidecar off here and attach a debug container when needed: kubectl debug -it <pod> --target=${app} `
      + `--profile=${kubectlProfileFor(r).name} --image=${r.image.reference} (an ephemeral container; Pod Security checks those too, `
      + 'so this works only for a user or namespace the cluster exempts); ';
  const fix = 'Ways out: '
    + `(1) run it in a namespace whose ${ENFORCE_LABEL} is '${podLevel}'; `
    + second
    + (needs.field === 'debug.runAsAppUser'
      ? "(3) run the app as a non-root user (its securityContext's user), or remove 'runAsAppUser'."
      : `(3) a lesser tool set: ${misfits.length > 0 ? `remove ${misfits.join(', ')}` : 'remove the explicit privileges'}`
      + `${fitting.length > 0 ? ` (${fitting.join(', ')} fit${fitting.length === 1 ? 's' : ''} '${enforced.level}')` : ''}, `
      + `with profile: DebugProfile.${profile} to keep it within '${enforced.level}'.`);
  return problemText(needs.field, needs.value, problem, fix);
}

/**
 * Errors for a debug sidecar whose Pod would break the Pod Security level
 * enforced where it runs (PodSecurity.enforce or a labelled Namespace): one
 * message that names each tool and what it needs beyond the level, and the
 * ways out. Empty when no level is declared or the sidecar fits. Only the
 * sidecar's own violations count; the application's are not its business.
 */
function podSecurityAdvice(workload: ApiObject, podSpecPath: string, r: ResolvedDebug, namespaces: NamespaceIndex): string[] {
  const enforced = enforcedLevelOf(workload, namespaces);
  if (enforced === undefined) return [];
  const { spec, metadata } = podTemplateOf(workload, podSpecPath);
  const refusal = refusalOf(r, spec, metadata, r.name, enforced, 'sidecar');
  return refusal === undefined ? [] : [refusal];
}

interface Advised {
  readonly workload: ApiObject;
  readonly podSpecPath: string;
  readonly r: ResolvedDebug;
}

/** The sidecars of each app (construct tree root) whose advice its validation pass computes; appended at attach, read only in validation. */
const SIDECARS_OF_APP = new WeakMap<IConstruct, Advised[]>();
/** Advice the app's pass computed for a sidecar, taken once by the sidecar's own validation, so none outlives the pass. */
const COMPUTED = new WeakMap<ApiObject, string[]>();

/**
 * Checks the sidecar against the Pod Security level of its namespace when
 * the app is validated, so every Namespace and container is in the tree.
 * cdk8s validates the app's root first: its validation reads the app's
 * Namespaces once for all its sidecars (a scan per sidecar would make synth
 * quadratic), and each sidecar's validation takes its own result. A sidecar
 * validated on its own reads the Namespaces afresh.
 */
export function checkPodSecurityAtSynth(workload: ApiObject, podSpecPath: string, r: ResolvedDebug): void {
  const root = workload.node.root;
  let sidecars = SIDECARS_OF_APP.get(root);
  if (sidecars === undefined) {
    const registered: Advised[] = [];
    sidecars = registered;
    SIDECARS_OF_APP.set(root, registered);
    root.node.addValidation({
      validate: () => {
        const namespaces = namespaceIndexOf(root);
        for (const s of registered) COMPUTED.set(s.workload, podSecurityAdvice(s.workload, s.podSpecPath, s.r, namespaces));
        return [];
      },
    });
  }
  sidecars.push({ workload, podSpecPath, r });
  workload.node.addValidation({
    validate: () => {
      const advice = COMPUTED.get(workload) ?? podSecurityAdvice(workload, podSpecPath, r, namespaceIndexOf(root));
      COMPUTED.delete(workload);
      return advice;
    },
  });
}
