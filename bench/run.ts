// Synthesis benchmark (issue 6). Every sample is a fresh Node process
// (bench/out/bench/worker.js), so peak memory is that process's maxRSS.
// Samples are interleaved: each repetition runs every N and, within it, every
// variant once, in a fresh (seeded) random order per repetition, so machine
// drift (other jobs, thermal) and carry-over from the previous sample hit all
// variants alike. (A rotated order would keep each variant's predecessor.)
//
//   node bench/out/bench/run.js [--n 100,1000,10000] [--reps R] [--quick] [--seed 1]
//                               [--variants plain,hand,...] [--kustomize-max-n 1000] [--no-kustomize]
//
// Default repetitions: 9 for N <= 2000 (where the ratio targets are), 3 above
// (N=10000 has absolute targets only); --reps R sets R for every N.
//
// Before any timing, the manifests are checked: plain == debug-off and
// hand == debug-on == attach-all (identical YAML strings), and the kustomize
// overlay's output equals debug-on's as data. Any mismatch aborts (exit 1).
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Variant, VARIANTS } from './worker';

type AnyVariant = Variant | 'kustomize';

const LABEL: Record<AnyVariant, string> = {
  'plain': '1 plain kplus.Deployment',
  'hand': '2 hand-written sidecar (JSON patches)',
  'debug-on': '3 DebuggableDeployment, debug on',
  'debug-off': '4 DebuggableDeployment, debug off',
  'attach-all': '5 DebugSidecar.attachAll',
  'kustomize': '6 kustomize overlay on 1\'s YAML',
};
/** Reference of each ratio. */
const REFERENCE: Partial<Record<AnyVariant, Variant>> = {
  'hand': 'plain', 'debug-on': 'hand', 'debug-off': 'plain', 'attach-all': 'hand',
};

interface Sample {
  variant: AnyVariant;
  n: number;
  rep: number;
  /** construct + synthYaml inside the child (kustomize: whole kubectl run). */
  workMs: number;
  /** spawn to exit, measured by this process. */
  processMs: number;
  /** user + system CPU over the same span as workMs. */
  cpuMs: number;
  loadMs?: number;
  bootMs?: number;
  constructMs?: number;
  synthMs?: number;
  maxRssKb?: number;
  sha256?: string;
}

// ---------------------------------------------------------------- arguments
function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const quick = process.argv.includes('--quick');
const ns = (flag('n') ?? (quick ? '100' : '100,1000,10000')).split(',').map(Number);
const repsFlag = flag('reps');
const repsOf = (n: number) => Number(repsFlag ?? (quick ? 3 : n <= 2000 ? 9 : 3));
const seed = Number(flag('seed') ?? 1);
const variants = (flag('variants')?.split(',') ?? [...VARIANTS]) as Variant[];
const kustomizeMaxN = Number(flag('kustomize-max-n') ?? 1000);
if (ns.some(n => !(n > 0)) || ns.some(n => !(repsOf(n) > 0)) || variants.some(v => !VARIANTS.includes(v))) {
  console.error('usage: run.js [--n 100,1000,10000] [--reps R] [--quick] [--seed 1] [--variants plain,hand,debug-on,debug-off,attach-all] [--kustomize-max-n 1000] [--no-kustomize]');
  process.exit(2);
}

const WORKER = path.join(__dirname, 'worker.js');
const OUT = path.resolve(__dirname, '..'); // bench/out
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-debuggable-bench-'));
const ENV = { ...process.env };
for (const k of ['CDK8S_DEBUG', 'CDK8S_ENVIRONMENT', 'CDK8S_DISABLE_SORT', 'NODE_OPTIONS']) delete ENV[k];

function which(cmd: string, extra: string[] = []): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(':'), ...extra]) {
    const p = path.join(dir, cmd);
    try { fs.accessSync(p, fs.constants.X_OK); return p; } catch { /* next */ }
  }
  return undefined;
}
const KUBECTL = process.argv.includes('--no-kustomize') ? undefined : which('kubectl', ['/usr/bin', '/usr/local/bin']);
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
let kustomizeNote = process.argv.includes('--no-kustomize') ? 'skipped (--no-kustomize)'
  : KUBECTL ? '' : 'skipped: kubectl not found';
if (KUBECTL && spawnSync(KUBECTL, ['kustomize', '--help'], { stdio: 'ignore' }).status !== 0) {
  kustomizeNote = `skipped: '${KUBECTL} kustomize' does not run`;
}
const kustomizeOn = kustomizeNote === '';

