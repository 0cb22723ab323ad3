import { readFileSync } from 'fs';
import * as path from 'path';
import { validateSchema } from './support/manifests';
import { fullAppSnippets, runSnippets } from './support/readme-snippets';

/*
 * Every README example that is a whole app runs as written and writes
 * manifests that pass the strict Kubernetes schema (1.33, the oldest
 * Kubernetes the README targets); rosetta compiles every snippet besides.
 */

const snippets = fullAppSnippets();

test('the README has full-app snippets, and the Usage one is examples/seed (played in podman with local images)', () => {
  expect(snippets.length).toBeGreaterThanOrEqual(4);
  const seed = readFileSync(path.join(__dirname, '..', 'examples', 'seed', 'main.ts'), 'utf-8').replace(/'\.\.\/\.\.\/src'/g, "'cdk8s-debuggable'");
  expect(seed.trim()).toEqual(snippets[0].code.trim());
});

test('every full-app snippet synthesizes, with debug off and on, into schema-valid manifests', () => {
  const sidecars: Record<string, number> = {};
  for (const debug of ['false', 'true']) {
    const runs = runSnippets(snippets, { CDK8S_DEBUG: debug });
    for (const run of runs) {
      expect({ line: run.line, objects: run.objects.length > 0 }).toEqual({ line: run.line, objects: true });
      expect({ line: run.line, problems: validateSchema(run.objects, '1.33') }).toEqual({ line: run.line, problems: [] });
    }
    sidecars[debug] = runs.flatMap(r => r.objects).filter(o => JSON.stringify(o).includes('"name":"debug"')).length;
  }
  // CDK8S_DEBUG reaches the snippets that leave the toggle to it.
  expect(sidecars.true).toBeGreaterThan(sidecars.false);
}, 120_000);
