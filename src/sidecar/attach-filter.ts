// The filter of DebugSidecar.attachAll: checked once, then matched per object.

import { ApiObject } from 'cdk8s';
import { fail } from '../errors';
import { optionalArray, optionalObject, optionalString } from '../input';
import { POD_SPEC_PATHS } from '../pod-spec';
import { WorkloadFilter } from './workload-filter';

/** A filter whose every field was checked; a kind that can never match is an error, not an empty result. */
export function checkFilter(filter: WorkloadFilter): WorkloadFilter {
  const known = Object.keys(POD_SPEC_PATHS);
  const kinds = optionalArray('kinds', filter.kinds, 'Pass a list of kinds such as [\'Deployment\'].', (field, v) => {
    const kind = optionalString(field, v, `Use one of ${known.join(', ')}.`);
    if (kind === undefined || !known.includes(kind)) {
      const sameCase = known.find(k => k.toLowerCase() === String(kind).toLowerCase());
      fail(field, v, 'is not a kind with a pod template, so it can never match',
        sameCase ? `Write '${sameCase}' (kinds are case-sensitive).` : `Use one of ${known.join(', ')}; for a custom resource use DebugSidecar.attach with 'podSpecPath'.`);
    }
    return kind!;
  });
  const names = optionalArray('names', filter.names, "Pass a list of names such as ['web'].",
    (field, v) => optionalString(field, v, 'Pass a name as a string.') ?? fail(field, v, 'is not a string', 'Pass a name as a string.'));
  const labels = optionalObject<Record<string, string>>('labels', filter.labels, "Pass an object such as { app: 'web' }.");
  return { kinds, names, labels };
}

/** Whether an object passes the filter. */
export function matchesFilter(o: ApiObject, filter: WorkloadFilter): boolean {
  if (filter.kinds && !filter.kinds.includes(o.kind)) return false;
  const ids = [o.name, o.node.id, o.node.scope?.node.id];
  if (filter.names && !filter.names.some(n => ids.includes(n))) return false;
  return Object.entries(filter.labels ?? {}).every(([k, v]) => o.metadata.getLabel(k) === v);
}
