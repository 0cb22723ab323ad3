import { spawnSync } from 'child_process';
// The module object itself (not an import-star copy), so cdk8s's Helm sees the mkdtempSync wrapper below.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import fs = require('fs');
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Helm } from 'cdk8s';
// `yaml` is in node_modules through cdk8s-cli and projen; list it in devDeps to drop this line.
// eslint-disable-next-line import/no-extraneous-dependencies
import { parseAllDocuments } from 'yaml';
import { DebugSidecar, DebugSidecarAttachAllOptions, DebugTool, SidecarForm } from '../../src';

/*
 * The Helm construct for real: a fixture chart (fixtures/shop) rendered by a
 * helm v3 CLI built from the Go module proxy (build.sh), with and without
 * DebugSidecar.attachAll. Run with `bash test/helm/run.sh`.
 */

const CI = process.env.CI === 'true';
const CHART = path.join(__dirname, 'fixtures', 'shop');
const RELEASE = 'shop';
const TOOLS = [DebugTool.TCPDUMP, DebugTool.STRACE];
const TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The chart's objects: kind and metadata.name for release `shop`. */
const WEB = { kind: 'Deployment', name: 'shop-shop-web' };
const DB = { kind: 'StatefulSet', name: 'shop-shop-db' };
const AGENT = { kind: 'DaemonSet', name: 'shop-shop-agent' };
const REPORT = { kind: 'CronJob', name: 'shop-shop-report' };
const WORKLOADS = [WEB, DB, AGENT, REPORT];
const POD_SPEC: Record<string, string[]> = {
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

interface HelmBinary { readonly bin?: string; readonly reason?: string }

/** Builds helm with build.sh (instant when cached) and returns its path. */
function buildHelm(): HelmBinary {
  const run = spawnSync('bash', [path.join(__dirname, 'build.sh')], { encoding: 'utf-8' });
  if (run.error) return { reason: `cannot run build.sh: ${run.error.message}` };
  if (run.status === 3) return { reason: `Go is not installed: ${run.stderr.trim()}` };
  if (run.status !== 0) {
    return { reason: `building helm failed (exit ${run.status ?? run.signal}):\n${run.stderr.trim().split('\n').slice(-15).join('\n')}` };
  }
  return { bin: run.stdout.trim().split('\n').pop() };
}

const helm = buildHelm();
const HELM = helm.bin!;

interface Rendered {
  readonly yaml: string;
  readonly objects: any[];
  /** What attachAll returned. */
  readonly sidecars: DebugSidecar[];
  /** The sidecar of each included object that has one, by `Kind/name`. */
  readonly attached: Record<string, DebugSidecar>;
}

/**
 * A chart holding the fixture through cdk8s's Helm construct; with `debug`,
 * DebugSidecar.attachAll runs on the chart after the Helm objects exist.
 */
function render(values?: Record<string, any>, debug?: DebugSidecarAttachAllOptions): Rendered {
  const app = new App();
  const chart = new Chart(app, 'shop');
  const release = new Helm(chart, 'shop', { chart: CHART, helmExecutable: HELM, releaseName: RELEASE, values });
  const sidecars = debug ? DebugSidecar.attachAll(chart, debug) : [];
  const attached: Record<string, DebugSidecar> = {};
  for (const o of release.apiObjects) {
    const sidecar = DebugSidecar.of(o);
    if (sidecar) attached[`${o.kind}/${o.name}`] = sidecar;
  }
  const yaml = app.synthYaml();
  return { yaml, objects: parseYaml(yaml), sidecars, attached };
}

/** YAML 1.1, as cdk8s's Include and Kubernetes read it. Empty documents dropped. */
function parseYaml(text: string): any[] {
  return parseAllDocuments(text, { version: '1.1' }).map(d => {
    if (d.errors.length > 0) throw new Error(`YAML error: ${d.errors[0].message}`);
    return d.toJSON();
  }).filter(o => o !== null && o !== undefined);
}

/** What `helm template` itself prints for the same release and values. */
function helmTemplate(values?: Record<string, any>): string {
  const args = ['template', RELEASE, CHART];
  if (values) {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-debuggable-helm-values-')), 'values.yaml');
    fs.writeFileSync(file, JSON.stringify(values)); // JSON is YAML
    args.push('-f', file);
  }
  const run = spawnSync(HELM, args, { encoding: 'utf-8' });
  if (run.status !== 0) throw new Error(`helm template failed: ${run.stderr}`);
  return run.stdout;
}

function find(objects: any[], ref: { kind: string; name: string }): any {
  const found = objects.filter(o => o.kind === ref.kind && o.metadata?.name === ref.name);
  if (found.length !== 1) throw new Error(`expected one ${ref.kind} ${ref.name}, found ${found.length}`);
  return found[0];
}

function podSpec(object: any): any {
  return POD_SPEC[object.kind].reduce((o, k) => o?.[k], object);
}

/** All containers of a pod spec, regular and init, by name. */
function containerNamed(spec: any, name: string): any | undefined {
  return [...(spec.containers ?? []), ...(spec.initContainers ?? [])].find((c: any) => c.name === name);
}

/**
 * The object with the debug sidecar taken out again: its container, the
 * volumes only it mounts, and shareProcessNamespace.
 */
function withoutSidecar(object: any, sidecarName: string): any {
  const copy = JSON.parse(JSON.stringify(object));
  const spec = podSpec(copy);
  const sidecar = containerNamed(spec, sidecarName);
  const appMounts = new Set([...(spec.containers ?? []), ...(spec.initContainers ?? [])]
    .filter((c: any) => c.name !== sidecarName).flatMap((c: any) => (c.volumeMounts ?? []).map((m: any) => m.name)));
  const sidecarOnly = new Set((sidecar?.volumeMounts ?? []).map((m: any) => m.name).filter((n: string) => !appMounts.has(n)));
  for (const list of ['containers', 'initContainers']) {
    if (spec[list]) spec[list] = spec[list].filter((c: any) => c.name !== sidecarName);
    if (spec[list]?.length === 0) delete spec[list];
  }
  if (spec.volumes) spec.volumes = spec.volumes.filter((v: any) => !sidecarOnly.has(v.name));
  if (spec.volumes?.length === 0) delete spec.volumes;
  delete spec.shareProcessNamespace;
  // The record on the pod template: the debug label and the library's annotations.
  const metadata = copy.kind === 'Pod' ? copy.metadata : copy.kind === 'CronJob' ? copy.spec.jobTemplate.spec.template.metadata : copy.spec.template.metadata;
  delete metadata.labels['cdk8s-debuggable.dev/debug'];
  for (const k of Object.keys(metadata.annotations)) if (k.startsWith('cdk8s-debuggable.dev/')) delete metadata.annotations[k];
  for (const k of ['labels', 'annotations']) if (Object.keys(metadata[k]).length === 0) delete metadata[k];
  if (Object.keys(metadata).length === 0) delete (copy.kind === 'CronJob' ? copy.spec.jobTemplate.spec.template : copy.spec.template).metadata;
  return copy;
}

const key = (o: any) => `${o.kind}/${o.metadata.name}`;

if (!helm.bin && CI) {
  test('helm can be built under CI=true', () => {
    throw new Error(`helm unavailable under CI=true: ${helm.reason}`);
  });
} else if (!helm.bin) {
  test.skip(`helm suite skipped: ${helm.reason}`, () => undefined);
}

(helm.bin ? describe : describe.skip)('cdk8s Helm construct with a real helm', () => {
  // cdk8s's Helm leaves a temporary directory per render (fs.mkdtempSync, not
  // removed): note them as they are made and remove them at the end.
  const made: string[] = [];
  const mkdtempSync = fs.mkdtempSync;
  beforeAll(() => {
    fs.mkdtempSync = ((prefix: string, options?: any) => {
      const dir = mkdtempSync(prefix, options) as string;
      made.push(dir);
      return dir;
    }) as typeof fs.mkdtempSync;
  });
  afterAll(() => {
    fs.mkdtempSync = mkdtempSync;
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the helm binary is helm v3 and lints the fixture', () => {
    const version = spawnSync(HELM, ['version', '--short'], { encoding: 'utf-8' });
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^v3\.\d+\.\d+/);
    const lint = spawnSync(HELM, ['lint', '--strict', CHART], { encoding: 'utf-8' });
    expect(lint.stderr + lint.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(lint.status).toBe(0);
  });

  describe('debug off', () => {
    const plain = () => render();

    test('the Helm render equals what `helm template` prints (same objects, same order)', () => {
      const fromHelm = parseYaml(helmTemplate());
      const fromCdk8s = plain().objects;
      expect(fromCdk8s.map(key)).toEqual(fromHelm.map(key));
      expect(fromCdk8s).toEqual(fromHelm);
      // The fixture really has every kind the suite is about.
      expect(new Set(fromHelm.map(o => o.kind))).toEqual(new Set(['ServiceAccount', 'ConfigMap', 'Service', 'DaemonSet', 'Deployment', 'StatefulSet', 'CronJob']));
    });

    test('attachAll with enabled: false is byte-identical to the chart without attachAll', () => {
      const off = render(undefined, { enabled: false, tools: TOOLS });
      expect(off.sidecars).toHaveLength(WORKLOADS.length); // attached (options validated), but not emitted
      expect(off.sidecars.every(s => !s.enabled)).toBe(true);
      expect(off.yaml).toBe(plain().yaml);
    });

    test('attachAll with the toggle left at its default (off) is byte-identical too', () => {
      const off = render(undefined, { tools: TOOLS });
      expect(off.sidecars.map(s => s.enabledBy)).toEqual(WORKLOADS.map(() => 'default'));
      expect(off.yaml).toBe(plain().yaml);
    });

    test('with values, still byte-identical to the chart without attachAll and equal to `helm template`', () => {
      const values = { web: { replicas: 4 } };
      const off = render(values, { enabled: false, tools: TOOLS });
      const withoutAttach = render(values);
      expect(off.yaml).toBe(withoutAttach.yaml);
      expect(withoutAttach.objects).toEqual(parseYaml(helmTemplate(values)));
    });
  });

  describe('debug on', () => {
    const on = () => render(undefined, { enabled: true, tools: TOOLS });

    test('every workload of the chart gets the sidecar, with the privileges derived from tcpdump + strace', () => {
      const { objects, sidecars, attached } = on();
      expect(sidecars).toHaveLength(WORKLOADS.length);
      expect(Object.keys(attached).sort()).toEqual(WORKLOADS.map(w => `${w.kind}/${w.name}`).sort());
      for (const ref of WORKLOADS) {
        const spec = podSpec(find(objects, ref));
        const debug = containerNamed(spec, 'debug');
        expect(debug).toBeDefined();
        expect(debug.securityContext).toMatchObject({
          capabilities: { drop: ['ALL'] },
          privileged: false,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsUser: 0, // Kubernetes gives non-root containers no effective capabilities
        });
        expect([...debug.securityContext.capabilities.add].sort()).toEqual(['NET_RAW', 'SYS_PTRACE']);
        // strace needs the app's processes
        expect(spec.shareProcessNamespace).toBe(true);
      }
    });

    test('the sidecar is a regular container everywhere; the CronJob\'s exits with the app', () => {
      const { objects, attached } = on();
      for (const ref of WORKLOADS) {
        const spec = podSpec(find(objects, ref));
        expect((spec.containers as any[]).filter(c => c.name === 'debug')).toHaveLength(1);
        expect((spec.initContainers ?? []).filter((c: any) => c.name === 'debug')).toHaveLength(0);
      }
      const forms = Object.fromEntries(Object.entries(attached).map(([k, s]) => [k, s.form]));
      expect(forms).toEqual({
        'Deployment/shop-shop-web': SidecarForm.CONTAINER,
        'StatefulSet/shop-shop-db': SidecarForm.CONTAINER,
        'DaemonSet/shop-shop-agent': SidecarForm.CONTAINER,
        'CronJob/shop-shop-report': SidecarForm.EXIT_WITH_APP,
      });
    });

    test('the app containers, init containers and volumes are unchanged; only the sidecar is added', () => {
      const plainObjects = render().objects;
      const { objects } = on();
      expect(objects.map(key)).toEqual(plainObjects.map(key));
      for (const object of objects) {
        const before = plainObjects.find(o => key(o) === key(object));
        if (POD_SPEC[object.kind]) {
          const spec = podSpec(object);
          const beforeSpec = podSpec(before);
          // Same containers in the same places: the app's first container stays first (kubectl's default).
          expect(spec.containers.slice(0, beforeSpec.containers.length)).toEqual(beforeSpec.containers);
          expect(spec.containers.filter((c: any) => c.name !== 'debug')).toEqual(beforeSpec.containers);
          expect(spec.initContainers).toEqual(beforeSpec.initContainers);
          expect(spec.volumes.slice(0, (beforeSpec.volumes ?? []).length)).toEqual(beforeSpec.volumes ?? []);
          expect(withoutSidecar(object, 'debug')).toEqual(before);
          expect(object).not.toEqual(before);
        } else {
          // Service, ConfigMap, ServiceAccount: untouched
          expect(object).toEqual(before);
        }
      }
    });

    test('the service account token is masked in the sidecar where the chart automounts it, and only there', () => {
      const { objects } = on();
      const masked = (ref: { kind: string; name: string }) => {
        const spec = podSpec(find(objects, ref));
        const mount = (containerNamed(spec, 'debug').volumeMounts ?? []).find((m: any) => m.mountPath === TOKEN_PATH);
        if (!mount) return undefined;
        return spec.volumes.find((v: any) => v.name === mount.name);
      };
      // The web Deployment leaves automountServiceAccountToken unset: Kubernetes mounts the token.
      expect(podSpec(find(objects, WEB)).automountServiceAccountToken).toBeUndefined();
      expect(masked(WEB)).toMatchObject({ emptyDir: {} });
      for (const c of podSpec(find(objects, WEB)).containers.filter((x: any) => x.name !== 'debug')) {
        expect((c.volumeMounts ?? []).map((m: any) => m.mountPath)).not.toContain(TOKEN_PATH);
      }
      // The CronJob sets nothing either.
      expect(masked(REPORT)).toMatchObject({ emptyDir: {} });
      // StatefulSet and DaemonSet turn the token off: nothing to mask.
      expect(masked(DB)).toBeUndefined();
      expect(masked(AGENT)).toBeUndefined();

      // A value that turns it off in the chart turns the mask off.
      const off = render({ web: { automountServiceAccountToken: false } }, { enabled: true, tools: TOOLS });
      expect(podSpec(find(off.objects, WEB)).automountServiceAccountToken).toBe(false);
      expect((containerNamed(podSpec(find(off.objects, WEB)), 'debug').volumeMounts ?? []).map((m: any) => m.mountPath)).not.toContain(TOKEN_PATH);
    });
  });

  describe('values flow through helm', () => {
    const values = {
      web: { replicas: 5, image: { tag: '1.27.4' } },
      report: { schedule: '*/15 * * * *' },
      agent: { enabled: false },
      config: { greeting: 'bonjour' },
    };

    test('changed values change the rendered objects', () => {
      const defaults = render().objects;
      const changed = render(values).objects;
      expect(find(defaults, WEB).spec.replicas).toBe(2);
      expect(find(changed, WEB).spec.replicas).toBe(5);
      expect(containerNamed(podSpec(find(defaults, WEB)), 'nginx').image).toBe('docker.io/nginxinc/nginx-unprivileged:1.27.3');
      expect(containerNamed(podSpec(find(changed, WEB)), 'nginx').image).toBe('docker.io/nginxinc/nginx-unprivileged:1.27.4');
      expect(find(changed, REPORT).spec.schedule).toBe('*/15 * * * *');
      expect(find(changed, { kind: 'ConfigMap', name: 'shop-shop-config' }).data.greeting).toBe('bonjour');
      // helm's sha256sum of the rendered ConfigMap changes with it
      const checksum = (objs: any[]) => find(objs, WEB).spec.template.metadata.annotations['checksum/config'];
      expect(checksum(changed)).toMatch(/^[0-9a-f]{64}$/);
      expect(checksum(changed)).not.toBe(checksum(defaults));
      expect(defaults.filter(o => o.kind === 'DaemonSet')).toHaveLength(1);
      expect(changed.filter(o => o.kind === 'DaemonSet')).toHaveLength(0);
      expect(changed).toEqual(parseYaml(helmTemplate(values)));
    });

    test('attachAll follows what the values render: no DaemonSet, no sidecar for it', () => {
      const { objects, attached } = render(values, { enabled: true, tools: TOOLS });
      expect(Object.keys(attached).sort()).toEqual(['CronJob/shop-shop-report', 'Deployment/shop-shop-web', 'StatefulSet/shop-shop-db']);
      const web = find(objects, WEB);
      expect(web.spec.replicas).toBe(5);
      expect(podSpec(web).containers.map((c: any) => c.name)).toEqual(['nginx', 'metrics', 'debug']);
    });
  });

  describe('filters', () => {
    const withSidecar = (objects: any[]) => objects
      .filter(o => POD_SPEC[o.kind] && containerNamed(podSpec(o), 'debug'))
      .map(key).sort();

    test('kinds: only the CronJob', () => {
      const { objects, sidecars } = render(undefined, { enabled: true, tools: TOOLS, kinds: ['CronJob'] });
      expect(sidecars).toHaveLength(1);
      expect(withSidecar(objects)).toEqual(['CronJob/shop-shop-report']);
    });

    test('kinds: Deployment and StatefulSet', () => {
      const { objects } = render(undefined, { enabled: true, tools: TOOLS, kinds: ['Deployment', 'StatefulSet'] });
      expect(withSidecar(objects)).toEqual(['Deployment/shop-shop-web', 'StatefulSet/shop-shop-db']);
    });

    test('names: by metadata.name, and by the construct id cdk8s gives an included object', () => {
      const byName = render(undefined, { enabled: true, tools: TOOLS, names: ['shop-shop-web'] });
      expect(withSidecar(byName.objects)).toEqual(['Deployment/shop-shop-web']);
      const byId = render(undefined, { enabled: true, tools: TOOLS, names: ['shop-shop-agent-daemonset'] });
      expect(withSidecar(byId.objects)).toEqual(['DaemonSet/shop-shop-agent']);
    });

    test('names is never matched against a Service of the same name', () => {
      // Service shop-shop-db and StatefulSet shop-shop-db share a name: only the workload gets the sidecar.
      const { objects } = render(undefined, { enabled: true, tools: TOOLS, names: ['shop-shop-db'] });
      expect(withSidecar(objects)).toEqual(['StatefulSet/shop-shop-db']);
      expect(find(objects, { kind: 'Service', name: 'shop-shop-db' })).toEqual(
        find(render().objects, { kind: 'Service', name: 'shop-shop-db' }));
    });

    test('kinds and names together must both match', () => {
      const none = render(undefined, { enabled: true, tools: TOOLS, kinds: ['Deployment'], names: ['shop-shop-db'] });
      expect(none.sidecars).toHaveLength(0);
      expect(none.yaml).toBe(render().yaml);
    });

    test('labels: the chart\'s component label picks one workload', () => {
      const { objects } = render(undefined, { enabled: true, tools: TOOLS, labels: { 'app.kubernetes.io/component': 'report' } });
      expect(withSidecar(objects)).toEqual(['CronJob/shop-shop-report']);
    });

    test('a workload attached on its own keeps its tools; attachAll fills in the rest', () => {
      const app = new App();
      const chart = new Chart(app, 'shop');
      const release = new Helm(chart, 'shop', { chart: CHART, helmExecutable: HELM, releaseName: RELEASE });
      const db = release.apiObjects.find(o => o.kind === DB.kind && o.name === DB.name)!;
      DebugSidecar.attach(db, { enabled: true, tools: [DebugTool.DIG] });
      const rest = DebugSidecar.attachAll(chart, { enabled: true, tools: [DebugTool.TCPDUMP] });
      expect(rest).toHaveLength(3);
      const objects = parseYaml(app.synthYaml());
      expect(containerNamed(podSpec(find(objects, DB)), 'debug').securityContext.capabilities.add ?? []).toEqual([]);
      expect(containerNamed(podSpec(find(objects, WEB)), 'debug').securityContext.capabilities.add).toEqual(['NET_RAW']);
    });
  });
});
