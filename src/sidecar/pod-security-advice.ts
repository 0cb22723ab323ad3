// The sidecar's side of Pod Security: when the namespace a workload runs in
// enforces a level the sidecar breaks, say which tool needs what, and the
// ways out. Fed by the resolved sidecar; PodSecurity itself knows nothing of
// sidecars.

import { ApiObject } from 'cdk8s';
import { problemText } from '../errors';
import { ResolvedDebug } from './resolve';
import { BASELINE_ADDABLE_CAPABILITIES, podSecurityLevel, podSecurityViolations } from '../pod-security/checks';
import { PodSecurityLevel } from '../pod-security/level';
import { PodSecurity } from '../pod-security/pod-security';
import { PodSecurityViolation } from '../pod-security/violation';
import { metadataPathOf, pointer } from '../pod-spec';
import { DebugProfile } from '../privileges/debug-profile';
import { PrivilegeSource } from '../privileges/derive';

/** kubectl's profiles from the narrowest, for "kubectl debug --profile=...". */
const KUBECTL_PROFILES = [DebugProfile.BASELINE, DebugProfile.GENERAL, DebugProfile.NETADMIN, DebugProfile.SYSADMIN];

/** Whether a tool with these needs runs within `level`, given how the sidecar derives its privileges. */
function toolFits(capabilities: string[], needsRoot: boolean, level: PodSecurityLevel): boolean {
  if (level === PodSecurityLevel.RESTRICTED) return capabilities.length === 0 && !needsRoot;
  if (level === PodSecurityLevel.BASELINE) return capabilities.every(c => BASELINE_ADDABLE_CAPABILITIES.includes(c));
  return true;
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
function explainNeeds(r: ResolvedDebug, mine: PodSecurityViolation[]): { readonly text: string; readonly field: string; readonly value: unknown } {
  const isAdd = (v: PodSecurityViolation) => v.check.startsWith('capabilities_') && v.field.endsWith('.capabilities.add');
  const isRoot = (v: PodSecurityViolation) => (v.check === 'runAsNonRoot' || v.check === 'runAsUser') && v.value !== '(unset)';
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
  if (root && !rootExplained && !privileged) parts.push(`${who(r.rootFrom, r)} runs it as root`);
  for (const v of mine) {
    if (isAdd(v) || isRoot(v) || v.check === 'privileged') continue;
    if (v.check === 'allowPrivilegeEscalation' && privileged) continue;
    parts.push(`${v.field.replace(/^spec\.\w+\[[^\]]*\]\./, '')} is ${v.value}`);
  }
  const text = [...new Set(parts)].join('; ');
  if (explained.size > 0 || rootExplained) return { text, field: 'debug.tools', value: r.tools.map(t => t.name) };
  if (r.profile && [r.capabilitiesFrom, r.privilegedFrom, r.rootFrom].includes('profile')) {
    return { text, field: 'debug.profile', value: r.profile.name };
  }
  return { text, field: 'debug.securityContext', value: { capabilities: r.capabilities, privileged: r.privileged, user: r.runAsUser } };
}

/** The level a namespace enforces, and at which policy version, as PodSecurity finds it. */
type Enforced = NonNullable<ReturnType<typeof PodSecurity._enforcedLevel>>;

/**
 * Why the Pod's namespace refuses the debug container `containerName` (the
 * sidecar, or the ephemeral container) in the pod spec, and the ways out;
 * undefined when the container fits the enforced level.
 */
export function refusalOf(r: ResolvedDebug, spec: any, metadata: any, containerName: string, enforced: Enforced,
  ephemeral: boolean): string | undefined {
  if (enforced.level === PodSecurityLevel.PRIVILEGED) return undefined;
  const mine = podSecurityViolations(spec, metadata, enforced.level, enforced.version).filter(v => v.container === containerName);
  if (mine.length === 0) return undefined;

  const podLevel = podSecurityLevel(spec, metadata, enforced.version);
  const app = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c: any) => c.name).find((n: string) => n !== r.name) ?? '<app container>';
  const fitting = r.toolNeeds.filter(n => toolFits(n.capabilities, n.needsRoot, enforced.level)).map(n => n.tool);
  const misfits = r.toolNeeds.map(n => n.tool).filter(n => !fitting.includes(n));
  const profile = enforced.level === PodSecurityLevel.RESTRICTED ? 'RESTRICTED' : 'BASELINE';
  const needs = explainNeeds(r, mine);
  const what = ephemeral ? `the ephemeral debug container '${containerName}'` : `the debug sidecar '${r.name}'`;
  const problem = `of ${what} ask for more than Pod Security '${enforced.level}:${enforced.version}' allows `
    + `(enforced by ${enforced.source}): ${needs.text}`;
  const second = ephemeral
    ? '(2) ask for an exemption (the PodSecurity admission configuration exempts users, runtime classes or namespaces; '
      + 'pods/ephemeralcontainers is checked like the Pod); '
    : `(2) leave the sidecar off here and attach a debug container when needed: kubectl debug -it <pod> --target=${app} `
      + `--profile=${kubectlProfileFor(r).name} --image=${r.image} (an ephemeral container; Pod Security checks those too, `
      + 'so this works only for a user or namespace the cluster exempts); ';
  const fix = 'Ways out: '
    + `(1) run it in a namespace whose ${PodSecurity.ENFORCE_LABEL} is '${podLevel}'; `
    + second
    + `(3) a lesser tool set: ${misfits.length > 0 ? `remove ${misfits.join(', ')}` : 'remove the explicit privileges'}`
    + `${fitting.length > 0 ? ` (${fitting.join(', ')} fit${fitting.length === 1 ? 's' : ''} '${enforced.level}')` : ''}, `
    + `with profile: DebugProfile.${profile} to keep it within '${enforced.level}'.`;
  return problemText(needs.field, needs.value, problem, fix);
}

/**
 * Errors for a debug sidecar whose Pod would break the Pod Security level
 * enforced where it runs (PodSecurity.enforce or a labelled Namespace): one
 * message that names each tool and what it needs beyond the level, and the
 * ways out. Empty when no level is declared or the sidecar fits. Only the
 * sidecar's own violations count; the application's are not its business.
 * Registered as a validation, so it sees the final Pod.
 */
export function podSecurityAdvice(apiObject: ApiObject, podSpecPath: string, r: ResolvedDebug): string[] {
  const enforced = PodSecurity._enforcedLevel(apiObject);
  if (enforced === undefined) return [];
  const json = apiObject.toJson();
  const metaPath = metadataPathOf(podSpecPath);
  const refusal = refusalOf(r, pointer(json, podSpecPath), metaPath === undefined ? undefined : pointer(json, metaPath), r.name, enforced, false);
  return refusal === undefined ? [] : [refusal];
}
