// OpenShift admits Pods through SecurityContextConstraints. The default
// restricted-v2 forbids user 0 and added capabilities, so a debug sidecar
// needs a looser SCC granted to its Pod's service account. This file emits
// that grant, as an administrator would by hand.

import { ApiObject, Chart } from 'cdk8s';
import { fail } from '../errors';

const SCC_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** The checked SCC name and the namespace its RoleBinding goes to. Runs whether or not debug is on. */
export function checkOpenShiftScc(apiObject: ApiObject, scc: string): { readonly scc: string; readonly namespace: string } {
  if (!SCC_NAME.test(scc)) {
    fail('debug.openShiftScc', scc, 'is not an SCC name', "Use the name of a SecurityContextConstraints object, for example 'privileged'.", apiObject);
  }
  const namespace = apiObject.metadata.namespace ?? Chart.of(apiObject).namespace;
  if (namespace === undefined) {
    fail('debug.openShiftScc', scc, "needs the workload's namespace for its RoleBinding, and the workload has none",
      "Set 'namespace' on the Chart or the workload's metadata.", apiObject);
  }
  return { scc, namespace };
}

/**
 * Emits, next to the workload, the RoleBinding of `system:openshift:scc:<scc>`
 * to the Pod's service account, and, for a Pod on the namespace's `default`
 * account, a dedicated ServiceAccount (so the SCC is not granted to every Pod
 * of the namespace).
 * @returns the service account the Pod must be switched to, if any
 */
export function bindOpenShiftScc(apiObject: ApiObject, grant: { scc: string; namespace: string },
  podServiceAccount: string | undefined): string | undefined {
  const { scc, namespace } = grant;
  const dedicated = podServiceAccount === undefined || podServiceAccount === 'default' ? `${apiObject.name}-debug` : undefined;
  const subject = dedicated ?? podServiceAccount!;
  if (dedicated) {
    new ApiObject(apiObject, 'DebugServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: dedicated, namespace },
      automountServiceAccountToken: false,
    } as any);
  }
  new ApiObject(apiObject, 'DebugSccRoleBinding', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: `${subject}-scc-${scc}`, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `system:openshift:scc:${scc}` },
    subjects: [{ kind: 'ServiceAccount', name: subject, namespace }],
  } as any);
  return dedicated;
}
