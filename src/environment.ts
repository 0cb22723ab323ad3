// Environment variables as the library reads them: once per app (construct
// tree root), at the app's first read, so every workload of an app sees the
// same value (process.env costs microseconds a read, and debug off must cost
// nothing measurable at 10,000 workloads). An app is synthesized from one
// environment: a program that changes process.env after its app's first read
// is not seen by that app; a new App reads afresh.

import { IConstruct } from 'constructs';

const READ = new WeakMap<IConstruct, Map<string, string | undefined>>();

/** The value of an environment variable for the app `scope` belongs to, as it was when the app first asked. */
export function environmentVariable(scope: IConstruct, name: string): string | undefined {
  let root = scope;
  while (root.node.scope !== undefined) root = root.node.scope;
  let values = READ.get(root);
  if (values === undefined) {
    values = new Map();
    READ.set(root, values);
  }
  if (!values.has(name)) values.set(name, process.env[name]);
  return values.get(name);
}
