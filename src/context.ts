// Construct context that the library's setters (DebugToggle.setEnabled,
// KubernetesVersion.set, PodSecurity.enforce) declare on a subtree.

import { IConstruct } from 'constructs';
import { fail } from './errors';

/**
 * Sets the context `key` to `value` on `scope`, for everything under it.
 * Construct context only reaches constructs added after it, so a scope that
 * already has children is an error that names them and tells to call
 * `method` (the public setter, e.g. `PodSecurity.enforce`) earlier.
 */
export function setContextBeforeChildren(scope: IConstruct, key: string, value: unknown, method: string): void {
  const children = scope.node.children;
  if (children.length > 0) {
    fail('scope', scope.node.path,
      `already has children (${children.map(c => `'${c.node.id}'`).join(', ')}), and construct context only reaches constructs added after it`,
      `Call ${method} right after creating the scope, before adding constructs to it.`);
  }
  scope.node.setContext(key, value);
}
