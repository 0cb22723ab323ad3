// CPU profile of one or more variants with `node --cpu-prof`, summarized by
// where the time goes during construct + synthYaml (samples under the
// worker's runMeasured(), plus GC samples in that window).
//
//   node bench/out/bench/profile.js [--n 1000] [--variants debug-on,hand] [--runs 3] [--interval 100]
//
// Attribution: each sample goes to the innermost JavaScript frame that belongs
// to a package file or to this library; V8 builtins (Array.prototype.sort,
// JSON.stringify, ...) are charged to the JS function that called them.
// Profiles are kept in bench/out/profile/.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const n = Number(flag('n') ?? 1000);
const variants = (flag('variants') ?? 'debug-on,hand').split(',');
const runs = Number(flag('runs') ?? 3);
const interval = Number(flag('interval') ?? 100);
const WORKER = path.join(__dirname, 'worker.js');
const DIR = path.resolve(__dirname, '..', 'profile');
const ROOT = path.resolve(__dirname, '..', '..', '..');
const env = { ...process.env };
for (const k of ['CDK8S_DEBUG', 'CDK8S_ENVIRONMENT', 'CDK8S_DISABLE_SORT', 'NODE_OPTIONS']) delete env[k];

/** Which package (or part of one) a script URL belongs to. */
function categoryOf(url: string): string | undefined {
  if (!url || url.startsWith('node:')) return undefined; // builtins and Node internals: charge the caller
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + '/node_modules/'.length).split('/');
    const pkg = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    const inner = rest.slice(rest[0].startsWith('@') ? 2 : 1).join('/');
    if (pkg === 'cdk8s' && file.includes('/cdk8s/node_modules/')) return pkg; // unreachable: lastIndexOf picks the bundled package
    if (pkg === 'yaml') return 'yaml (stringify, bundled by cdk8s)';
    if (pkg === 'fast-json-patch') return 'fast-json-patch (cdk8s JsonPatch.apply)';
    if (pkg === 'cdk8s') {
      if (inner === 'lib/_util.js') return 'cdk8s sanitizeValue (_util.js)';
      if (inner === 'lib/resolve.js') return 'cdk8s resolve';
      return `cdk8s ${inner.replace(/^lib\//, '')}`;
    }
    if (pkg === 'cdk8s-plus-27') return inner === 'lib/imports/k8s.js' ? 'cdk8s-plus-27 k8s.js (typed toJson converters)' : 'cdk8s-plus-27 (constructs)';
    return pkg;
  }
  if (file.includes('/bench/out/src/')) return `cdk8s-debuggable src/${path.basename(file, '.js')}.ts`;
  if (file.includes('/bench/out/bench/')) return 'bench harness';
  return path.relative(ROOT, file);
}

interface Tally { totalMs: number; byCategory: Map<string, number>; byFunction: Map<string, number>; lib: Map<string, number> }

function analyze(file: string, t: Tally): void {
  const p: Profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map(x => [x.id, x]));
  const parent = new Map<number, number>();
  for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const stackOf = (id: number) => { const s: ProfileNode[] = []; for (let c: number | undefined = id; c !== undefined; c = parent.get(c)) s.push(byId.get(c)!); return s; };
  const measured = p.samples.map(id => stackOf(id).some(f => f.callFrame.functionName === 'runMeasured'));
  const first = measured.indexOf(true); const last = measured.lastIndexOf(true);
  for (let i = first; i <= last; i++) {
    const ms = (p.timeDeltas[i + 1] ?? p.timeDeltas[i]) / 1000;
    const stack = stackOf(p.samples[i]);
    const leaf = stack[0].callFrame;
    let cat: string; let fn: string;
    if (!measured[i]) {
      if (!leaf.functionName.startsWith('(')) continue; // another JS stack in the window (none expected)
      cat = fn = leaf.functionName; // (garbage collector), (program)
    } else {
      const owner = stack.find(f => categoryOf(f.callFrame.url) !== undefined)!;
      cat = categoryOf(owner.callFrame.url)!;
      fn = `${owner.callFrame.functionName || '(anonymous)'} ${path.basename(owner.callFrame.url)}:${owner.callFrame.lineNumber + 1}`;
      // Inclusive time of this library's frames, by outermost library function.
      const libFrames = stack.filter(f => f.callFrame.url.includes('/bench/out/src/'));
      if (libFrames.length) {
        const outer = libFrames[libFrames.length - 1].callFrame;
        const key = `${outer.functionName || '(anonymous)'} ${path.basename(outer.url)}:${outer.lineNumber + 1}`;
        t.lib.set(key, (t.lib.get(key) ?? 0) + ms);
      }
    }
    t.totalMs += ms;
    t.byCategory.set(cat, (t.byCategory.get(cat) ?? 0) + ms);
    t.byFunction.set(`${fn} [${cat}]`, (t.byFunction.get(`${fn} [${cat}]`) ?? 0) + ms);
  }
}

