// The one way the library reports bad input. Every message names the field,
// the value it got, what is wrong with it and how to fix it, so a user can
// act on it without reading the library's source.

import type { IConstruct } from 'constructs';

/** A value as the user would recognise it in their code. */
export function shown(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * The message for a bad input: `<path>: '<field>' <problem> (got <value>). <fix>`.
 * @param where the construct the input belongs to; its path starts the message
 */
export function problemText(field: string, value: unknown, problem: string, fix: string, where?: IConstruct): string {
  const prefix = where === undefined ? '' : `${where.node.path}: `;
  return `${prefix}'${field}' ${problem} (got ${shown(value)}). ${fix}`;
}

/** Throws the error for a bad input. Every error the library throws goes through here. */
export function fail(field: string, value: unknown, problem: string, fix: string, where?: IConstruct): never {
  throw new Error(problemText(field, value, problem, fix, where));
}
