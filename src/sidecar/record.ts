// What a debug container leaves on its Pod, so the cluster can see it: one
// label that lists every debug Pod (`kubectl get pods -A -l ...`), and
// annotations with the tools, the capabilities, the end date and who asked.

import { sorted } from './plan';
import { ResolvedDebug } from './resolve';

/** The prefix of the library's labels and annotations: a DNS subdomain the project names itself by. */
export const RECORD_PREFIX = 'cdk8s-debuggable.dev/';

/** The label every Pod (template) with a debug container carries, with the value `true`. */
export const DEBUG_POD_LABEL = `${RECORD_PREFIX}debug`;

/** The labels and annotations a debug container adds to its Pod. */
export interface DebugRecord {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/**
 * The record of the debug container `containerName`: the sidecar (whose end
 * is `debug.until`), or an ephemeral container (whose end is its lifetime).
 */
export function debugRecordOf(r: ResolvedDebug, containerName: string, ephemeral?: { readonly ttlSeconds?: number }): DebugRecord {
  const annotations: Record<string, string> = {
    [`${RECORD_PREFIX}capabilities`]: r.privileged ? 'privileged' : r.capabilities.join(',') || 'none',
    [`${RECORD_PREFIX}container`]: containerName,
    [`${RECORD_PREFIX}tools`]: r.tools.map(t => t.name).join(',') || 'none',
  };
  if (r.owner !== undefined) annotations[`${RECORD_PREFIX}owner`] = r.owner;
  if (r.reason !== undefined) annotations[`${RECORD_PREFIX}reason`] = r.reason;
  if (ephemeral === undefined && r.until !== undefined) annotations[`${RECORD_PREFIX}until`] = r.until;
  if (ephemeral?.ttlSeconds !== undefined) annotations[`${RECORD_PREFIX}ttl`] = `${ephemeral.ttlSeconds}s`;
  return { labels: { [DEBUG_POD_LABEL]: 'true' }, annotations: sorted(annotations) };
}
