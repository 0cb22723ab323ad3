// Adds a planned sidecar to a workload's pod spec each time the object is
// serialized, so it sees the final pod spec (containers and volumes added
// after attach). A JSON patch cannot do it: `add .../volumes/-` fails where
// the Pod has no volumes, and the checks below need the final containers.

import { ApiObject } from 'cdk8s';
import { DebugWarnings } from '../debug-warnings';
import { fail } from '../errors';
import { checkPodSpecAt, containerNames, isObject, metadataPathOf, pointer } from '../pod-spec';
import { appFitOf } from './app-container';
import { planSidecar, SidecarPlan, sorted } from './plan';
import { DebugRecord, debugRecordOf } from './record';
import { ResolvedDebug } from './resolve';
import { SidecarForm } from './sidecar-form';

/** Capabilities that act on the node's own network when the Pod uses hostNetwork. */
const HOST_NETWORK_CAPABILITIES = ['NET_ADMIN', 'NET_RAW'];

/** The error for a sidecar name that an app container already has. */
export function nameClash(apiObject: ApiObject, name: string): never {
  return fail('debug.name', name, 'clashes with a container of the application', "Set 'debug.name' to a name no container in this Pod uses.", apiObject);
}

/** Refuses a pod spec the sidecar cannot join as planned; warns about a risky one. */
function checkPodSpec(apiObject: ApiObject, path: string, found: unknown, r: ResolvedDebug): Record<string, any> {
  const spec = checkPodSpecAt(apiObject, path, found);
  if (containerNames(spec).includes(r.name)) nameClash(apiObject, r.name);
  if (spec.os?.name === 'windows') {
    fail('spec.os.name', 'windows', 'makes this a Windows Pod, and the debug sidecar is a Linux container (capabilities, seccomp, runAsUser)',
      'Switch debug off for Windows workloads; debug a Windows node with kubectl debug node/... instead.', apiObject);
  }
  if (spec.shareProcessNamespace === false && r.shareProcessNamespace) {
    const why = r.form === SidecarForm.EXIT_WITH_APP ? ' (SidecarForm.EXIT_WITH_APP watches them to exit with a Job)' : '';
    fail('spec.shareProcessNamespace', false, `is set by the application (cdk8s-plus releases since early 2025, 33 among them, write false unless told otherwise), and the debug sidecar needs the Pod's processes in view${why}`,
      "Set 'shareProcessNamespace: true' on the workload, or drop the tools that need it; for a Job on Kubernetes 1.29+, "
      + 'KubernetesVersion.set(app, ...) makes the sidecar native, which needs no shared process namespace.', apiObject);
  }
  const hostCaps = spec.hostNetwork === true ? r.capabilities.filter(c => HOST_NETWORK_CAPABILITIES.includes(c)) : [];
  if (hostCaps.length > 0 || (spec.hostNetwork === true && r.privileged)) {
    const what = r.privileged ? 'privileged mode' : hostCaps.join(' and ');
    const problem = `gives the debug sidecar ${what} on the node's own network (hostNetwork: true), not the Pod's`;
    if (r.production) {
      fail('spec.hostNetwork', true, problem, 'Switch debug off for this workload in production, or debug the node with kubectl debug node/... .', apiObject);
    }
    DebugWarnings._warn(apiObject, `'spec.hostNetwork' ${problem} (got true). Capture with care: this is the node's traffic.`);
  }
  return spec;
}

function applyPlan(apiObject: ApiObject, spec: Record<string, any>, plan: SidecarPlan): void {
  const volumeNames = new Set((spec.volumes ?? []).map((v: any) => v.name));
  for (const v of plan.volumes) {
    if (volumeNames.has(v.name)) {
      fail('debug.name', plan.container.name, `gives the sidecar a volume '${v.name}' that the application already has`,
        "Set 'debug.name' to another name (its volumes are '<name>-scratch' and '<name>-no-token').", apiObject);
    }
  }
  const list = plan.asInitContainer ? 'initContainers' : 'containers';
  spec[list] = [...(spec[list] ?? []), plan.container];
  spec.volumes = [...(spec.volumes ?? []), ...plan.volumes];
  if (plan.shareProcessNamespace) spec.shareProcessNamespace = true;
  const pullSecrets = mergedPullSecrets(spec.imagePullSecrets, plan.imagePullSecrets);
  if (pullSecrets !== undefined) spec.imagePullSecrets = pullSecrets;
  // Keep the keys sorted, as cdk8s writes them.
  for (const key of Object.keys(spec).sort()) {
    const value = spec[key];
    delete spec[key];
    spec[key] = value;
  }
}

/**
 * A pod spec's `imagePullSecrets` with the debug image's added after the
 * app's, each name once; undefined when nothing is missing (the field is then
 * left as it is).
 */
export function mergedPullSecrets(existing: unknown, wanted: string[]): any[] | undefined {
  const own: any[] = Array.isArray(existing) ? existing : [];
  const missing = wanted.filter(name => !own.some(s => s?.name === name));
  return missing.length === 0 ? undefined : [...own, ...missing.map(name => ({ name }))];
}

/**
 * Wraps the object's toJson so the sidecar is added to the pod spec at
 * `path` every time it is serialized.
 * @param serviceAccountName the service account the Pod is switched to (OpenShift), if any
 */
export function applyAtSynth(apiObject: ApiObject, path: string, r: ResolvedDebug, serviceAccountName: string | undefined): void {
  const toJson = apiObject.toJson.bind(apiObject);
  const metadataPath = metadataPathOf(path);
  apiObject.toJson = () => {
    const json = toJson();
    const spec = checkPodSpec(apiObject, path, pointer(json, path), r);
    if (serviceAccountName) spec.serviceAccountName = serviceAccountName;
    const app = appFitOf(r, spec, apiObject, false);
    applyPlan(apiObject, spec, planSidecar(r, spec.automountServiceAccountToken !== false, app));
    if (metadataPath !== undefined) recordOnPod(json, metadataPath, debugRecordOf(r, r.name));
    return json;
  };
}

/** Adds the debug record's labels and annotations to the pod (template) metadata at `metadataPath`, keys sorted as cdk8s writes them. */
function recordOnPod(json: any, metadataPath: string, record: DebugRecord): void {
  // An object: it holds the pod spec found at the sibling path.
  const parent = pointer(json, metadataPath.slice(0, metadataPath.lastIndexOf('/')));
  const metadata = isObject(parent.metadata) ? parent.metadata : {};
  metadata.labels = sorted({ ...metadata.labels, ...record.labels });
  metadata.annotations = sorted({ ...metadata.annotations, ...record.annotations });
  parent.metadata = sorted(metadata);
}
