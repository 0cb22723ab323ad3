import { ApiObject, Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { DebugSidecar, DebugTool } from '../src';
import { containerNamed, everyManifestPassesTheSchema, podSpecOf, synth } from './support/manifests';

// Property: for any workload of any kind, debug on = debug off + the sidecar's
// additions (its container, its volumes, shareProcessNamespace when needed,
// its label and annotations on the pod template),
// and nothing else changes.

const KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'RawDeployment', 'RawCronJob'] as const;
const ALL_TOOLS = [
  DebugTool.TCPDUMP, DebugTool.TSHARK, DebugTool.PING, DebugTool.DIG,
  DebugTool.CURL, DebugTool.STRACE, DebugTool.GDB, DebugTool.IPTABLES,
];

const name = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const containerArb = fc.record({
  image: fc.constantFrom('docker.io/library/nginx:1.27', 'ghcr.io/acme/api:2.1.0', 'busybox:1.36'),
  port: fc.option(fc.integer({ min: 1024, max: 9000 }), { nil: undefined }),
  env: fc.dictionary(fc.stringMatching(/^[A-Z][A-Z_]{0,5}$/), fc.string({ maxLength: 8 }), { maxKeys: 2 }),
  user: fc.option(fc.integer({ min: 1, max: 65000 }), { nil: undefined }),
  mountCache: fc.boolean(),
});
const workloadArb = fc.record({
  kind: fc.constantFrom(...KINDS),
  containers: fc.uniqueArray(fc.tuple(name, containerArb), { minLength: 1, maxLength: 3, selector: ([n]) => n }),
  labels: fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.stringMatching(/^[a-z0-9]{1,6}$/), { maxKeys: 3 }),
  replicas: fc.integer({ min: 1, max: 5 }),
  tools: fc.subarray(ALL_TOOLS),
  sidecarName: fc.constantFrom('debug', 'netshoot', 'dbg'),
});
type Workload = typeof workloadArb extends fc.Arbitrary<infer T> ? T : never;

