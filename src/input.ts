// Runtime checks of what callers pass. TypeScript checks types at compile
// time only; JavaScript and Python callers (and `any` in TypeScript) can pass
// a string where a boolean is expected, and `'false'` is truthy. Each check
// fails with the library's message: the field, the value and the fix.

import { fail } from './errors';
import { RENAMED_KEYS } from './option-keys';

/** "a Size", "an ImageFamily". */
function article(name: string): string {
  return /^[AEIOU]/.test(name) ? `an ${name}` : `a ${name}`;
}

/** `undefined`, or a boolean. */
export function optionalBoolean(field: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  return fail(field, value, 'is not a boolean', `Write true or false${typeof value === 'string' ? ' without quotes' : ''}.`);
}

/** `undefined`, or a string. */
export function optionalString(field: string, value: unknown, fix: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  return fail(field, value, 'is not a string', fix);
}

/** `undefined`, or an integer in [min, max]. */
export function optionalInteger(field: string, value: unknown, min: number, max: number, fix: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value)) return fail(field, value, 'is not an integer', fix);
  const n = value as number;
  if (n < min || n > max) return fail(field, n, `is out of range (${min} to ${max})`, fix);
  return n;
}

/** `undefined`, or an array whose items pass `item`. */
export function optionalArray<T>(field: string, value: unknown, fix: string, item: (field: string, value: unknown) => T): T[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return fail(field, value, 'is not a list', fix);
  return value.map((v, i) => item(`${field}[${i}]`, v));
}

/**
 * `undefined`, or a plain object (for option structs). With `known`, a key
 * outside it is an error that names the key and suggests the nearest known
 * one, or gives the new name of a renamed key (RENAMED_KEYS).
 */
export function optionalObject<T>(field: string, value: unknown, fix: string, known?: readonly string[]): T | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(field, value, 'is not an object', fix);
  if (known !== undefined) {
    for (const key of Object.keys(value)) if (!known.includes(key)) unknownKey(field, key, (value as any)[key], known);
  }
  return value as T;
}

function unknownKey(field: string, key: string, value: unknown, known: readonly string[]): never {
  const where = `${field}.${key}`;
  const renamed = Object.prototype.hasOwnProperty.call(RENAMED_KEYS, key) ? RENAMED_KEYS[key] : undefined;
  if (renamed !== undefined && !known.includes(key)) return fail(where, value, `was renamed to '${renamed}'`, `Write '${renamed}' instead.`);
  const near = nearest(key, known);
  return fail(where, value, `is not a key of '${field}', so it would be ignored`,
    `${near === undefined ? '' : `Did you mean '${near}'? `}The keys are ${known.join(', ')}.`);
}

/** The known key closest to `key` (case-insensitive edit distance at most a third of its length, at least 1), if any. */
function nearest(key: string, known: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let diagonal = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const up = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
        diagonal = up;
      }
    }
    return row[b.length];
  };
  const scored = known.map(k => ({ k, d: distance(key.toLowerCase(), k.toLowerCase()) })).sort((x, y) => x.d - y.d);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: every caller knows at least one key
  return scored.length > 0 && scored[0].d <= Math.max(1, Math.floor(key.length / 3)) ? scored[0].k : undefined;
}

const ENUM_VALUES = new WeakMap<object, Set<string>>();

/** `undefined`, or one of the values of a string enum. */
export function optionalEnum<T extends string>(field: string, value: unknown, values: Record<string, T>, enumName: string): T | undefined {
  if (value === undefined) return undefined;
  let allowed = ENUM_VALUES.get(values);
  // Stryker disable next-line ConditionalExpression: a memo; building the set again gives the same set
  if (allowed === undefined) {
    allowed = new Set(Object.values(values) as string[]);
    ENUM_VALUES.set(values, allowed);
  }
  // A Set of strings has no other value.
  if (allowed.has(value as string)) return value as T;
  const members = Object.keys(values).map(k => `${enumName}.${k}`).join(', ');
  return fail(field, value, `is not ${article(enumName)}`, `Use one of ${members}.`);
}

/** `undefined`, or an instance of an enum-like class. */
export function optionalInstance<T>(field: string, value: unknown, type: { readonly prototype: T; readonly name: string },
  fix: string): T | undefined {
  if (value === undefined || value instanceof (type as any)) return value as T | undefined;
  return fail(field, value, `is not ${article(type.name)}`, fix);
}
