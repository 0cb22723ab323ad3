// The sidecar's resources as Kubernetes quantities. cdk8s-plus would give it
// the app-sized 1000m/512Mi default; a debug shell needs far less. Every
// quantity is checked here, because kplus emits `-5m` or `NaN` as given.

import { Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { fail } from '../errors';
import { optionalObject } from '../input';
import { RESOURCE_PAIR_KEYS, RESOURCES_KEYS } from '../option-keys';

/** Requests and limits of the sidecar. */
export interface SidecarResources {
  readonly requests: Record<string, string>;
  readonly limits: Record<string, string>;
}

const DEFAULTS = { cpuRequest: '10m', memoryRequest: '32Mi', cpuLimit: '500m', memoryLimit: '256Mi' };

/** The default, shared: plan copies it into each container. */
const DEFAULT_RESOURCES: SidecarResources = Object.freeze({
  requests: Object.freeze({ cpu: DEFAULTS.cpuRequest, memory: DEFAULTS.memoryRequest }),
  limits: Object.freeze({ cpu: DEFAULTS.cpuLimit, memory: DEFAULTS.memoryLimit }),
});

/** A CPU quantity the API server accepts: whole millicores, or units with at most three decimals; above zero. */
function cpuQuantity(field: string, value: unknown): string {
  const fix = 'Use Cpu.millis(n) with a whole n of at least 1, or Cpu.units(x) with at most three decimals and x > 0.';
  // Duck-typed: a Cpu from another cdk8s-plus major (28 to 33) is as good.
  const amount = (value as kplus.Cpu | undefined)?.amount;
  if (typeof amount !== 'string') return fail(field, value, 'is not a Cpu', fix);
  const millis = /^[0-9]+m$/.test(amount) ? Number(amount.slice(0, -1)) : /^[0-9]+(\.[0-9]{1,3})?$/.test(amount) ? Number(amount) * 1000 : NaN;
  if (!(millis >= 1)) return fail(field, amount, 'is not a positive CPU quantity of at least 1m', fix);
  return amount;
}

/** A size as a Kubernetes quantity: whole MiB as `Mi`, otherwise rounded up to `Ki`; above zero. */
export function sizeQuantity(field: string, value: unknown): string {
  const fix = 'Use Size.mebibytes(n) with n > 0.';
  if (typeof (value as Size | undefined)?.toMebibytes !== 'function') return fail(field, value, 'is not a Size', fix);
  const size = value as Size;
  const mib = size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
  if (!(mib > 0)) return fail(field, mib, 'must be a positive size', fix);
  // From 2^53 KiB on, a number prints in exponent form ("1e+21Mi"), which is no quantity the API server reads.
  if (mib * 1024 > Number.MAX_SAFE_INTEGER) return fail(field, mib, 'is too large for a Kubernetes quantity', 'Use a size below 8 EiB.');
  return Number.isInteger(mib) ? `${mib}Mi` : `${Math.ceil(size.toKibibytes({ rounding: SizeRoundingBehavior.NONE }))}Ki`;
}

const UNITS: Record<string, number> = { m: 1e-3, Ki: 1024, Mi: 1024 ** 2 };

/** Parses a quantity written by this file (m, Ki, Mi, or plain) into a number, to compare request and limit. */
function magnitude(q: string): number {
  const unit = q.replace(/[0-9.]/g, '');
  return parseFloat(q) * (unit === '' ? 1 : UNITS[unit]);
}

/** The sidecar's requests and limits: the defaults, with each quantity the user gave checked. */
export function resolveResources(value: unknown): SidecarResources {
  if (value === undefined) return DEFAULT_RESOURCES;
  const r = optionalObject<kplus.ContainerResources>('debug.resources', value, 'Pass an object such as { cpu: { limit: Cpu.millis(200) } }.', RESOURCES_KEYS) ?? {};
  const pair = (field: string, v: unknown) => optionalObject<{ request?: unknown; limit?: unknown }>(field, v, 'Pass an object with request and/or limit.', RESOURCE_PAIR_KEYS) ?? {};
  const cpu = pair('debug.resources.cpu', r.cpu);
  const memory = pair('debug.resources.memory', r.memory);
  const storage = pair('debug.resources.ephemeralStorage', r.ephemeralStorage);
  const requests: Record<string, string> = {
    cpu: cpu.request === undefined ? DEFAULTS.cpuRequest : cpuQuantity('debug.resources.cpu.request', cpu.request),
    memory: memory.request === undefined ? DEFAULTS.memoryRequest : sizeQuantity('debug.resources.memory.request', memory.request),
  };
  const limits: Record<string, string> = {
    cpu: cpu.limit === undefined ? DEFAULTS.cpuLimit : cpuQuantity('debug.resources.cpu.limit', cpu.limit),
    memory: memory.limit === undefined ? DEFAULTS.memoryLimit : sizeQuantity('debug.resources.memory.limit', memory.limit),
  };
  if (storage.request !== undefined) requests['ephemeral-storage'] = sizeQuantity('debug.resources.ephemeralStorage.request', storage.request);
  if (storage.limit !== undefined) limits['ephemeral-storage'] = sizeQuantity('debug.resources.ephemeralStorage.limit', storage.limit);
  for (const key of Object.keys(requests)) {
    if (limits[key] !== undefined && magnitude(requests[key]) > magnitude(limits[key])) {
      fail(`debug.resources.${key}`, { request: requests[key], limit: limits[key] }, 'has a request above its limit, which the API server rejects',
        'Raise the limit or lower the request.');
    }
  }
  return { requests, limits };
}
