import { spawnSync } from 'child_process';
import { existsSync } from 'fs';
import * as path from 'path';

/** Path of the oracle binary built by build.sh. */
export const ORACLE_BIN = path.join(__dirname, 'bin', 'pss-oracle');
const BUILD_SCRIPT = path.join(__dirname, 'build.sh');

export type PssLevel = 'restricted' | 'baseline' | 'privileged';

export interface OracleViolation {
  /** The id of the failing check (policy.Check.ID), e.g. 'runAsNonRoot'. */
  readonly check: string;
  readonly reason: string;
  readonly detail: string;
}

export interface OracleResult {
  /** Position of the object in the input array. */
  readonly index: number;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** Strictest level whose evaluation allows the pod template; null if the object has none. */
  readonly level: PssLevel | null;
  /** Failing checks per level (restricted includes failing baseline checks); null on error. */
  readonly violations: { readonly baseline: OracleViolation[]; readonly restricted: OracleViolation[] } | null;
  /** Set when the object has no usable pod template. */
  readonly error?: string;
  /** Unknown or duplicate fields found while decoding the pod template. */
  readonly warnings?: string[];
}

/**
 * An input element may be a plain Kubernetes object, or a wrapper telling the
 * oracle where the pod template (or bare pod spec) of an unknown kind lives.
 */
export interface OracleWrapper {
  readonly object: any;
  /** RFC 6901 JSON pointer, e.g. '/spec/workers/0/template'. */
  readonly podSpecPath: string;
}

export interface OracleAvailability {
  readonly ok: boolean;
  readonly reason?: string;
}

let availability: OracleAvailability | undefined;

/** Builds the oracle if needed (once per process) and reports whether it can be used. */
export function oracleAvailable(): OracleAvailability {
  if (availability) {
    return availability;
  }
  const run = spawnSync('bash', [BUILD_SCRIPT], { encoding: 'utf-8' });
  if (run.error) {
    availability = { ok: false, reason: `cannot run build.sh: ${run.error.message}` };
  } else if (run.status === 3) {
    availability = { ok: false, reason: `Go not installed: ${run.stderr.trim()}` };
  } else if (run.status !== 0) {
    const tail = `${run.stderr}${run.stdout}`.trim().split('\n').slice(-15).join('\n');
    availability = { ok: false, reason: `building the oracle failed (exit ${run.status ?? run.signal}):\n${tail}` };
  } else if (!existsSync(ORACLE_BIN)) {
    availability = { ok: false, reason: `build.sh succeeded but ${ORACLE_BIN} is missing` };
  } else {
    availability = { ok: true };
  }
  return availability;
}

/** One check of policy.DefaultChecks() with its version gates, as `pss-oracle -list-checks` prints it. */
export interface OracleCheck {
  readonly id: string;
  readonly level: 'baseline' | 'restricted';
  readonly versions: Array<{ readonly minimumVersion: string; readonly overrides: string[] }>;
}

function runOracle(args: string[], input: string): string {
  const available = oracleAvailable();
  if (!available.ok) {
    throw new Error(`PSS oracle unavailable: ${available.reason}`);
  }
  const run = spawnSync(ORACLE_BIN, args, { input, encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024 });
  if (run.error) {
    throw new Error(`PSS oracle failed to start: ${run.error.message}`);
  }
  if (run.status !== 0) {
    throw new Error(`PSS oracle exited with ${run.status ?? run.signal}: ${run.stderr.trim()}`);
  }
  return run.stdout;
}

/** The official checks and their version gates. */
export function oracleChecks(): OracleCheck[] {
  return JSON.parse(runOracle(['-list-checks'], '')) as OracleCheck[];
}

/**
 * Evaluates a batch of objects against the Pod Security Standards with the
 * official evaluator (one process for the whole batch). Results are in input order.
 */
export function evaluateWithOracle(objects: Array<any | OracleWrapper>, version: string): OracleResult[] {
  return JSON.parse(runOracle([`-version=${version}`], JSON.stringify(objects))) as OracleResult[];
}
