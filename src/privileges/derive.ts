// The sidecar's privileges, derived from its tools, the profile and an
// explicit security context, and every rule that keeps them consistent.

import { fail } from '../errors';
import { ImageFamily } from '../image/image-family';
import { optionalArray, optionalBoolean, optionalInteger, optionalObject } from '../input';
import { SECURITY_CONTEXT_KEYS } from '../option-keys';
import { Capability } from './capability';
import { DebugProfile } from './debug-profile';
import { DebugSecurityContext } from './debug-security-context';
import { DebugTool } from './debug-tool';

/** The user a sidecar that needs no privileges runs as (nobody). */
export const NON_ROOT_USER = 65534;

const MAX_ID = 2147483647;

/** Who decided a privilege: the tools, the profile or the explicit security context. */
export type PrivilegeSource = 'tools' | 'profile' | 'securityContext';

/** What one tool needs in the chosen image family. */
export interface ToolNeeds {
  readonly tool: string;
  readonly capabilities: string[];
  readonly needsRoot: boolean;
}

/** The sidecar's decided privileges, and who decided them (for messages). */
export interface Privileges {
  /** Added after dropping ALL, sorted, in Kubernetes spelling. */
  readonly capabilities: string[];
  readonly privileged: boolean;
  readonly allowPrivilegeEscalation: boolean;
  readonly runAsUser: number;
  readonly runAsGroup?: number;
  readonly ensureNonRoot: boolean;
  readonly readOnlyRootFilesystem: boolean;
  /** Whether a tool or the profile needs the Pod's shared process namespace. */
  readonly needsShareProcessNamespace: boolean;
  readonly toolNeeds: ToolNeeds[];
  readonly capabilitiesFrom: PrivilegeSource;
  readonly privilegedFrom?: PrivilegeSource;
  /** Why the sidecar runs as user 0, when it does. */
  readonly rootFrom?: PrivilegeSource;
}

function sortedUnion(lists: string[][]): string[] {
  return [...new Set(lists.flat())].sort();
}

function profileName(profile: DebugProfile): string {
  return `DebugProfile.${profile.name.toUpperCase()}`;
}

const SC = 'debug.securityContext';
const ID_FIX = 'Use a whole number from 0 to 2147483647.';

/** The explicit security context, with every field's runtime type checked. */
function checkedSecurityContext(value: unknown): DebugSecurityContext {
  const sc = optionalObject<DebugSecurityContext>(SC, value, 'Pass an object such as { user: 0 }.', SECURITY_CONTEXT_KEYS) ?? {};
  return {
    user: optionalInteger(`${SC}.user`, sc.user, 0, MAX_ID, ID_FIX),
    group: optionalInteger(`${SC}.group`, sc.group, 0, MAX_ID, ID_FIX),
    ensureNonRoot: optionalBoolean(`${SC}.ensureNonRoot`, sc.ensureNonRoot),
    capabilities: optionalArray(`${SC}.capabilities`, sc.capabilities, 'Pass a list such as [Capability.NET_RAW].',
      (field, c) => Capability.of(Capability._nameOf(field, c))),
    privileged: optionalBoolean(`${SC}.privileged`, sc.privileged),
    allowPrivilegeEscalation: optionalBoolean(`${SC}.allowPrivilegeEscalation`, sc.allowPrivilegeEscalation),
    readOnlyRootFilesystem: optionalBoolean(`${SC}.readOnlyRootFilesystem`, sc.readOnlyRootFilesystem),
  };
}

/** An explicit security context may narrow a profile, never widen or contradict it. */
function checkAgainstProfile(profile: DebugProfile, sc: DebugSecurityContext): void {
  const name = profileName(profile);
  const allowed = profile._allowedCapabilities;
  (sc.capabilities ?? []).forEach((c, i) => {
    if (allowed !== undefined && !allowed.includes(c.name)) {
      fail(`${SC}.capabilities[${i}]`, c.name, `is beyond ${name}, which allows ${allowed.length ? allowed.join(', ') : 'no capability'}`,
        "Remove it, choose a profile that allows it, or omit 'profile' and give the capabilities alone.");
    }
  });
  if (sc.privileged !== undefined && sc.privileged !== profile._privileged) {
    fail(`${SC}.privileged`, sc.privileged, `contradicts ${name}, which ${profile._privileged ? 'is' : 'is not'} privileged`,
      sc.privileged ? "Use DebugProfile.SYSADMIN for a privileged sidecar, or remove 'privileged'." : "Remove 'privileged: false', or choose another profile.");
  }
  if (profile._nonRoot) {
    if (sc.user === 0) fail(`${SC}.user`, 0, `contradicts ${name}, which runs the sidecar as non-root`, "Remove 'user: 0', or choose another profile.");
    if (sc.ensureNonRoot === false) {
      fail(`${SC}.ensureNonRoot`, false, `contradicts ${name}, which runs the sidecar as non-root`, "Remove 'ensureNonRoot: false', or choose another profile.");
    }
    if (sc.allowPrivilegeEscalation === true) {
      fail(`${SC}.allowPrivilegeEscalation`, true, `contradicts ${name}, which forbids privilege escalation`,
        "Remove 'allowPrivilegeEscalation', or choose another profile.");
    }
  }
}

