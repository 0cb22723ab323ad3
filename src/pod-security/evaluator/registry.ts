// Every check of k8s.io/pod-security-admission v0.37.2 with its version
// gates (policy/check_*.go), and the selection policy/registry.go makes from
// them for a level and a version. docs/pod-security-engine.md lists the
// same table; the oracle test compares it with policy.DefaultChecks().

import { BASELINE as B } from './checks-baseline';
import { RESTRICTED as R } from './checks-restricted';
import { PodSecurityLevel } from './level';
import { CheckFn } from './pod';

/** One implementation of a check, in force from `since` (a minor version of 1.x) until the next one. */
export interface VersionedCheck {
  readonly since: number;
  readonly run: CheckFn;
  /** Baseline checks this restricted check replaces when restricted is evaluated. */
  readonly overrides?: string[];
}

export interface Check {
  readonly id: string;
  readonly level: PodSecurityLevel;
  /** Strictly increasing `since`. */
  readonly versions: VersionedCheck[];
}

const BL = PodSecurityLevel.BASELINE;
const RL = PodSecurityLevel.RESTRICTED;
const CAPS = ['capabilities_baseline'];
const SECCOMP = ['seccompProfile_baseline'];

export const CHECKS: Check[] = [
  { id: 'appArmorProfile', level: BL, versions: [{ since: 0, run: B.appArmorProfile }] },
  { id: 'capabilities_baseline', level: BL, versions: [{ since: 0, run: B.capabilitiesBaseline }] },
  { id: 'hostNamespaces', level: BL, versions: [{ since: 0, run: B.hostNamespaces }] },
  { id: 'hostPathVolumes', level: BL, versions: [{ since: 0, run: B.hostPathVolumes }] },
  { id: 'hostPorts', level: BL, versions: [{ since: 0, run: B.hostPorts }] },
  { id: 'hostProbesAndHostLifecycle', level: BL, versions: [{ since: 34, run: B.hostProbesAndHostLifecycle }] },
  { id: 'privileged', level: BL, versions: [{ since: 0, run: B.privileged }] },
  { id: 'procMount', level: BL, versions: [{ since: 0, run: B.procMountBaseline }, { since: 35, run: B.procMountBaseline135 }] },
  { id: 'seLinuxOptions', level: BL, versions: [{ since: 0, run: B.seLinuxOptions10 }, { since: 31, run: B.seLinuxOptions131 }] },
  {
    id: 'seccompProfile_baseline',
    level: BL,
    versions: [{ since: 0, run: B.seccompProfileBaseline10 }, { since: 19, run: B.seccompProfileBaseline119 }],
  },
  {
    id: 'sysctls',
    level: BL,
    versions: [
      { since: 0, run: B.sysctls10 }, { since: 27, run: B.sysctls127 }, { since: 29, run: B.sysctls129 },
      { since: 32, run: B.sysctls132 }, { since: 37, run: B.sysctls137 },
    ],
  },
  { id: 'windowsHostProcess', level: BL, versions: [{ since: 0, run: B.windowsHostProcess }] },
  {
    id: 'allowPrivilegeEscalation',
    level: RL,
    versions: [{ since: 8, run: R.allowPrivilegeEscalation18 }, { since: 25, run: R.allowPrivilegeEscalation125 }],
  },
  {
    id: 'capabilities_restricted',
    level: RL,
    versions: [
      { since: 22, run: R.capabilitiesRestricted122, overrides: CAPS },
      { since: 25, run: R.capabilitiesRestricted125, overrides: CAPS },
    ],
  },
  { id: 'procMount_restricted', level: RL, versions: [{ since: 35, run: R.procMountRestricted, overrides: ['procMount'] }] },
  { id: 'restrictedVolumes', level: RL, versions: [{ since: 0, run: R.restrictedVolumes, overrides: ['hostPathVolumes'] }] },
  { id: 'runAsNonRoot', level: RL, versions: [{ since: 0, run: R.runAsNonRoot10 }, { since: 35, run: R.runAsNonRoot135 }] },
  { id: 'runAsUser', level: RL, versions: [{ since: 23, run: R.runAsUser123 }, { since: 35, run: R.runAsUser135 }] },
  {
    id: 'seccompProfile_restricted',
    level: RL,
    versions: [
      { since: 19, run: R.seccompProfileRestricted119, overrides: SECCOMP },
      { since: 25, run: R.seccompProfileRestricted125, overrides: SECCOMP },
    ],
  },
];

/** The newest version whose rules differ from the one before: newer versions (and latest) evaluate as this one. */
export const NEWEST_RULES = Math.max(...CHECKS.map(c => c.versions[c.versions.length - 1].since));

type Selected = ReadonlyArray<{ readonly id: string; readonly run: CheckFn }>;
const selected: Record<string, Selected[]> = {};

/**
 * The checks of `table` that evaluating `level` at 1.`at` runs, in the
 * official order: baseline ids sorted, then restricted ids sorted. Restricted
 * runs the restricted checks in force plus the baseline checks they do not
 * override. Empty for privileged. A pure function of its arguments, so that
 * tests can give it a rearranged table.
 */
export function selectChecks(table: readonly Check[], level: PodSecurityLevel, at: number): Selected {
  const inForce = table.flatMap(c => {
    const version = [...c.versions].reverse().find(v => v.since <= at);
    // Stryker disable next-line ArrayDeclaration: an element that is not a check (no level, no id) is dropped by the level filters and overrides no id
    return version === undefined ? [] : [{ id: c.id, level: c.level, run: version.run, overrides: version.overrides ?? [] }];
  });
  const overridden = new Set(inForce.filter(c => c.level === RL).flatMap(c => c.overrides));
  // Stryker disable next-line EqualityOperator: ids are unique (< and <= agree), and V8's sort only asks whether compare(a, b) < 0 (so 1 and 0 agree)
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const baseline = inForce.filter(c => c.level === BL).sort(byId);
  const restricted = inForce.filter(c => c.level === RL).sort(byId);
  return (level === BL ? baseline
    : level === RL ? [...baseline.filter(c => !overridden.has(c.id)), ...restricted]
      : []).map(c => ({ id: c.id, run: c.run }));
}

/** The checks that evaluating `level` at 1.`minor` runs (selectChecks of the official table), computed once per level and version. */
export function checksAt(level: PodSecurityLevel, minor: number): Selected {
  const at = Math.min(minor, NEWEST_RULES);
  const byLevel = selected[level] ??= [];
  return byLevel[at] ??= selectChecks(CHECKS, level, at);
}
