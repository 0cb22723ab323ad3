import { readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';

/*
 * The source layout the README's Design section promises: data flows one way
 * (no import cycle among src files), Pod Security never imports the sidecar,
 * and every file stays small enough to hold one concept.
 */

const SRC = path.join(__dirname, '..', 'src');
const MAX_LINES = 250;

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
