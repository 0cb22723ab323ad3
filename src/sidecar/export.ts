// The link between an app and the `cdk8s-debuggable` command: when the
// command runs the app (as `cdk8s synth` does), it asks through an
// environment variable for one workload's `kubectl debug` command, and the
// library answers in a file when the app's process exits. Nothing happens
// unless the variable is set.

import { writeFileSync } from 'fs';
import { ApiObject } from 'cdk8s';
import { KubectlDebugOptions } from './ephemeral-options';

/** The variable that carries the request: `{ "out": file, "workload": name, ...KubectlDebugOptions }`. */
export const EXPORT_ENV_VAR = 'CDK8S_DEBUGGABLE_KUBECTL_DEBUG';

interface Exportable {
  readonly workload: ApiObject;
  readonly enabled: boolean;
  kubectlDebug(options: KubectlDebugOptions): unknown;
}

const SIDECARS: Exportable[] = [];
let hooked = false;

/** How a user names a workload: its metadata.name, its construct id, or its construct path. */
function names(o: ApiObject): string[] {
  return [o.name, o.node.path, o.node.id, o.node.scope?.node.id, o.node.scope?.node.path].filter((n): n is string => n !== undefined);
}

function answer(request: any): unknown {
  const matches = SIDECARS.filter(s => names(s.workload).includes(request.workload));
  const known = SIDECARS.map(s => `${s.workload.kind} ${s.workload.name} (${s.workload.node.path})`);
  if (matches.length !== 1) {
    return {
      error: matches.length === 0
        ? `no workload with a debug sidecar is named '${request.workload}'. Workloads with one: ${known.join(', ') || 'none'}.`
        : `'${request.workload}' names ${matches.length} workloads (${matches.map(s => s.workload.node.path).join(', ')}); give the construct path.`,
    };
  }
  const { out: _out, workload: _workload, ...options } = request;
  try {
    return { workload: matches[0].workload.node.path, ...(matches[0].kubectlDebug(options) as object) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** The request, read once per process: only the `cdk8s-debuggable` command sets it, for the app it runs. */
let asked: string | undefined | null = null;

/** Records a sidecar when the `cdk8s-debuggable` command asked for a kubectl debug command. */
export function exportOnRequest(sidecar: Exportable): void {
  if (asked === null) asked = process.env[EXPORT_ENV_VAR];
  const raw = asked;
  if (raw === undefined) return;
  SIDECARS.push(sidecar);
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    const request = JSON.parse(raw);
    writeFileSync(request.out, JSON.stringify(answer(request)));
  });
}