// ---------------------------------------------------------------- runners
function runNode(variant: Variant, n: number, rep: number, yamlFile?: string): Sample {
  const args = [WORKER, '--variant', variant, '--n', String(n), ...(yamlFile ? ['--yaml', yamlFile] : [])];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env: ENV, encoding: 'utf8', maxBuffer: 64 << 20 });
  const processMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`worker ${variant} N=${n} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  const res = JSON.parse(r.stdout.trim().split('\n').pop()!);
  return { ...res, variant, n, rep, processMs };
}

function kustomizeDir(n: number, baseYaml: string): string {
  const dir = path.join(TMP, `kustomize-${n}`);
  fs.mkdirSync(path.join(dir, 'base'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'overlay'), { recursive: true });
  fs.copyFileSync(baseYaml, path.join(dir, 'base', 'deployments.yaml'));
  fs.writeFileSync(path.join(dir, 'base', 'kustomization.yaml'), 'resources:\n  - deployments.yaml\n');
  fs.writeFileSync(path.join(dir, 'overlay', 'kustomization.yaml'), [
    'resources:', '  - ../base', 'patches:', '  - path: debug-sidecar.yaml', '    target:', '      kind: Deployment', '',
  ].join('\n'));
  // JSON6902, the same sidecar as variant 2.
  fs.writeFileSync(path.join(dir, 'overlay', 'debug-sidecar.yaml'), `\
- op: add
  path: /spec/template/spec/containers/-
  value:
    name: debug
    image: docker.io/nicolaka/netshoot:v0.14
    imagePullPolicy: IfNotPresent
    command: ["/bin/sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"]
    resources:
      limits: { cpu: 500m, memory: 256Mi }
      requests: { cpu: 10m, memory: 32Mi }
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: { add: [NET_RAW, SYS_PTRACE], drop: [ALL] }
      privileged: false
      readOnlyRootFilesystem: true
      runAsNonRoot: false
      runAsUser: 0
      seccompProfile: { type: RuntimeDefault }
    volumeMounts:
      - { mountPath: /tmp, name: debug-scratch }
- op: add
  path: /spec/template/spec/shareProcessNamespace
  value: true
- op: add
  path: /spec/template/spec/volumes
  value:
    - { name: debug-scratch, emptyDir: { sizeLimit: 512Mi } }