function build(chart: Chart, w: Workload): ApiObject | kplus.AbstractPod {
  // Names the app cannot share with the sidecar.
  const containers = w.containers.filter(([n]) => n !== w.sidecarName);
  const props = containers.map(([n, c], i) => ({
    name: n,
    image: c.image,
    envVariables: Object.fromEntries(Object.entries(c.env).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
    portNumber: c.port ?? (i === 0 && w.kind === 'StatefulSet' ? 8080 : undefined),
    securityContext: c.user ? { user: c.user } : undefined,
    volumeMounts: c.mountCache ? [{ path: `/cache-${n}`, volume: kplus.Volume.fromEmptyDir(chart, `v-${n}`, `cache-${n}`) }] : undefined,
  }));
  if (props.length === 0) props.push({ name: 'app', image: 'busybox:1.36', envVariables: {}, portNumber: 8080, securityContext: undefined, volumeMounts: undefined });
  const metadata = { labels: w.labels };
  const raw = (kind: string, podSpec: any) => new ApiObject(chart, 'raw', {
    apiVersion: kind === 'CronJob' ? 'batch/v1' : 'apps/v1',
    kind,
    metadata: { name: 'raw', labels: w.labels },
    spec: kind === 'CronJob'
      ? { schedule: '0 * * * *', jobTemplate: { spec: { template: { spec: { ...podSpec, restartPolicy: 'Never' } } } } }
      : { replicas: w.replicas, selector: { matchLabels: { app: 'raw' } }, template: { metadata: { labels: { app: 'raw' } }, spec: podSpec } },
  } as any);
  const rawContainer = (p: typeof props[number]) => ({
    name: p.name,
    image: p.image,
    ...(p.portNumber ? { ports: [{ containerPort: p.portNumber }] } : {}),
  });
  const rawSpec = { containers: props.map(rawContainer) };
  switch (w.kind) {
    case 'Deployment': return new kplus.Deployment(chart, 'w', { metadata, replicas: w.replicas, containers: props });
    case 'StatefulSet': return new kplus.StatefulSet(chart, 'w', { metadata, replicas: w.replicas, containers: props });
    case 'DaemonSet': return new kplus.DaemonSet(chart, 'w', { metadata, containers: props });
    case 'Job': return new kplus.Job(chart, 'w', { metadata, containers: props });
    case 'CronJob': return new kplus.CronJob(chart, 'w', { metadata, schedule: Cron.hourly(), containers: props });
    case 'Pod': return new kplus.Pod(chart, 'w', { metadata, containers: props });
    case 'RawDeployment': return raw('Deployment', rawSpec);
    case 'RawCronJob': return raw('CronJob', rawSpec);
  }
}

function synthWith(w: Workload, enabled: boolean) {
  const chart = Testing.chart();
  const sidecar = DebugSidecar.attach(build(chart, w), { enabled, tools: w.tools, name: w.sidecarName });
  return { objects: synth(chart), sidecar };
}

/** The object that holds the pod (template) metadata. */
function podHolder(obj: any): any {
  return obj.kind === 'Pod' ? obj : obj.kind === 'CronJob' ? obj.spec.jobTemplate.spec.template : obj.spec.template;
}

/** Removes exactly what the sidecar may add: its container and volumes, shareProcessNamespace, and its record (label and annotations). */
function withoutSidecar(obj: any, sidecar: DebugSidecar, off: any): any {
  const offSpec = podSpecOf(off);
  const copy = JSON.parse(JSON.stringify(obj));
  const holder = podHolder(copy);
  const offMetadata = podHolder(off).metadata;
  const metadata = holder.metadata;
  delete metadata.labels[DebugSidecar.POD_LABEL];
  for (const key of Object.keys(metadata.annotations)) if (key.startsWith('cdk8s-debuggable.dev/')) delete metadata.annotations[key];
  for (const key of ['labels', 'annotations']) if (Object.keys(metadata[key]).length === 0 && offMetadata?.[key] === undefined) delete metadata[key];
  if (Object.keys(metadata).length === 0 && offMetadata === undefined) delete holder.metadata;
  const spec = podSpecOf(copy);
  const own = (v: any) => v.name === `${sidecar.containerName}-scratch` || v.name === `${sidecar.containerName}-no-token`;
  spec.containers = spec.containers.filter((c: any) => c.name !== sidecar.containerName);
  if (spec.initContainers) spec.initContainers = spec.initContainers.filter((c: any) => c.name !== sidecar.containerName);
  if (spec.volumes) spec.volumes = spec.volumes.filter((v: any) => !own(v));
  if (spec.volumes?.length === 0 && offSpec.volumes === undefined) delete spec.volumes;
  if (sidecar.shareProcessNamespace && offSpec.shareProcessNamespace === undefined) delete spec.shareProcessNamespace;
  return copy;
}

test('debug on = debug off + only the sidecar, for generated workloads of every kind', () => {
  const seen = new Set<string>();
  fc.assert(fc.property(workloadArb, (w) => {
    const off = synthWith(w, false).objects;
    const { objects: on, sidecar } = synthWith(w, true);
    expect(on).toHaveLength(off.length);
    on.forEach((obj, i) => {
      if (!['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'].includes(obj.kind)) {
        expect(obj).toEqual(off[i]); // Services and the like are untouched
        return;
      }
      seen.add(w.kind);
      const spec = podSpecOf(obj);
      expect(containerNamed(spec, w.sidecarName)).toBeDefined();
      expect(spec.shareProcessNamespace === true).toBe(sidecar.shareProcessNamespace || podSpecOf(off[i]).shareProcessNamespace === true);
      expect(podHolder(obj).metadata.labels[DebugSidecar.POD_LABEL]).toBe('true');
      expect(withoutSidecar(obj, sidecar, off[i])).toEqual(off[i]);
    });
  }), { numRuns: 150, seed: 20261128 });
  expect([...seen].sort()).toEqual([...KINDS].sort());
});

everyManifestPassesTheSchema();
