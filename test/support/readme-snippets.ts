import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';

/*
 * The snippets of the documentation pages (README.md and every guide page,
 * docs/*.md), and the example apps, run as written.
 *
 * A full-app snippet is a ```ts block that creates an App (it must then
 * synthesize it). The only change made to it is that `from
 * 'cdk8s-debuggable'` points at this checkout's src. Each runs with its
 * working directory in examples/workloads (where the Include'd
 * third-party/redis.yaml of the "Any workload" snippet lives) and its own
 * CDK8S_OUTDIR. Used by test/readme.test.ts (strict schema) and
 * test/apiserver (server-side dry run). Every ```ts block, app or not, is
 * also type-checked (`typeCheckSnippets`): rosetta compiles only README.md's.
 *
 * An example app (examples/<name>/main.ts) runs in its own directory, as
 * `cdk8s synth` runs it (`synthExample`): the tests and the podman suite read
 * what a user would get, not a test-only variant.
 */

const ROOT = path.join(__dirname, '..', '..');
const WORK_PARENT = path.join(ROOT, 'examples', '.readme-snippets');
const RUNNER = path.join(__dirname, 'run-snippets.ts');

export interface Snippet {
  /** The page, relative to the repository root (`README.md`, `docs/workloads.md`). */
  readonly file: string;
  /** The first line of the block in that page (1-based). */
  readonly line: number;
  readonly code: string;
}

export interface SnippetRun extends Snippet {
  /** The manifests it wrote, parsed. */
  readonly objects: any[];
}

/** README.md, then every guide page (docs/*.md): the pages whose snippets the tests run. */
export function docPages(): string[] {
  const docs = readdirSync(path.join(ROOT, 'docs')).filter(f => f.endsWith('.md')).sort();
  return ['README.md', ...docs.map(f => `docs/${f}`)];
}

/** `docs/pod-security.md:42`: where a snippet is, for test names and failure messages. */
export function where(s: Snippet): string {
  return `${s.file}:${s.line}`;
}

/** Every ```ts block of a page (a path relative to the repository root, or absolute). */
export function tsSnippets(page = 'README.md'): Snippet[] {
  const file = path.relative(ROOT, path.resolve(ROOT, page)).split(path.sep).join('/');
  const lines = readFileSync(path.join(ROOT, file), 'utf-8').split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts( |$)/.test(lines[i].trim())) continue;
    const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
    if (end < 0) throw new Error(`${file}:${i + 1}: a \`\`\`ts block that never closes`);
    out.push({ file, line: i + 1, code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return out;
}

/** Every ```ts block of a page that is a whole app (it creates an App; it must then synthesize it). */
export function fullAppSnippets(page = 'README.md'): Snippet[] {
  return tsSnippets(page).filter(s => /\bnew App\(/.test(s.code));
}

/** The full-app snippets of README.md and of every guide page. */
export function allFullAppSnippets(): Snippet[] {
  return docPages().flatMap(page => fullAppSnippets(page));
}

/** A file name for a snippet: `docs-pod-security-md-line-42`. */
function slug(s: Snippet): string {
  return `${s.file.replace(/[^A-Za-z0-9]+/g, '-')}-line-${s.line}`;
}

/** A fresh work directory under examples/ (module resolution finds the repository's node_modules from there). */
function workDir(): string {
  mkdirSync(WORK_PARENT, { recursive: true });
  return mkdtempSync(path.join(WORK_PARENT, 'run-'));
}

function readObjects(dir: string): any[] {
  const files = existsSync(dir) ? readdirSync(dir).filter(f => f.endsWith('.yaml')).sort() : [];
  return files.flatMap(f => parseAllDocuments(readFileSync(path.join(dir, f), 'utf-8')).map(d => d.toJS()).filter(o => o));
}

interface Job {
  readonly file: string;
  readonly outdir: string;
  readonly cwd: string;
  /** Set for this job only (the library reads the environment once per App). */
  readonly env?: Record<string, string>;
}

/** Runs app files in one ts-node process (one start-up for all; ts-node type-checks them). */
function runJobs(jobs: Job[], env: Record<string, string>, what: string): void {
  const run = spawnSync('npx', ['ts-node', '--project', path.join(ROOT, 'examples', 'tsconfig.json'), RUNNER, JSON.stringify(jobs)], {
    cwd: ROOT,
    encoding: 'utf-8',
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', ...env },
  });
  if (run.status !== 0) throw new Error(`${what} failed (exit ${run.status}):\n${run.stderr}${run.stdout}`);
}

/** Runs the snippets in one ts-node process, and reads what each wrote. */
/**
 * The time the docs' snippets are synthesized at (`debug.until` is compared
 * with it), so a snippet's output does not change on the day its date passes.
 */
export const SNIPPETS_NOW = '2026-12-02T00:00:00Z';

export function runSnippets(snippets: Snippet[], given: Record<string, string> = {}): SnippetRun[] {
  const env = { CDK8S_DEBUGGABLE_NOW: SNIPPETS_NOW, ...given };
  const work = workDir();
  try {
    const src = path.relative(work, path.join(ROOT, 'src')).split(path.sep).join('/');
    const jobs = snippets.map(s => {
      const file = path.join(work, `${slug(s)}.ts`);
      writeFileSync(file, s.code.replace(/from 'cdk8s-debuggable'/g, `from '${src}'`));
      return { file, outdir: path.join(work, `${slug(s)}.out`), cwd: path.join(ROOT, 'examples', 'workloads') };
    });
    runJobs(jobs, env, `snippets ${snippets.map(where).join(', ')}`);
    return snippets.map((s, i) => ({ ...s, objects: readObjects(jobs[i].outdir) }));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Synthesizes examples/<name>/main.ts as `cdk8s synth` does (in its
 * directory, CDK8S_OUTDIR set), once per environment given, in one ts-node
 * process. Returns the parsed manifests of each run.
 */
export function synthExample(name: string, envs: Array<Record<string, string>>): any[][] {
  const work = workDir();
  try {
    const dir = path.join(ROOT, 'examples', name);
    const jobs = envs.map((env, i) => ({ file: path.join(dir, 'main.ts'), outdir: path.join(work, `${name}-${i}.out`), cwd: dir, env }));
    runJobs(jobs, {}, `examples/${name}/main.ts`);
    return jobs.map(j => readObjects(j.outdir));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Type-checks every snippet as a module of its own (strict, as examples/),
 * with 'cdk8s-debuggable' resolved to this checkout's src. Returns the
 * errors in the snippets (errors inside src are the unit tests' concern).
 */
export function typeCheckSnippets(snippets: Snippet[]): string[] {
  const work = workDir();
  try {
    const files = snippets.map(s => {
      const file = path.join(work, `${slug(s)}.ts`);
      // `export {}` makes a snippet without imports a module, so two snippets' names never clash.
      writeFileSync(file, `${s.code}\nexport {};\n`);
      return file;
    });
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      baseUrl: ROOT,
      paths: { 'cdk8s-debuggable': ['src/index.ts'] },
    });
    return snippets.flatMap((s, i) => {
      const source = program.getSourceFile(files[i])!;
      return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map(d => {
        const { line } = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: -1 };
        return `${s.file}:${s.line + 1 + line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
