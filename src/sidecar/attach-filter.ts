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
    if (!known.includes(kind as string)) {
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

/**
 * The names a user may give for a workload, in `attachAll`'s filter and on
 * the command line: its `metadata.name`, and the id and path of its ApiObject
 * and of the construct around it (the cdk8s-plus workload).
 */
export function workloadNames(workload: ApiObject): string[] {
  // An ApiObject always has a scope: cdk8s requires a Chart above it.
  const around = workload.node.scope!;
  return [workload.name, workload.node.id, workload.node.path, around.node.id, around.node.path];
}

/** Whether a workload passes the filter. */
export function matchesFilter(workload: ApiObject, filter: WorkloadFilter): boolean {
  if (filter.kinds && !filter.kinds.includes(workload.kind)) return false;
  const names = workloadNames(workload);
  if (filter.names && !filter.names.some(n => names.includes(n))) return false;
  return Object.entries(filter.labels ?? {}).every(([k, v]) => workload.metadata.getLabel(k) === v);
}
