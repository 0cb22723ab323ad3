// Where the pod spec is in each workload kind, and a JSON pointer reader.
// Shared by DebugSidecar (apply) and PodSecurity (read); internal.

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

/** Reads a JSON pointer (RFC 6901); undefined where the path does not exist. */
export function pointer(json: any, path: string): any {
  if (path === '') return json;
  return path.split('/').slice(1).reduce((node, key) => (node == null ? undefined : node[key.replace(/~1/g, '/').replace(/~0/g, '~')]), json);
}