function main(): void {
  fs.mkdirSync(DIR, { recursive: true });
  const tallies = new Map<string, Tally>();
  for (let r = 0; r < runs; r++) {
    for (const v of variants) {
      const dir = path.join(DIR, `${v}-${n}-run${r}`);
      fs.rmSync(dir, { recursive: true, force: true });
      const res = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', String(interval), WORKER, '--variant', v, '--n', String(n)],
        { env, encoding: 'utf8' });
      if (res.status !== 0) throw new Error(res.stderr);
      const t = tallies.get(v) ?? { totalMs: 0, byCategory: new Map(), byFunction: new Map(), lib: new Map() };
      for (const f of fs.readdirSync(dir).filter(x => x.endsWith('.cpuprofile'))) analyze(path.join(dir, f), t);
      tallies.set(v, t);
    }
  }
  const out: string[] = [];
  out.push(`CPU profile, N=${n}, ${runs} run(s) per variant, ${interval} µs sampling; ms are per run (mean), construct + synthYaml only.`, '');
  const cats = [...new Set([...tallies.values()].flatMap(t => [...t.byCategory.keys()]))]
    .sort((a, b) => (tallies.get(variants[0])!.byCategory.get(b) ?? 0) - (tallies.get(variants[0])!.byCategory.get(a) ?? 0));
  out.push(`| self time by package | ${variants.map(v => `${v} ms | %`).join(' | ')} |`);
  out.push(`|---|${variants.map(() => '--:|--:').join('|')}|`);
  for (const c of cats) {
    out.push(`| ${c} | ${variants.map(v => { const t = tallies.get(v)!; const ms = t.byCategory.get(c) ?? 0; return `${(ms / runs).toFixed(0)} | ${(100 * ms / t.totalMs).toFixed(1)}`; }).join(' | ')} |`);
  }
  out.push(`| **total** | ${variants.map(v => `${(tallies.get(v)!.totalMs / runs).toFixed(0)} | 100`).join(' | ')} |`, '');
  for (const v of variants) {
    const t = tallies.get(v)!;
    out.push(`Top functions, ${v} (self, builtins charged to their JS caller):`, '', '| function [package] | ms | % |', '|---|--:|--:|');
    for (const [f, ms] of [...t.byFunction].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
      out.push(`| ${f} | ${(ms / runs).toFixed(0)} | ${(100 * ms / t.totalMs).toFixed(1)} |`);
    }
    out.push('');
    if (t.lib.size) {
      out.push(`Inclusive time under this library's frames, ${v} (by outermost library function; includes what it calls, e.g. the wrapped cdk8s toJson):`, '', '| library function | ms | % |', '|---|--:|--:|');
      for (const [f, ms] of [...t.lib].sort((a, b) => b[1] - a[1]).slice(0, 10)) out.push(`| ${f} | ${(ms / runs).toFixed(0)} | ${(100 * ms / t.totalMs).toFixed(1)} |`);
      out.push('');
    }
  }
  const md = out.join('\n');
  process.stdout.write(md + '\n');
  fs.writeFileSync(path.join(DIR, `summary-${n}.md`), md + '\n');
}

main();
