// Finding the synthesized pod of what a user passes to PodSecurity: a
// cdk8s-plus workload, its ApiObject, or a construct with one workload under it.

import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { fail } from '../errors';
import { isObject, POD_SPEC_PATHS, podSpecPathOf, podTemplateOf } from '../pod-spec';

/** The workload ApiObject of a construct: itself, its default child, or the only workload under it. */
export function workloadOf(construct: IConstruct): ApiObject {
  if (construct instanceof ApiObject) return construct;
  const child = construct.node.defaultChild;
  if (child instanceof ApiObject) return child;
  const workloads = construct.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && podSpecPathOf(c) !== undefined);
  if (workloads.length === 1) return workloads[0];
  return fail('workload', construct.node.path,
    workloads.length === 0 ? 'has no workload under it (a cdk8s-plus workload or an ApiObject with a pod template)'
      : `has ${workloads.length} workloads under it (${workloads.map(w => w.node.path).join(', ')})`,
    'Pass one workload: the cdk8s-plus workload, its ApiObject, or a construct with exactly one workload under it.');
}

/** The pod spec and template metadata of a workload object, as synthesized. */
export function synthesizedPodOf(apiObject: ApiObject): { spec: any; metadata: any } {
  const path = podSpecPathOf(apiObject);
  if (path === undefined) {
    return fail('kind', apiObject.kind, 'has no pod template, so this object has no Pod Security level',
      `Pass a workload (${Object.keys(POD_SPEC_PATHS).join(', ')}), or an object a debug sidecar was attached to with 'podSpecPath'.`, apiObject);
  }
  const pod = podTemplateOf(apiObject, path);
  if (!isObject(pod.spec)) {
    return fail('podSpecPath', path, `points at no pod spec in ${apiObject.node.path}`, 'Give the JSON pointer of the pod spec in this object.');
  }
  return pod;
}