`);
  return dir;
}

function runKustomize(n: number, rep: number, dir: string, outFile: string): Sample {
  const cmd = [KUBECTL!, 'kustomize', path.join(dir, 'overlay'), '-o', outFile];
  const t0 = process.hrtime.bigint();
  const r = TIME
    ? spawnSync(TIME, ['-f', 'maxrss=%M cpu=%U+%S', ...cmd], { encoding: 'utf8' })
    : spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8' });
  const processMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`kubectl kustomize N=${n} failed:\n${r.stderr}`);
  const m = /maxrss=(\d+) cpu=([\d.]+)\+([\d.]+)/.exec(r.stderr ?? '');
  return {
    variant: 'kustomize', n, rep, workMs: processMs, processMs,
    cpuMs: m ? 1000 * (Number(m[2]) + Number(m[3])) : NaN, maxRssKb: m ? Number(m[1]) : undefined,
  };
}

/** mulberry32: a small seeded PRNG, so the sample order is reproducible. */
function prng(a: number): () => number {
  return () => {
    a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------- checks
function firstDifference(a: string, b: string): string {
  const la = a.split('\n'); const lb = b.split('\n');
  const i = la.findIndex((l, k) => l !== lb[k]);
  const at = i < 0 ? la.length : i;
  const ctx = (ls: string[]) => ls.slice(Math.max(0, at - 3), at + 3).map((l, k) => `${Math.max(0, at - 3) + k + 1}: ${l}`).join('\n');
  return `first difference at line ${at + 1}:\n--- A\n${ctx(la)}\n--- B\n${ctx(lb)}`;
}

function yamlLib(): any {
  return require(require.resolve('yaml', { paths: [path.dirname(require.resolve('cdk8s'))] }));
}

function canonical(v: any): any {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map(k => [k, canonical(v[k])]));
  return v;
}

function byName(text: string): Map<string, string> {
  const docs = yamlLib().parseAllDocuments(text, { version: '1.1' }).map((d: any) => d.toJSON()).filter((d: any) => d);
  return new Map(docs.map((d: any) => [d.metadata.name, JSON.stringify(canonical(d))]));
}

const checks: string[] = [];
function check(ok: boolean, what: string, detail = ''): void {
  checks.push(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  console.error(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) {
    console.error(detail);
    console.error(`aborting: manifests differ (outputs kept in ${TMP})`);
    process.exit(1);
  }
}

// ---------------------------------------------------------------- stats
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (x: number | undefined, d = 0) => x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(d);

// ---------------------------------------------------------------- main
function main(): void {
  const started = Date.now();
  const loadBefore = os.loadavg();
  console.error(`bench: N=${ns.join(',')} reps=${ns.map(repsOf).join(',')} seed=${seed} variants=${variants.join(',')} kustomize=${kustomizeOn ? `N<=${kustomizeMaxN}` : kustomizeNote}`);
  console.error(`node ${process.version}, ${os.cpus().length} CPUs, load ${loadBefore.map(l => l.toFixed(2)).join(' ')}; scratch ${TMP}`);

  // 1. Check the manifests (these runs are also the warm-up; not timed).
  const kdirs = new Map<number, string>();
  for (const n of ns) {
    const yaml: Partial<Record<Variant, string>> = {};
    for (const v of variants) {
      const file = path.join(TMP, `${v}-${n}.yaml`);
      runNode(v, n, -1, file);
      yaml[v] = fs.readFileSync(file, 'utf8');
    }
    const same = (a: Variant, b: Variant) => {
      if (yaml[a] === undefined || yaml[b] === undefined) return;
      check(yaml[a] === yaml[b], `N=${n}: ${a} and ${b} give identical YAML (${fmt(Buffer.byteLength(yaml[a]!) / 1024)} KiB)`, firstDifference(yaml[a]!, yaml[b]!));
    };
    same('plain', 'debug-off');
    same('hand', 'debug-on');
    same('debug-on', 'attach-all');
    same('hand', 'attach-all');
    for (const v of ['hand', 'debug-on', 'attach-all'] as Variant[]) {
      if (yaml[v] !== undefined) {
        const count = yaml[v]!.split('image: docker.io/nicolaka/netshoot:v0.14').length - 1;
        check(count === n, `N=${n}: ${v} has ${count} debug sidecars`);
      }
    }
    if (kustomizeOn && n <= kustomizeMaxN && yaml.plain !== undefined) {
      const dir = kustomizeDir(n, path.join(TMP, `plain-${n}.yaml`));
      kdirs.set(n, dir);
      const out = path.join(dir, 'out.yaml');
      runKustomize(n, -1, dir, out);
      const ref = yaml['debug-on'] ?? yaml.hand;
      if (ref !== undefined) {
        const a = byName(fs.readFileSync(out, 'utf8')); const b = byName(ref);
        const bad = [...b.keys()].filter(k => a.get(k) !== b.get(k));
        check(a.size === b.size && bad.length === 0, `N=${n}: kustomize output equals debug-on's as data (${a.size} objects; key order and formatting differ)`,
          bad.length ? `first differing object ${bad[0]}:\n${a.get(bad[0])}\n${b.get(bad[0])}` : `${a.size} vs ${b.size} objects`);
      }
    }
  }
  if (kustomizeOn) {
    const skipped = ns.filter(n => n > kustomizeMaxN);
    if (skipped.length) kustomizeNote = `not run at N=${skipped.join(',')} (> --kustomize-max-n ${kustomizeMaxN}): kubectl kustomize grows faster than quadratically (base alone: 3.1 s at 1000, 18.6 s at 2000, 109 s at 4000 on this machine)`;
  }

  // 2. Timed samples, interleaved.
  const samples: Sample[] = [];
  const all: AnyVariant[] = [...variants, ...(kustomizeOn ? ['kustomize' as const] : [])];
  const random = prng(seed);
  const maxReps = Math.max(...ns.map(repsOf));
  for (let rep = 0; rep < maxReps; rep++) {
    for (const n of ns) {
      if (rep >= repsOf(n)) continue;
      const order = [...all];
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (const v of order) {
        if (v === 'kustomize') {
          if (!kdirs.has(n)) continue;
          samples.push(runKustomize(n, rep, kdirs.get(n)!, path.join(kdirs.get(n)!, 'out.yaml')));
        } else {
          const s = runNode(v, n, rep);
          if (s.sha256 === undefined) throw new Error('no fingerprint');
          samples.push(s);
        }
        const s = samples[samples.length - 1];
        console.error(`rep ${rep + 1}/${repsOf(n)} N=${n} ${v}: ${fmt(s.workMs)} ms, ${fmt((s.maxRssKb ?? NaN) / 1024)} MB`);
      }
    }
  }
  // Every timed run of a variant gave the same output as its check run.
  for (const n of ns) {
    for (const v of variants) {
      const hashes = new Set(samples.filter(s => s.n === n && s.variant === v).map(s => s.sha256));
      const expected = crypto.createHash('sha256').update(fs.readFileSync(path.join(TMP, `${v}-${n}.yaml`))).digest('hex');
      check(hashes.size === 1 && hashes.has(expected), `N=${n}: every timed ${v} run produced the checked YAML`);
    }
  }

  // 3. Summary.
  type Row = {
    variant: AnyVariant; label: string; n: number; samples: number; medianMs: number; minMs: number; maxMs: number; spreadPct: number;
    cpuMs: number; cpuSpreadPct: number; processMs: number; loadMs?: number; peakMb?: number;
    reference?: string; ratio?: number; ratioMin?: number; ratioMax?: number; ratioOfMedians?: number;
    cpuRatio?: number; cpuRatioMin?: number; cpuRatioMax?: number;
  };
  const rows: Row[] = [];
  for (const n of ns) {
    for (const v of all) {
      const ss = samples.filter(s => s.n === n && s.variant === v);
      if (!ss.length) continue;
      const w = ss.map(s => s.workMs);
      const row: Row = {
        variant: v, label: LABEL[v], n, samples: ss.length,
        medianMs: median(w), minMs: Math.min(...w), maxMs: Math.max(...w),
        spreadPct: 100 * (Math.max(...w) - Math.min(...w)) / median(w),
        cpuMs: median(ss.map(s => s.cpuMs)),
        cpuSpreadPct: 100 * (Math.max(...ss.map(s => s.cpuMs)) - Math.min(...ss.map(s => s.cpuMs))) / median(ss.map(s => s.cpuMs)),
        processMs: median(ss.map(s => s.processMs)),
        loadMs: v === 'kustomize' ? undefined : median(ss.map(s => s.loadMs!)),
        peakMb: ss.some(s => s.maxRssKb === undefined) ? undefined : Math.max(...ss.map(s => s.maxRssKb!)) / 1024,
      };
      const ref = REFERENCE[v];
      const rs = ref ? samples.filter(s => s.n === n && s.variant === ref) : [];
      if (ref && rs.length) {
        // Paired by repetition: both ran within seconds of each other.
        const paired = ss.map(s => s.workMs / rs.find(r => r.rep === s.rep)!.workMs);
        const cpu = ss.map(s => s.cpuMs / rs.find(r => r.rep === s.rep)!.cpuMs);
        Object.assign(row, {
          reference: ref, ratio: median(paired), ratioMin: Math.min(...paired), ratioMax: Math.max(...paired),
          ratioOfMedians: row.medianMs / median(rs.map(r => r.workMs)),
          cpuRatio: median(cpu), cpuRatioMin: Math.min(...cpu), cpuRatioMax: Math.max(...cpu),
        });
      }
      rows.push(row);
    }
  }

  const lines: string[] = [];
  lines.push('| variant | N | median ms | spread | CPU ms | process ms | load ms | peak MB | ratio, wall (min–max) | ratio, CPU (min–max) |');
  lines.push('|---|--:|--:|--:|--:|--:|--:|--:|---|---|');
  for (const r of rows) {
    let ratio = r.ratio !== undefined ? `${r.ratio.toFixed(3)}× vs ${r.reference} (${r.ratioMin!.toFixed(2)}–${r.ratioMax!.toFixed(2)})` : '';
    const cpuRatio = r.cpuRatio !== undefined ? `${r.cpuRatio.toFixed(3)}× (${r.cpuRatioMin!.toFixed(2)}–${r.cpuRatioMax!.toFixed(2)})` : '';
    if (r.variant === 'kustomize') {
      const plain = rows.find(x => x.n === r.n && x.variant === 'plain');
      const on = rows.find(x => x.n === r.n && x.variant === 'debug-on');
      if (plain && on) ratio = `(1 + 6) / 3 by process ms: ${((plain.processMs + r.processMs) / on.processMs).toFixed(2)}×`;
    }
    lines.push(`| ${r.label} | ${r.n} | ${fmt(r.medianMs)} | ±${fmt(r.spreadPct / 2)}% | ${fmt(r.cpuMs)} | ${fmt(r.processMs)} | ${fmt(r.loadMs)} | ${fmt(r.peakMb)} | ${ratio} | ${cpuRatio} |`);
  }

  // 4. Targets.
  const targets: { target: string; value: string; pass: boolean }[] = [];
  const rowOf = (v: AnyVariant, n: number) => rows.find(r => r.variant === v && r.n === n);
  const on1k = rowOf('debug-on', 1000); const off1k = rowOf('debug-off', 1000);
  // Ratio targets are judged on CPU time (paired median): wall time on a shared
  // 2-core machine carries the other jobs' noise; both are shown.
  const ratioTarget = (r: Row | undefined, what: string, limit: number) => {
    if (r?.ratio === undefined) return;
    targets.push({
      target: `${what} ≤ ${limit}× (CPU; wall shown too)`,
      value: `CPU ${r.cpuRatio!.toFixed(3)}× (per-rep ${r.cpuRatioMin!.toFixed(2)}–${r.cpuRatioMax!.toFixed(2)}); wall ${r.ratio.toFixed(3)}× (${r.ratioMin!.toFixed(2)}–${r.ratioMax!.toFixed(2)})`,
      pass: r.cpuRatio! <= limit,
    });
  };
  ratioTarget(on1k, 'N=1000 debug-on vs hand-written', 1.05);
  ratioTarget(off1k, 'N=1000 debug-off vs plain', 1.02);
  for (const v of ['debug-on', 'attach-all'] as Variant[]) {
    const r = rowOf(v, 10000);
    if (!r) continue;
    targets.push({ target: `N=10000 ${v} < 10 s (whole process)`, value: `${fmt(r.processMs / 1000, 2)} s (construct+synth ${fmt(r.medianMs / 1000, 2)} s)`, pass: r.processMs < 10000 });
    targets.push({ target: `N=10000 ${v} < 600 MB peak RSS`, value: `${fmt(r.peakMb)} MB`, pass: (r.peakMb ?? Infinity) < 600 });
  }

  const loadAfter = os.loadavg();
  const minutes = (Date.now() - started) / 60000;
  const md = [
    `Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, load average ${loadBefore[0].toFixed(2)} → ${loadAfter[0].toFixed(2)}; ` +
    `${ns.map(n => `${repsOf(n)} at N=${n}`).join(', ')} interleaved repetitions (seed ${seed}) after one check/warm-up run per variant and N; ${minutes.toFixed(1)} min in all.`,
    '',
    'median ms = construct + `app.synthYaml()` inside a fresh Node process (kustomize: the whole `kubectl kustomize` run); ' +
    'spread = ±half the min–max range; CPU ms = user + system CPU of the child over the same span (median); ' +
    'ratios are medians of per-repetition ratios (each pair ran within seconds); process ms = spawn to exit; load ms = `require()` of cdk8s, cdk8s-plus-27 and the library; ' +
    'peak MB = the largest maxRSS of the samples.',
    '',
    ...lines,
    '',
    ...(kustomizeNote ? [`kustomize: ${kustomizeNote}.`, ''] : []),
    '| target | measured | |', '|---|---|---|',
    ...targets.map(t => `| ${t.target} | ${t.value} | ${t.pass ? 'met' : '**not met**'} |`),
  ].join('\n');
  process.stdout.write(md + '\n');

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const json = {
    date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model,
    totalMemGiB: os.totalmem() / 2 ** 30, loadavgBefore: loadBefore, loadavgAfter: loadAfter,
    args: process.argv.slice(2), ns, reps: Object.fromEntries(ns.map(n => [n, repsOf(n)])), seed, variants, kustomize: kustomizeOn ? { kubectl: KUBECTL, maxN: kustomizeMaxN } : kustomizeNote,
    kustomizeNote, checks, rows, targets, samples, minutes,
  };
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, `results-${stamp}.json`), JSON.stringify(json, null, 2));
  fs.writeFileSync(path.join(OUT, 'results.json'), JSON.stringify(json, null, 2));
  fs.writeFileSync(path.join(OUT, 'results.md'), md + '\n');
  fs.rmSync(TMP, { recursive: true, force: true });
  console.error(`wrote ${path.join(OUT, 'results.json')} and results.md (${minutes.toFixed(1)} min)`);
}

main();
