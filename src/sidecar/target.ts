// What `DebugSidecar.attach` is given: the workload object, and the
// cdk8s-plus workload around it when there is one (its props are read
// without serializing the object).

import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { fail } from '../errors';
import { podSpecPathOf } from '../pod-spec';

/** The ApiObject of a target, and the cdk8s-plus workload around it if any. */
export function targetOf(target: IConstruct): { apiObject: ApiObject; workload?: kplus.AbstractPod } {
  if (target instanceof ApiObject) {
    const parent = target.node.scope;
    return { apiObject: target, workload: parent instanceof kplus.AbstractPod && parent.node.defaultChild === target ? parent : undefined };
  }
  const child = target?.node?.defaultChild;
  if (child instanceof ApiObject) return { apiObject: child, workload: target instanceof kplus.AbstractPod ? target : undefined };
  const objects = target?.node ? target.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && podSpecPathOf(c) !== undefined) : [];
  return fail('target', target?.node?.path ?? target,
    objects.length > 0 ? `holds ${objects.length} workload object(s) (${objects.map(o => `${o.kind} ${o.name}`).join(', ')}), not one workload (an Include or a Helm chart?)`
      : 'has no Kubernetes object, so it is not a workload',
    objects.length > 0 ? 'Use DebugSidecar.attachAll(target, options) for all of them (filter with kinds, names or labels), or attach to one of its ApiObjects (include.apiObjects).'
      : 'Attach to a cdk8s-plus workload or an ApiObject with a pod template.');
}
