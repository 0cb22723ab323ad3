import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { validateSchema } from './support/manifests';
import { allFullAppSnippets, docPages, runSnippets, tsSnippets, typeCheckSnippets, where } from './support/readme-snippets';

/*
 * The README is what a newcomer reads in five minutes, and every example in
 * it and in the guide pages (docs/*.md) is real: each whole-app snippet runs
 * as written and writes manifests that pass the strict Kubernetes schema
 * (1.33, the oldest Kubernetes the docs target), every snippet compiles, and
 * every link to a file or heading of the repository resolves. rosetta
 * compiles the README's snippets too, for the jsii packages.
 */

const ROOT = path.join(__dirname, '..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
const snippets = allFullAppSnippets();

describe('the README stays short', () => {
  test('at most 250 lines', () => {
    const lines = README.split('\n').length - (README.endsWith('\n') ? 1 : 0); // as wc -l counts
    expect(lines).toBeLessThanOrEqual(250);
  });

  test('the two set-up commands come before any other code', () => {
    const firstBlock = README.slice(README.indexOf('```'), README.indexOf('```', README.indexOf('```') + 3));
    expect(firstBlock).toContain('npm ci && npm run synth:examples');
    expect(firstBlock).toContain('npm ci && npm test');
  });

  test('its first TypeScript snippet is a whole app of at most 20 lines, and it is examples/seed/main.ts', () => {
    const first = tsSnippets('README.md')[0];
    expect(first.code.split('\n').length).toBeLessThanOrEqual(20);
    expect(where(snippets[0])).toEqual(where(first));
    const seed = readFileSync(path.join(ROOT, 'examples', 'seed', 'main.ts'), 'utf-8').replace(/'\.\.\/\.\.\/src'/g, "'cdk8s-debuggable'");
    expect(seed.trim()).toEqual(first.code.trim());
  });
});

test('the README and every guide page have full-app snippets', () => {
  expect(docPages()).toEqual(expect.arrayContaining(['README.md', 'docs/workloads.md', 'docs/environments.md']));
  expect(snippets.filter(s => s.file === 'README.md').length).toBeGreaterThanOrEqual(1);
  expect(snippets.filter(s => s.file !== 'README.md').length).toBeGreaterThanOrEqual(4);
});

test('every full-app snippet synthesizes, with debug off and on, into schema-valid manifests', () => {
  const sidecars: Record<string, number> = {};
  for (const debug of ['false', 'true']) {
    const runs = runSnippets(snippets, { CDK8S_DEBUG: debug });
    for (const run of runs) {
      expect({ at: where(run), objects: run.objects.length > 0 }).toEqual({ at: where(run), objects: true });
      expect({ at: where(run), problems: validateSchema(run.objects, '1.33') }).toEqual({ at: where(run), problems: [] });
    }
    sidecars[debug] = runs.flatMap(r => r.objects).filter(o => JSON.stringify(o).includes('"name":"debug"')).length;
  }
  // CDK8S_DEBUG reaches the snippets that leave the toggle to it.
  expect(sidecars.true).toBeGreaterThan(sidecars.false);
}, 240_000);

test('every TypeScript snippet of the README and the guide pages that brings its imports compiles (strict)', () => {
  // A snippet without imports is a fragment of the text around it (docs/image-recipe.md has one); rosetta would need a fixture for it.
  const whole = docPages().flatMap(page => tsSnippets(page)).filter(s => /^import /m.test(s.code));
  expect(whole.length).toBeGreaterThan(snippets.length);
  expect(typeCheckSnippets(whole)).toEqual([]);
}, 240_000);

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

test('every link to a file or a heading of the repository resolves', () => {
  const broken: string[] = [];
  for (const page of docPages()) {
    const text = readFileSync(path.join(ROOT, page), 'utf-8');
    // Code blocks are not markdown: a `](` in them is code.
    const prose = text.replace(/^```[\s\S]*?^```/gm, '');
    for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [file, anchor] = target.split('#');
      const resolved = file === '' ? path.join(ROOT, page) : path.resolve(path.dirname(path.join(ROOT, page)), file);
      if (!existsSync(resolved)) {
        broken.push(`${page}: ${target} (no such file)`);
      } else if (anchor !== undefined && resolved.endsWith('.md')) {
        const headings = readFileSync(resolved, 'utf-8').replace(/^```[\s\S]*?^```/gm, '')
          .split('\n').filter(l => /^#+ /.test(l)).map(l => anchorOf(l.replace(/^#+ /, '')));
        if (!headings.includes(anchor)) broken.push(`${page}: ${target} (no such heading)`);
      }
    }
  }
  expect(broken).toEqual([]);
});
