// The end date of a debug sidecar (`debug.until`), and the "now" it is
// compared with: injectable for tests and reproducible builds through the
// context or an environment variable, never by faking the global clock.

import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { environmentVariable } from './environment';
import { fail } from './errors';

/** Context key that sets the time synth compares `debug.until` with (ISO 8601). */
export const NOW_CONTEXT_KEY = 'cdk8s-debuggable/now';
/** Environment variable that sets the time synth compares `debug.until` with (ISO 8601). */
export const NOW_ENV_VAR = 'CDK8S_DEBUGGABLE_NOW';

/** A calendar date, or a date and time with a zone: what `Date` reads the same on every machine. */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Milliseconds since the epoch of an ISO 8601 date (midnight UTC) or date-time with a zone; the error names `field`. */
export function parseInstant(field: string, value: unknown, fix: string): number {
  const match = typeof value === 'string' ? ISO_8601.exec(value.trim()) : null;
  if (match !== null) {
    // Date.parse refuses month 13 and hour 25, but rolls 2026-02-30 over to March 2 and T24:00 to the next day: those are refused here.
    // A date alone is read as midnight UTC (ECMA-262's date-only form).
    const [y, m, d, h] = [1, 2, 3, 4].map(i => Number(match[i] ?? 0));
    const time = Date.parse(match[0]);
    if (!Number.isNaN(time) && new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d && h <= 23) return time;
  }
  return fail(field, value, 'is not an ISO 8601 date', fix);
}

/** The time synth runs at, as the app declares it: context, then environment variable, then the clock. */
export function nowAt(scope: IConstruct): number {
  const fix = "Write it as '2026-12-31T09:00:00Z' (ISO 8601, with a zone), or remove it to use the clock.";
  const fromContext = scope.node.tryGetContext(NOW_CONTEXT_KEY);
  if (fromContext !== undefined) return parseInstant(`context ${NOW_CONTEXT_KEY}`, fromContext, fix);
  const fromEnv = environmentVariable(scope, NOW_ENV_VAR);
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseInstant(`environment variable ${NOW_ENV_VAR}`, fromEnv, fix);
  return Date.now();
}

/** A lifetime written as on the command line, `90s`, `60m` or `2h`, as a Duration. */
export function durationOfText(field: string, value: unknown): Duration {
  const match = typeof value === 'string' ? /^([1-9][0-9]*)(s|m|h)$/.exec(value.trim()) : null;
  if (match === null) return fail(field, value, 'is not a lifetime', "Write a whole number of seconds, minutes or hours: '90s', '60m' or '2h'.");
  const n = Number(match[1]);
  return match[2] === 's' ? Duration.seconds(n) : match[2] === 'm' ? Duration.minutes(n) : Duration.hours(n);
}
