// One measurement: a fresh Node process builds N Deployments one way and
// synthesizes them with app.synthYaml(), then prints one JSON line:
//   { variant, n, bootMs, loadMs, constructMs, synthMs, workMs, cpuMs, maxRssKb, bytes, sha256 }
// bootMs: Node start-up before this file ran; loadMs: require() of cdk8s,
// cdk8s-plus-27 (and the library, for the variants that use it);
// workMs = constructMs + synthMs (wall), what the benchmark compares;
// cpuMs = user + system CPU time of this process over the same span (all
// threads, so GC helpers count), much less sensitive than wall time to other
// jobs competing for the two cores.
//
//   node bench/out/bench/worker.js --variant debug-on --n 1000 [--yaml out.yaml]
//
// Only type imports at the top, so that module loading is timed separately.
import type * as Cdk8s from 'cdk8s';
import type * as Kplus from 'cdk8s-plus-27';
import type * as Lib from '../src';

const bootMs = performance.now();

export const VARIANTS = ['plain', 'hand', 'debug-on', 'debug-off', 'attach-all'] as const;
export type Variant = typeof VARIANTS[number];

const IMAGE = 'docker.io/nginxinc/nginx-unprivileged:1.27.3';

interface Modules {
  cdk8s: typeof Cdk8s;
  kplus: typeof Kplus;
  lib?: typeof Lib;
}

function loadModules(variant: Variant): Modules {
  const cdk8s = require('cdk8s') as typeof Cdk8s;
  const kplus = require('cdk8s-plus-27') as typeof Kplus;
  const usesLib = variant === 'debug-on' || variant === 'debug-off' || variant === 'attach-all';
  const lib = usesLib ? require('../src') as typeof Lib : undefined;
  return { cdk8s, kplus, lib };
}

/**
 * The debug sidecar for TCPDUMP + STRACE in an Alpine image, written by hand
 * the way a user without the library would: the container JSON (Kubernetes
 * capability names, not kplus' CAP_ spelling), its scratch volume, and
 * shareProcessNamespace for strace, as JSON patches.
 *
 * Pitfall found here: cdk8s-plus-27's generated KubeDeployment.toJson() runs
 * the *patched* JSON through its typed converters (toJson_KubeDeploymentProps),
 * which drop unknown fields and turn plain-string quantities ('500m') into
 * nothing (`cpu: null` in the YAML). Quantities in a patch must be
 * k8s.Quantity objects. The converters also put keys in schema (sorted) order,
 * so patched keys need no reordering.
 */
function handSidecar(m: Modules): any {
  const q = (s: string) => m.kplus.k8s.Quantity.fromString(s);
  return {
    name: 'debug',
    image: 'docker.io/nicolaka/netshoot:v0.14',
    imagePullPolicy: 'IfNotPresent',
    command: ['/bin/sh', '-c', "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"],
    resources: { limits: { cpu: q('500m'), memory: q('256Mi') }, requests: { cpu: q('10m'), memory: q('32Mi') } },
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { add: ['NET_RAW', 'SYS_PTRACE'], drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: false,
      runAsUser: 0,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [{ mountPath: '/tmp', name: 'debug-scratch' }],
  };
}

function handPatches(m: Modules, dep: Kplus.Deployment): void {
  const { ApiObject, JsonPatch } = m.cdk8s;
  const spec = '/spec/template/spec';
  ApiObject.of(dep).addJsonPatch(
    JsonPatch.add(`${spec}/containers/-`, handSidecar(m)),
    JsonPatch.add(`${spec}/shareProcessNamespace`, true),
    // The plain Deployment has no volumes, so add the list (not volumes/-).
    JsonPatch.add(`${spec}/volumes`, [{ name: 'debug-scratch', emptyDir: { sizeLimit: m.kplus.k8s.Quantity.fromString('512Mi') } }]),
  );
}

/** Builds the app; returns it for synthesis. */
function construct(m: Modules, variant: Variant, n: number): Cdk8s.App {
  const { App, Chart } = m.cdk8s;
  const { Deployment } = m.kplus;
  const app = new App();
  const chart = new Chart(app, 'bench');
  const props = () => ({ containers: [{ image: IMAGE, portNumber: 8080 }] });
  const tools = () => [m.lib!.DebugTool.TCPDUMP, m.lib!.DebugTool.STRACE];
  for (let i = 0; i < n; i++) {
    const id = `app${i}`;
    switch (variant) {
      case 'plain':
      case 'attach-all':
        new Deployment(chart, id, props());
        break;
      case 'hand':
        handPatches(m, new Deployment(chart, id, props()));
        break;
      case 'debug-on':
        new m.lib!.DebuggableDeployment(chart, id, { ...props(), debug: { enabled: true, tools: tools() } });
        break;
      case 'debug-off':
        new m.lib!.DebuggableDeployment(chart, id, { ...props(), debug: { enabled: false, tools: tools() } });
        break;
    }
  }
  if (variant === 'attach-all') {
    m.lib!.DebugSidecar.attachAll(chart, { enabled: true, tools: tools() });
  }
  return app;
}

/** Everything measured runs under this function, so a CPU profile can tell it from module loading. */
function runMeasured(m: Modules, variant: Variant, n: number) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const app = construct(m, variant, n);
  const t1 = performance.now();
  const yaml = app.synthYaml();
  const t2 = performance.now();
  const c = process.cpuUsage(c0);
  return { yaml, constructMs: t1 - t0, synthMs: t2 - t1, cpuMs: (c.user + c.system) / 1000 };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function main(): void {
  const variant = arg('variant') as Variant;
  const n = Number(arg('n'));
  if (!VARIANTS.includes(variant) || !(n > 0)) {
    throw new Error(`usage: worker.js --variant ${VARIANTS.join('|')} --n N [--yaml file]`);
  }
  const tLoad = performance.now();
  const m = loadModules(variant);
  const loadMs = performance.now() - tLoad;
  const { yaml, constructMs, synthMs, cpuMs } = runMeasured(m, variant, n);
  const maxRssKb = process.resourceUsage().maxRSS;
  // After the measurement: fingerprint and (check mode) save the output.
  const sha256 = require('crypto').createHash('sha256').update(yaml).digest('hex');
  const out = arg('yaml');
  if (out) require('fs').writeFileSync(out, yaml);
  process.stdout.write(JSON.stringify({
    variant, n, bootMs, loadMs, constructMs, synthMs, workMs: constructMs + synthMs, cpuMs,
    maxRssKb, bytes: Buffer.byteLength(yaml), sha256,
  }) + '\n');
}

if (require.main === module) main();
