// The policy version named by the cluster's Kubernetes version, read from
// the construct tree (KubernetesVersion: context or environment variable).

import { IConstruct } from 'constructs';
import { KubernetesVersion } from '../kubernetes-version';
import { LATEST } from './evaluator/policy-version';

/** The policy version named by the cluster's Kubernetes version declared at `scope` (`v1.35`), if one is declared. */
export function clusterVersionAt(scope: IConstruct): string | undefined {
  const declared = KubernetesVersion._declaredAt(scope);
  return declared === undefined ? undefined : `v1.${declared.version.minor}`;
}

/** The version to evaluate at when the caller names none: the cluster's, else `latest`. */
export function defaultVersionAt(scope: IConstruct): string {
  return clusterVersionAt(scope) ?? LATEST;
}
