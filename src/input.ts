// Runtime checks of what callers pass. TypeScript checks types at compile
// time only; JavaScript and Python callers (and `any` in TypeScript) can pass
// a string where a boolean is expected, and `'false'` is truthy. Each check
// fails with the library's message: the field, the value and the fix.

import { fail } from './errors';

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
  if (typeof value !== 'number' || !Number.isInteger(value)) return fail(field, value, 'is not an integer', fix);
  if (value < min || value > max) return fail(field, value, `is out of range (${min} to ${max})`, fix);
  return value;
}

/** `undefined`, or an array whose items pass `item`. */
export function optionalArray<T>(field: string, value: unknown, fix: string, item: (field: string, value: unknown) => T): T[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return fail(field, value, 'is not a list', fix);
  return value.map((v, i) => item(`${field}[${i}]`, v));
}

/** `undefined`, or a plain object (for option structs). */
export function optionalObject<T>(field: string, value: unknown, fix: string): T | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(field, value, 'is not an object', fix);
  return value as T;
}

const ENUM_VALUES = new WeakMap<object, Set<string>>();

/** `undefined`, or one of the values of a string enum. */
export function optionalEnum<T extends string>(field: string, value: unknown, values: Record<string, T>, enumName: string): T | undefined {
  if (value === undefined) return undefined;
  let allowed = ENUM_VALUES.get(values);
  if (allowed === undefined) {
    allowed = new Set(Object.values(values) as string[]);
    ENUM_VALUES.set(values, allowed);
  }
  if (typeof value === 'string' && allowed.has(value)) return value as T;
  const members = Object.keys(values).map(k => `${enumName}.${k}`).join(', ');
  return fail(field, value, `is not ${article(enumName)}`, `Use one of ${members}.`);
}

/** `undefined`, or an instance of an enum-like class. */
export function optionalInstance<T>(field: string, value: unknown, type: { readonly prototype: T; readonly name: string },
  fix: string): T | undefined {
  if (value === undefined || value instanceof (type as any)) return value as T | undefined;
  return fail(field, value, `is not ${article(type.name)}`, fix);
}
