import { spawnSync } from 'child_process';
import { existsSync, readdirSync, statSync } from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { acceptedNames, describeWithServer } from './jest-support';
import { ApiServer, serverAvailable } from './server';

/*
 * Every synthesized example manifest (examples/*\/dist, from `npm run synth:examples`)
 * passes `kubectl apply --dry-run=server --validate=strict`: the real API server's
 * decoding, defaulting, validation and admission, storing nothing.
 */

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap(name => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(name) ? [p] : [];
  });
}

function exampleManifests(): string[] {
  return readdirSync(EXAMPLES).filter(d => existsSync(path.join(EXAMPLES, d, 'cdk8s.yaml')))
    .flatMap(d => yamlFiles(path.join(EXAMPLES, d, 'dist')));
}

let manifests = exampleManifests();
if (serverAvailable().ok && manifests.length === 0) {
  // Not synthesized yet in this checkout: do what `npm run synth:examples` does.
  const run = spawnSync('bash', [path.join(EXAMPLES, 'synth-all.sh')], { encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.status !== 0) throw new Error(`examples/synth-all.sh failed (${run.status}): ${run.stderr}`);
  manifests = exampleManifests();
}

const rel = (p: string) => path.relative(ROOT, p);
const created = new Set<string>();

/** Creates (once per server) every namespace the objects live in, with the labels of a Namespace among them. */
function ensureNamespaces(server: ApiServer, objects: any[]): void {
  const labels = new Map<string, Record<string, string>>();
  for (const o of objects) {
    if (o.apiVersion === 'v1' && o.kind === 'Namespace') labels.set(o.metadata.name, o.metadata.labels ?? {});
    else if (o.metadata?.namespace) labels.set(o.metadata.namespace, labels.get(o.metadata.namespace) ?? {});
  }
  for (const [name, l] of labels) {
    if (created.has(name)) continue;
    created.add(name);
    server.createNamespace(name, l);
  }
}

describeWithServer('examples are accepted by kube-apiserver (server-side dry run, strict field validation)', server => {
  beforeAll(() => {
    // kube-apiserver creates `default` itself but, without a controller-manager, not its ServiceAccount.
    server().kubectlOk(['create', 'serviceaccount', 'default', '-n', 'default']);
    created.add('default');
  });

  test('there are example manifests', () => {
    expect(manifests.map(rel)).toEqual(expect.arrayContaining([expect.stringMatching(/^examples\/seed\/dist\/debug-on\//)]));
  });

  // (jest refuses an empty table; 'there are example manifests' above fails instead)
  test.each(manifests.length > 0 ? manifests.map(m => [rel(m), m]) : [['(none)', '']])('%s', (_name, file) => {
    // GIVEN
    const objects = Yaml.load(file).filter((o: any) => o);
    ensureNamespaces(server(), objects);

    // WHEN
    const r = server().kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', file]);

    // THEN
    const warnings = r.stderr.split('\n').filter(l => l.startsWith('Warning:'));
    if (warnings.length > 0) {
      // eslint-disable-next-line no-console
      console.log(`${rel(file)}: ${warnings.length} server warnings:\n${warnings.join('\n')}`);
    }
    expect({ status: r.status, errors: r.stderr.split('\n').filter(l => l.trim() && !l.startsWith('Warning:')) }).toEqual({ status: 0, errors: [] });
    expect(acceptedNames(r.stdout).sort()).toEqual(objects.map((o: any) => o.metadata.name).sort());
  });

  test('negative control: strict validation rejects an unknown field in an example Deployment', () => {
    // GIVEN
    const file = manifests.find(m => Yaml.load(m).some((o: any) => o?.kind === 'Deployment'))!;
    const deployment = Yaml.load(file).find((o: any) => o?.kind === 'Deployment');
    ensureNamespaces(server(), [deployment]);
    const broken = JSON.parse(JSON.stringify(deployment));
    broken.spec.template.spec.containers[0].notAField = true;

    // WHEN
    const good = server().kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], { input: JSON.stringify(deployment) });
    const bad = server().kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], { input: JSON.stringify(broken) });

    // THEN
    expect(good.status).toBe(0);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('unknown field "spec.template.spec.containers[0].notAField"');
  });
});
