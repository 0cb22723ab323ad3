// Where the pod spec is in each workload kind, and a JSON pointer reader.
// Shared by the sidecar (which writes the pod spec) and PodSecurity (which
// reads it); it depends on neither, so data flows one way.

import { ApiObject } from 'cdk8s';
import { fail } from './errors';

/** JSON pointer of the pod spec, by kind. */
export const POD_SPEC_PATHS: Record<string, string> = {
  Pod: '/spec',
  CronJob: '/spec/jobTemplate/spec/template/spec',
  Deployment: '/spec/template/spec',
  StatefulSet: '/spec/template/spec',
  DaemonSet: '/spec/template/spec',
  ReplicaSet: '/spec/template/spec',
  ReplicationController: '/spec/template/spec',
  Job: '/spec/template/spec',
  PodTemplate: '/template/spec',
};

/** Pod spec paths given for objects of kinds the library does not know (custom resources). */
const GIVEN_PATHS = new WeakMap<ApiObject, string>();

/** Records the pod spec path given for one object (`podSpecPath`), so every reader finds the same pod spec. */
export function recordPodSpecPath(apiObject: ApiObject, path: string): void {
  GIVEN_PATHS.set(apiObject, path);
}

/** The pod spec path of an object: the one given for it, else by kind; undefined for objects without a pod. */
export function podSpecPathOf(apiObject: ApiObject): string | undefined {
  return GIVEN_PATHS.get(apiObject) ?? POD_SPEC_PATHS[apiObject.kind];
}

/** The pod template's metadata next to a pod spec at `specPath` (`/spec/template/spec` → `/spec/template/metadata`). */
export function metadataPathOf(specPath: string): string | undefined {
  return specPath.endsWith('/spec') ? `${specPath.slice(0, -'/spec'.length)}/metadata` : undefined;
}

/** Reads a JSON pointer (RFC 6901); undefined where the path does not exist. */
export function pointer(json: any, path: string): any {
  // '' (the whole document) splits into no keys.
  return path.split('/').slice(1).reduce((node, key) => (node == null ? undefined : node[key.replace(/~1/g, '/').replace(/~0/g, '~')]), json);
}

/** The pod spec at `path` of a workload and its pod template's metadata, as the workload serializes now. */
export function podTemplateOf(workload: ApiObject, path: string): { readonly spec: any; readonly metadata: any } {
  const json = workload.toJson();
  const metadataPath = metadataPathOf(path);
  return { spec: pointer(json, path), metadata: metadataPath === undefined ? undefined : pointer(json, metadataPath) };
}

/** `spec` when it is a pod spec (an object with `containers`); otherwise the error for `podSpecPath`, with a hint when it points at a template. */
export function checkPodSpecAt(workload: ApiObject, path: string, spec: unknown): Record<string, any> {
  if (isObject(spec) && Array.isArray(spec.containers)) return spec;
  const hint = isObject(spec) && isObject(spec.spec) ? ` It points at a pod template: use '${path}/spec'.` : '';
  return fail('podSpecPath', path, `does not point at a pod spec (an object with 'containers') in this ${workload.kind}`,
    `Give the JSON pointer of the pod spec.${hint}`, workload);
}

/** Whether a value can be a pod spec: a JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The names of a pod spec's regular and init containers. */
export function containerNames(spec: any): string[] {
  // Not a list (`containers: {}` in a hand-written object) holds no names; the pod spec check at synth names the field.
  const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);
  return [...list(spec?.containers), ...list(spec?.initContainers)].map((c: any) => c?.name);
}