/** Every tool must be one the profile can serve. */
function checkToolsAgainstProfile(profile: DebugProfile, tools: DebugTool[], needs: ToolNeeds[], family: ImageFamily | undefined): void {
  needs.forEach((need, i) => {
    const allowed = profile._allowedCapabilities;
    if (allowed !== undefined && !need.capabilities.every(c => allowed.includes(c))) {
      fail(`debug.tools[${i}]`, need.tool,
        `needs ${need.capabilities.join(', ')} in ${family ? `an image of the ${family} family` : 'an image of unknown family (the union of the families)'}, which ${profileName(profile)} cannot give (it allows ${allowed.length ? allowed.join(', ') : 'no capability'})`,
        "Remove the tool, choose a profile that serves it (NETADMIN for network tools, GENERAL for strace/gdb, SYSADMIN for all), or omit 'profile' to derive the privileges from the tools.");
    }
    if (profile._nonRoot && (tools[i].needsRoot
      // Stryker disable next-line ConditionalExpression: the one non-root profile, RESTRICTED, allows no capability, so a tool that needs one failed just above
      || need.capabilities.length > 0)) {
      fail(`debug.tools[${i}]`, need.tool, `needs root, which ${profileName(profile)} does not allow`, 'Remove the tool or choose another profile.');
    }
  });
}

/**
 * The narrowest privileges that run the tools in an image of `family`,
 * within the profile, with the explicit security context's fields winning.
 * Throws for every contradiction the API server or the kubelet would reject.
 */
export function derivePrivileges(tools: DebugTool[], family: ImageFamily | undefined, profile: DebugProfile | undefined,
  securityContext: unknown): Privileges {
  // The same tools and profile in the same family give the same privileges: most apps repeat one configuration.
  // The memo (these lines and idOf) is invisible: derive is a pure function of immutable tools and profiles, and its
  // results are only read (the manifest and DebugSidecar copy them). A memo that misses, or a key that stays distinct,
  // computes the same answer again. (join('') could merge the ids 1,23 and 12,3, but ids are numbered in order of
  // first use across a whole test run, so no test can pick them.)
  // Stryker disable next-line ConditionalExpression,StringLiteral: the memo, invisible (above)
  const key = securityContext === undefined ? `${family}|${profile === undefined ? '' : idOf(profile)}|${tools.map(idOf).join(',')}` : undefined;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: the memo, invisible (above); the map never holds the undefined key
  const known = key === undefined ? undefined : DERIVED.get(key);
  // Stryker disable next-line ConditionalExpression: the memo, invisible (above)
  if (known !== undefined) return known;
  const derived = derive(tools, family, profile, securityContext);
  // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: the memo, invisible (above); the bound only caps memory
  if (key !== undefined && DERIVED.size < 1000) DERIVED.set(key, derived);
  return derived;
}

const DERIVED = new Map<string, Privileges>();
const IDS = new WeakMap<object, number>();
let nextId = 0;
/** A number per tool or profile object (custom tools with the same name are different tools). */
function idOf(o: object): number {
  let id = IDS.get(o);
  // Stryker disable next-line ConditionalExpression: a fresh id on every call only makes the memo miss (derivePrivileges)
  if (id === undefined) {
    // Stryker disable next-line UpdateOperator: ids counted down are as distinct as ids counted up
    id = nextId++;
    IDS.set(o, id);
  }
  return id;
}

