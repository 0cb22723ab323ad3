import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

/*
 * The README's full-app snippets (```ts blocks that create an App), run as
 * written: the only change is that `from 'cdk8s-debuggable'` points at this
 * checkout's src. Each runs with its working directory in examples/workloads
 * (where the Include'd third-party/redis.yaml of the "Any workload" snippet
 * lives) and its own CDK8S_OUTDIR. Used by test/readme.test.ts (strict schema)
 * and test/apiserver (server-side dry run).
 */

const ROOT = path.join(__dirname, '..', '..');
const WORK = path.join(ROOT, 'examples', '.readme-snippets');
const RUNNER = path.join(__dirname, 'run-snippets.ts');

export interface Snippet {
  /** The first line of the block in README.md (1-based). */
  readonly line: number;
  readonly code: string;
}

export interface SnippetRun extends Snippet {
  /** The manifests it wrote, parsed. */
  readonly objects: any[];
}

/** Every ```ts block of README.md that is a whole app (it creates an App; it must then synthesize it). */
export function fullAppSnippets(readme = path.join(ROOT, 'README.md')): Snippet[] {
  const lines = readFileSync(readme, 'utf-8').split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts( |$)/.test(lines[i].trim())) continue;
    const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
    const code = lines.slice(i + 1, end).join('\n');
    if (/\bnew App\(/.test(code)) out.push({ line: i + 1, code });
    i = end;
  }
  return out;
}

/** Runs the snippets in one ts-node process (one start-up for all), and reads what each wrote. */
export function runSnippets(snippets: Snippet[], env: Record<string, string> = {}): SnippetRun[] {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const src = path.relative(WORK, path.join(ROOT, 'src')).split(path.sep).join('/');
  const jobs = snippets.map(s => {
    const file = path.join(WORK, `readme-line-${s.line}.ts`);
    writeFileSync(file, s.code.replace(/from 'cdk8s-debuggable'/g, `from '${src}'`));
    return { file, outdir: path.join(WORK, `readme-line-${s.line}.out`) };
  });
  const run = spawnSync('npx', ['ts-node', '--project', path.join(ROOT, 'examples', 'tsconfig.json'), RUNNER, JSON.stringify(jobs)], {
    cwd: path.join(ROOT, 'examples', 'workloads'),
    encoding: 'utf-8',
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', ...env },
  });
  if (run.status !== 0) throw new Error(`README snippets failed (exit ${run.status}):\n${run.stderr}${run.stdout}`);
  return snippets.map((s, i) => {
    const dir = jobs[i].outdir;
    const files = existsSync(dir) ? readdirSync(dir).filter(f => f.endsWith('.yaml')).sort() : [];
    const objects = files.flatMap(f => parseAllDocuments(readFileSync(path.join(dir, f), 'utf-8')).map(d => d.toJS()).filter(o => o));
    return { ...s, objects };
  });
}
