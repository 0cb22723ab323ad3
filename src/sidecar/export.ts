// The link between an app and the `cdk8s-debuggable` command: when the
// command runs the app (as `cdk8s synth` does), it asks through an
// environment variable for one workload's `kubectl debug` command, and the
// library answers in a file when the app's process exits, once every tree is
// complete. Nothing is kept unless the variable is set.

import { writeFileSync } from 'fs';
import { ApiObject } from 'cdk8s';
import { environmentVariable } from '../environment';
import { workloadNames } from './attach-filter';
import { KubectlDebugOptions } from './ephemeral-options';
import { durationOfText } from '../expiry';

/** The variable that carries the request: `{ "out": file, "workload": name, ...KubectlDebugOptions }`. */
export const EXPORT_ENV_VAR = 'CDK8S_DEBUGGABLE_KUBECTL_DEBUG';

interface Exportable {
  readonly workload: ApiObject;
  kubectlDebug(options: KubectlDebugOptions): unknown;
}

/**
 * The sidecars of this process, by the request their app read, kept only
 * while the `cdk8s-debuggable` command asks (it runs one app per process).
 * Each app reads the variable once, as every other variable; the answer is
 * computed at exit, when the apps are complete.
 */
const ASKED = new Map<string, Exportable[]>();

/** The answer to one request: the `kubectl debug` command of the one sidecar it names, or an error to show. */
function answer(request: any, sidecars: Exportable[]): unknown {
  const matches = sidecars.filter(s => workloadNames(s.workload).includes(request.workload));
  const known = sidecars.map(s => `${s.workload.kind} ${s.workload.name} (${s.workload.node.path})`);
  if (matches.length !== 1) {
    return {
      error: matches.length === 0
        ? `no workload with a debug sidecar is named '${request.workload}'. Workloads with one: ${known.join(', ')}.`
        : `'${request.workload}' names ${matches.length} workloads (${matches.map(s => s.workload.node.path).join(', ')}); give the construct path.`,
    };
  }
  const { out: _out, workload: _workload, ttl, ...options } = request;
  try {
    const lifetime = ttl === undefined ? {} : { ttl: durationOfText('--ttl', ttl) };
    return { workload: matches[0].workload.node.path, ...(matches[0].kubectlDebug({ ...options, ...lifetime }) as object) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Records a sidecar when the `cdk8s-debuggable` command asked its app for a kubectl debug command. */
export function exportOnRequest(sidecar: Exportable): void {
  const raw = environmentVariable(sidecar.workload, EXPORT_ENV_VAR);
  if (raw === undefined) return;
  const sidecars = ASKED.get(raw);
  if (sidecars !== undefined) {
    sidecars.push(sidecar);
    return;
  }
  ASKED.set(raw, [sidecar]);
  process.on('exit', () => answerRequest(raw));
}

/**
 * Writes the answer to the request `raw` into the file it names, once, and
 * forgets its sidecars. The app's process calls it at exit; a test may call
 * it earlier, after its app is complete.
 */
export function answerRequest(raw: string): void {
  const sidecars = ASKED.get(raw);
  if (sidecars === undefined) return;
  ASKED.delete(raw);
  const request = JSON.parse(raw);
  writeFileSync(request.out, JSON.stringify(answer(request, sidecars)));
}