function derive(tools: DebugTool[], family: ImageFamily | undefined, profile: DebugProfile | undefined, securityContext: unknown): Privileges {
  const sc = checkedSecurityContext(securityContext);
  // The tools' capability names were checked when the tools were read (resolve).
  const needs: ToolNeeds[] = tools.map(tool => ({
    tool: tool.name,
    capabilities: [...new Set(tool.capabilitiesIn(family).map(c => c.name))],
    needsRoot: tool.needsRoot,
  }));
  if (profile) {
    checkAgainstProfile(profile, sc);
    checkToolsAgainstProfile(profile, tools, needs, family);
  }

  // Stryker disable next-line StringLiteral: every reader of a PrivilegeSource (the Pod Security refusal, the runAsAppUser error) tells only 'profile' apart; any other value prints as 'debug.securityContext' (and 'tools' is also read below, where it changes nothing visible)
  const capabilitiesFrom: PrivilegeSource = sc.capabilities ? 'securityContext' : profile?._fixedCapabilities ? 'profile' : 'tools';
  const capabilities = sc.capabilities ? sortedUnion([sc.capabilities.map(c => c.name)])
    : profile?._fixedCapabilities ? [...profile._fixedCapabilities] : sortedUnion(needs.map(n => n.capabilities));
  // Stryker disable next-line StringLiteral: every reader of a PrivilegeSource (the Pod Security refusal, the runAsAppUser error) tells only 'profile' apart; any other value prints as 'debug.securityContext'
  const privilegedFrom: PrivilegeSource | undefined = sc.privileged !== undefined ? 'securityContext' : profile?._privileged ? 'profile' : undefined;
  const privileged = sc.privileged ?? profile?._privileged ?? false;
  const allowPrivilegeEscalation = sc.allowPrivilegeEscalation ?? privileged;
  if (privileged && !allowPrivilegeEscalation) {
    fail(`${SC}.allowPrivilegeEscalation`, false, 'cannot be false on a privileged container (the API server rejects the pair)',
      "Remove 'allowPrivilegeEscalation: false', or do not run the sidecar privileged.");
  }

  const toolsNeedingRoot = needs.filter(n => n.needsRoot).map(n => n.tool);
  const needsRoot = privileged || capabilities.length > 0 || toolsNeedingRoot.length > 0;
  const runAsUser = sc.user ?? (needsRoot && !profile?._nonRoot && sc.ensureNonRoot !== true ? 0 : NON_ROOT_USER);
  const ensureNonRoot = sc.ensureNonRoot ?? runAsUser !== 0;
  if (ensureNonRoot && runAsUser === 0) {
    fail(`${SC}.ensureNonRoot`, true, 'cannot hold for user 0 (the kubelet refuses to start the container)',
      "Remove 'ensureNonRoot', or set 'user' to a non-zero ID with tools that need no capabilities.");
  }
  if (runAsUser !== 0 || ensureNonRoot) {
    // Only the explicit context can make a sidecar that needs root non-root: the profiles were checked above.
    const field = sc.user !== undefined ? `${SC}.user` : `${SC}.ensureNonRoot`;
    const value = sc.user !== undefined ? sc.user : ensureNonRoot;
    const needers = needs.filter(n => n.capabilities.length > 0 || n.needsRoot).map(n => n.tool);
    if (capabilities.length > 0 || privileged) {
      fail(field, value,
        `makes the sidecar non-root, but it needs ${privileged ? 'privileged mode' : capabilities.join(', ')}${needers.length ? ` (for ${needers.join(', ')})` : ''}; Kubernetes gives a non-root container no effective capabilities (kubernetes/kubernetes#56374)`,
        'Remove the non-root setting so the sidecar runs as user 0, or choose tools that need no capabilities.');
    }
    if (toolsNeedingRoot.length > 0) {
      fail(field, value, `makes the sidecar non-root, but ${toolsNeedingRoot.join(', ')} must run as root`, 'Remove the non-root setting, or remove those tools.');
    }
  }

  let rootFrom: PrivilegeSource | undefined;
  if (runAsUser === 0) {
    // Stryker disable next-line StringLiteral: every reader of a PrivilegeSource (the Pod Security refusal, the runAsAppUser error) tells only 'profile' apart; any other value prints as 'debug.securityContext'
    if (sc.user === 0) rootFrom = 'securityContext';
    // rootFrom is read only when no tool needs root or a capability (such a tool is blamed by name), and only as
    // 'profile' or not. So taking this branch or not for a tool that needs root or a capability, and 'tools' against
    // any other source but 'profile', cannot show. (Taking it for tools that need nothing would show: the NETADMIN
    // tests of test/privileges.test.ts check that, so MethodExpression stays on.)
    // Stryker disable next-line ConditionalExpression,ArrowFunction,LogicalOperator,EqualityOperator,StringLiteral: invisible (above)
    else if (needs.some(n => n.needsRoot || (capabilitiesFrom === 'tools' && n.capabilities.length > 0))) rootFrom = 'tools';
    else rootFrom = privilegedFrom ?? capabilitiesFrom;
  }
  return {
    capabilities,
    privileged,
    allowPrivilegeEscalation,
    runAsUser,
    runAsGroup: sc.group,
    ensureNonRoot,
    readOnlyRootFilesystem: sc.readOnlyRootFilesystem ?? true,
    needsShareProcessNamespace: tools.some(t => t.needsShareProcessNamespace) || (profile?._shareProcessNamespace ?? false),
    toolNeeds: needs,
    capabilitiesFrom,
    privilegedFrom,
    rootFrom,
  };
}
