import { readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';

/*
 * The source layout docs/design.md promises: data flows one way
 * (no import cycle among src files), Pod Security never imports the sidecar,
 * and every file stays small enough to hold one concept.
 */

const SRC = path.join(__dirname, '..', 'src');
// Files follow concepts (props may live next to their class); this only catches a file that holds several.
const MAX_LINES = 400;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : name.endsWith('.ts') ? [full] : [];
  });
}

/** Each src file's relative imports, resolved to files (type-only imports included: they are a dependency too). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf-8');
    const targets = [...text.matchAll(/(?:import|export)[^'"]*from '(\.{1,2}\/[^']+)'/g)]
      .map(m => path.resolve(path.dirname(file), `${m[1]}.ts`));
    graph.set(path.relative(SRC, file), targets.map(t => path.relative(SRC, t)));
  }
  return graph;
}

/** Every cycle, as the list of files around it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      found.push([...stack.slice(stack.indexOf(file)), file]);
      return;
    }
    state.set(file, 'visiting');
    stack.push(file);
    for (const next of graph.get(file) ?? []) visit(next);
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file);
  return found;
}

test('no import cycle among src files', () => {
  const graph = importGraph();
  expect(graph.size).toBeGreaterThan(15);
  expect(cycles(graph)).toEqual([]);
});

test('the cycle check finds a cycle when there is one', () => {
  const graph = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
  expect(cycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
});

test('Pod Security reads plain pod specs and never imports the sidecar', () => {
  const graph = importGraph();
  const offenders = [...graph].filter(([file]) => file.startsWith('pod-security/'))
    .flatMap(([file, targets]) => targets.filter(t => t.startsWith('sidecar/')).map(t => `${file} -> ${t}`));
  expect(offenders).toEqual([]);
});

/** Each src file's imports of packages, with whether each is type-only (erased at compile time). */
function packageImports(): Map<string, Array<{ readonly from: string; readonly typeOnly: boolean }>> {
  const imports = new Map<string, Array<{ from: string; typeOnly: boolean }>>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf-8');
    const statements = [...text.matchAll(/(?:^|\n)\s*(import|export)(\s+type\b)?[^'"]*?from\s+'([^'.][^']*)'/g)]
      .map(m => ({ from: m[3], typeOnly: m[1] === 'import' && m[2] !== undefined }));
    const calls = [...text.matchAll(/(?:require|import)\(\s*'([^'.][^']*)'\s*\)|(?:^|\n)\s*import\s+'([^'.][^']*)'/g)]
      .map(m => ({ from: m[1] ?? m[2], typeOnly: false }));
    imports.set(path.relative(SRC, file), [...statements, ...calls]);
  }
  return imports;
}

/** The src files outside pod-security/evaluator/ the evaluator may import: pure helpers, checked below to be pure too. */
const EVALUATOR_MAY_IMPORT = ['errors.ts'];

/** What keeps `files` from being a pure evaluator: imports of the construct tree, or of src files outside `evaluator/` but the allowed ones. */
function evaluatorOffenders(graph: Map<string, string[]>, packages: ReturnType<typeof packageImports>, files: string[]): string[] {
  const inEvaluator = (f: string) => f.startsWith('pod-security/evaluator/');
  return files.flatMap(file => [
    ...(graph.get(file) ?? []).filter(t => !inEvaluator(t) && !EVALUATOR_MAY_IMPORT.includes(t)).map(t => `${file} -> ${t}`),
    // The evaluator imports no package at all; an allowed helper may name a construct type, which is erased.
    ...(packages.get(file) ?? []).filter(p => inEvaluator(file) || !p.typeOnly).map(p => `${file} -> '${p.from}'`),
  ]);
}

test('the Pod Security evaluator is pure: neither cdk8s nor constructs, nor src files outside evaluator/ but errors.ts', () => {
  const graph = importGraph();
  const evaluator = [...graph.keys()].filter(f => f.startsWith('pod-security/evaluator/'));
  expect(evaluator).toEqual(expect.arrayContaining(['pod-security/evaluator/checks.ts', 'pod-security/evaluator/policy-version.ts']));
  expect(evaluatorOffenders(graph, packageImports(), [...evaluator, ...EVALUATOR_MAY_IMPORT])).toEqual([]);
});

test('the purity check finds a forbidden import when there is one', () => {
  const graph = new Map([
    ['pod-security/evaluator/a.ts', ['pod-security/evaluator/b.ts', 'errors.ts']],
    ['pod-security/evaluator/b.ts', ['kubernetes-version.ts']],
    ['errors.ts', []],
  ]);
  const packages = new Map([
    ['pod-security/evaluator/a.ts', [{ from: 'constructs', typeOnly: true }]],
    ['errors.ts', [{ from: 'constructs', typeOnly: true }, { from: 'cdk8s', typeOnly: false }]],
  ]);
  expect(evaluatorOffenders(graph, packages, [...graph.keys()])).toEqual([
    "pod-security/evaluator/a.ts -> 'constructs'",
    'pod-security/evaluator/b.ts -> kubernetes-version.ts',
    "errors.ts -> 'cdk8s'",
  ]);
});

test(`no src file is longer than ${MAX_LINES} lines`, () => {
  const long = sourceFiles(SRC)
    .map(file => ({ file: path.relative(SRC, file), lines: readFileSync(file, 'utf-8').split('\n').length }))
    .filter(f => f.lines > MAX_LINES);
  expect(long).toEqual([]);
});

test('src/index.ts only re-exports', () => {
  const lines = readFileSync(path.join(SRC, 'index.ts'), 'utf-8').split('\n').filter(l => l.trim() !== '');
  expect(lines.filter(l => !/^export \* from '\.\/[\w/-]+';$/.test(l))).toEqual([]);
});
