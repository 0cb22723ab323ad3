import * as path from 'path';
import * as fc from 'fast-check';
import { describeWithServer } from './jest-support';
import { ApiServer } from './server';
import { isLibraryError, outcomeOf, randomKind, randomOptions } from '../support/random-options';
import { allFullAppSnippets, runSnippets, where } from '../support/readme-snippets';

/*
 * What no schema can judge, the real API server does: every manifest the
 * library emits for random option objects (test/property.test.ts's
 * generator, same seed), and every full-app snippet of the README and the
 * guide pages (docs/*.md), passes
 * `kubectl create --dry-run=server --validate=strict`. Negative CPU, a
 * request above its limit or a privileged container without privilege
 * escalation would be refused here, not by the schema.
 */

const RUNS = 400;
const SEED = 20261128;

/** Dry-runs objects in one namespace; returns kubectl's stderr for each refused object (by index). */
function refused(server: ApiServer, namespace: string, objects: any[]): Array<{ index: number; kind: string; error: string }> {
  const out: Array<{ index: number; kind: string; error: string }> = [];
  objects.forEach((o, index) => {
    const object = o.kind === 'Namespace' ? o : { ...o, metadata: { ...o.metadata, namespace } };
    const run = server.kubectl(['create', '--dry-run=server', '--validate=strict', '-f', '-'], { input: JSON.stringify(object) });
    if (run.status !== 0) out.push({ index, kind: o.kind, error: run.stderr.trim() });
  });
  return out;
}

describeWithServer('generated configurations and doc snippets are accepted by kube-apiserver', server => {
  test(`${RUNS} random option objects: the library's error, or manifests the server accepts`, () => {
    server().createNamespace('generated');
    const objects: any[] = [];
    const strange: string[] = [];
    fc.assert(fc.property(randomKind, randomOptions, (kind, options) => {
      const outcome = outcomeOf(kind, options);
      if (outcome.kind === 'error') {
        if (!isLibraryError(outcome.message)) strange.push(outcome.message);
      } else {
        objects.push(...outcome.objects.filter(o => o.kind !== 'Service'));
      }
    }), { seed: SEED, numRuns: RUNS });

    expect(strange).toEqual([]);
    expect(objects.length).toBeGreaterThan(RUNS / 10);
    // Names repeat across runs; a dry run stores nothing, so each object is judged alone.
    expect(refused(server(), 'generated', objects)).toEqual([]);
  }, 600_000);

  test('the server refuses what the library refuses to emit (the check can fail)', () => {
    server().createNamespace('negative');
    const bad = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bad' },
      spec: { containers: [{ name: 'c', image: 'busybox:1.36', resources: { requests: { cpu: '-5m' } } }] },
    };
    expect(refused(server(), 'negative', [bad])).toEqual([expect.objectContaining({ error: expect.stringMatching(/must be greater than or equal to 0/) })]);
  });

  test('every full-app snippet of the README and the guide pages, debug on and off', () => {
    for (const debug of ['false', 'true']) {
      for (const run of runSnippets(allFullAppSnippets(), { CDK8S_DEBUG: debug })) {
        expect({ at: where(run), objects: run.objects.length > 0 }).toEqual({ at: where(run), objects: true });
        const namespaces = new Set(run.objects.map(o => o.metadata?.namespace).filter((n): n is string => n !== undefined));
        // A DNS label per snippet and toggle: doc-readme-42-true, doc-workloads-9-false.
        const ns = `doc-${path.basename(run.file, '.md').toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${run.line}-${debug}`;
        server().createNamespace(ns);
        for (const n of namespaces) if (!created.has(n)) { created.add(n); server().createNamespace(n); }
        // Objects with their own namespace keep it; the others go to this snippet's.
        const problems = run.objects.flatMap((o, i) => refused(server(), o.metadata?.namespace ?? ns, [o]).map(p => ({ ...p, index: i })));
        expect({ at: where(run), debug, problems }).toEqual({ at: where(run), debug, problems: [] });
      }
    }
  }, 300_000);
});

const created = new Set<string>();
