// What `DebugSidecar.attach` is given: the workload object, and the
// cdk8s-plus workload around it when there is one (its props are read
// without serializing the object).

import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { fail } from '../errors';
import { KubernetesVersion } from '../kubernetes-version';
import { NEWEST_KNOWN_MINOR, OLDEST_KNOWN_MINOR } from '../pod-security/evaluator/policy-version';
import { podSpecPathOf } from '../pod-spec';

/** The jsii type name of a cdk8s-plus class (`cdk8s-plus-33.Deployment`): cdk8s-plus-N is made for Kubernetes 1.N. */
const CDK8S_PLUS_FQN = /^(cdk8s-plus-(\d+))\./;
const JSII_RTTI = Symbol.for('jsii.rtti');

/**
 * The oldest Kubernetes the library that built the workload is made for: a
 * workload whose construct (the one the object is the default child of) is a
 * cdk8s-plus-N class, or a subclass of one, is for Kubernetes 1.N or later.
 * Undefined for any other object (Include, Helm, a plain ApiObject).
 */
export function builtForOf(workload: ApiObject): { readonly version: KubernetesVersion; readonly source: string } | undefined {
  const owner = workload.node.scope;
  if (owner === undefined || owner.node.defaultChild !== workload) return undefined;
  // jsii gives each class its own type name; a class of the user's (or this library's) inherits its cdk8s-plus base's.
  for (let type: any = owner.constructor; typeof type === 'function' && type !== Object; type = Object.getPrototypeOf(type)) {
    const fqn = Object.prototype.hasOwnProperty.call(type, JSII_RTTI) ? type[JSII_RTTI]?.fqn : undefined;
    const match = typeof fqn === 'string' ? CDK8S_PLUS_FQN.exec(fqn) : null;
    if (match === null) continue;
    const minor = Number(match[2]);
    if (minor < OLDEST_KNOWN_MINOR) return undefined;
    return {
      version: KubernetesVersion.of(`1.${Math.min(minor, NEWEST_KNOWN_MINOR)}`),
      source: `the workload is a ${fqn} of ${match[1]}, made for Kubernetes 1.${minor}`,
    };
  }
  return undefined;
}

/** The workload (ApiObject) of a target, and the cdk8s-plus construct around it if any. */
export function targetOf(target: IConstruct): { workload: ApiObject; podConstruct?: kplus.AbstractPod } {
  if (target instanceof ApiObject) {
    const parent = target.node.scope;
    return { workload: target, podConstruct: parent instanceof kplus.AbstractPod && parent.node.defaultChild === target ? parent : undefined };
  }
  const child = target?.node?.defaultChild;
  if (child instanceof ApiObject) return { workload: child, podConstruct: target instanceof kplus.AbstractPod ? target : undefined };
  const objects = target?.node ? target.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && podSpecPathOf(c) !== undefined) : [];
  return fail('target', target?.node?.path ?? target,
    objects.length > 0 ? `holds ${objects.length} workload object(s) (${objects.map(o => `${o.kind} ${o.name}`).join(', ')}), not one workload (an Include or a Helm chart?)`
      : 'has no Kubernetes object, so it is not a workload',
    objects.length > 0 ? 'Use DebugSidecar.attachAll(target, options) for all of them (filter with kinds, names or labels), or attach to one of its ApiObjects (include.apiObjects).'
      : 'Attach to a cdk8s-plus workload or an ApiObject with a pod template.');
}
