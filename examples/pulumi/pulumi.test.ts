// Runs the Pulumi program (index.ts) once per stack, with the config of its
// Pulumi.<stack>.yaml, under Pulumi's unit-test mocks: no Pulumi CLI, no
// engine, no cluster. The mocks record what the program registers.
import * as fs from 'fs';
import * as path from 'path';
import type * as pulumiType from '@pulumi/pulumi';
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { parse } from 'yaml';
import { API_PROPS } from './chart';

const PROJECT: string = parse(fs.readFileSync(path.join(__dirname, 'Pulumi.yaml'), 'utf-8')).name;

/** The config Pulumi hands the program for a stack: every value a string, others JSON-encoded. */
function stackConfig(stack: string): Record<string, string> {
  const file = path.join(__dirname, `Pulumi.${stack}.yaml`);
  const config: Record<string, unknown> = parse(fs.readFileSync(file, 'utf-8')).config ?? {};
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

interface Registered { readonly type: string; readonly name: string; readonly inputs: any }

/**
 * Runs index.ts as `pulumi up` would on `stack`, with fresh modules each time
 * (the program is top-level code), and returns every resource it registered,
 * once all of them are registered.
 */
async function runProgram(stack: string, config: Record<string, string>, registered: Registered[] = []): Promise<Registered[]> {
  await jest.isolateModulesAsync(async () => {
    const pulumi: typeof pulumiType = require('@pulumi/pulumi');
    await pulumi.runtime.setMocks({
      newResource: args => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: args => { throw new Error(`the program invoked ${args.token}; it should need no provider call`); },
    }, PROJECT, stack, false);
    pulumi.runtime.setAllConfig(config);
    const program = require('./index');
    const resources: Record<string, pulumiType.Resource> = await settled(program.resources);
    await settled(pulumi.all(Object.values(resources).map(r => r.urn)));
  });
  return registered;
}

function settled<T>(output: pulumiType.Output<T>): Promise<T> {
  return new Promise(resolve => output.apply(resolve));
}

function only(registered: Registered[], type: string): any {
  const found = registered.filter(r => r.type === type);
  expect(found.map(r => r.name)).toHaveLength(1);
  return found[0].inputs;
}

function containerNamed(deployment: any, name: string): any {
  const container = deployment.spec.template.spec.containers.find((c: any) => c.name === name);
  expect(container).toBeDefined();
  return container;
}

/** What cdk8s synthesizes for the app without this library: a plain kplus.Deployment with the same props. */
function plainManifests(environment: string): any[] {
  const chart = new Chart(new App(), 'web', { namespace: `web-${environment}` }); // Testing.app() would leave a temp dir
  const api = new kplus.Deployment(chart, 'api', API_PROPS);
  api.exposeViaService({ name: 'api', ports: [{ port: 80, targetPort: 8080 }] });
  return Testing.synth(chart);
}

const plainOf = (manifests: any[], kind: string) => manifests.find(m => m.kind === kind);

describe('stack dev (Pulumi.dev.yaml: debug "true")', () => {
  let registered: Registered[];
  beforeAll(async () => {
    const config = stackConfig('dev');
    expect(config[`${PROJECT}:debug`]).toBe('true');
    registered = await runProgram('dev', config);
  });

  test('registers the Deployment with a debug sidecar whose capabilities are derived from tcpdump and dig', () => {
    const deployment = only(registered, 'kubernetes:apps/v1:Deployment');
    const debug = containerNamed(deployment, 'debug');
    expect(debug.securityContext.capabilities).toEqual({ add: ['NET_RAW'], drop: ['ALL'] });
    expect(debug.securityContext).toMatchObject({ runAsUser: 0, runAsNonRoot: false, privileged: false, allowPrivilegeEscalation: false });
  });

  test('the app container is the one a plain kplus.Deployment has', () => {
    const deployment = only(registered, 'kubernetes:apps/v1:Deployment');
    const plain = plainOf(plainManifests('dev'), 'Deployment');
    expect(JSON.stringify(containerNamed(deployment, 'api'))).toBe(JSON.stringify(containerNamed(plain, 'api')));
  });

  test('each object of the chart is its own typed Pulumi resource, named namespace/name', () => {
    const deploymentName = plainOf(plainManifests('dev'), 'Deployment').metadata.name;
    expect(registered.map(r => `${r.type} ${r.name}`).sort()).toEqual([
      `kubernetes:apps/v1:Deployment web-dev/${deploymentName}`,
      'kubernetes:core/v1:Service web-dev/api',
      'kubernetes:yaml:ConfigGroup web',
    ]);
  });
});

describe('stack prod (Pulumi.prod.yaml: debug "false", environment production)', () => {
  let registered: Registered[];
  beforeAll(async () => {
    const config = stackConfig('prod');
    expect(config[`${PROJECT}:debug`]).toBe('false');
    registered = await runProgram('prod', config);
  });

  test('registers exactly what a plain kplus.Deployment with the same props synthesizes, byte for byte', () => {
    const plain = plainManifests('production');
    expect(JSON.stringify(only(registered, 'kubernetes:apps/v1:Deployment'))).toBe(JSON.stringify(plainOf(plain, 'Deployment')));
    expect(JSON.stringify(only(registered, 'kubernetes:core/v1:Service'))).toBe(JSON.stringify(plainOf(plain, 'Service')));
  });

  test('fails, deploying nothing, when someone sets debug "true" in the prod stack', async () => {
    const config = { ...stackConfig('prod'), [`${PROJECT}:debug`]: 'true' };
    const registered: Registered[] = [];
    await expect(runProgram('prod', config, registered))
      .rejects.toThrow(/'debug.enabled' turns the debug sidecar on where the environment is production/);
    expect(registered).toEqual([]);
  });
});

describe('why yaml.ConfigGroup (v1) and not yaml.v2.ConfigGroup', () => {
  test('under mocks, a v2 ConfigGroup registers only itself: its objects are expanded by the provider, which mocks replace', async () => {
    const registered: Registered[] = [];
    await jest.isolateModulesAsync(async () => {
      const pulumi: typeof pulumiType = require('@pulumi/pulumi');
      const k8s = require('@pulumi/kubernetes');
      await pulumi.runtime.setMocks({
        newResource: args => { registered.push({ type: args.type, name: args.name, inputs: args.inputs }); return { id: args.name, state: {} }; },
        call: () => ({}),
      }, PROJECT, 'dev', false);
      const group = new k8s.yaml.v2.ConfigGroup('v2', { objs: plainManifests('dev') });
      await settled(group.urn);
    });
    expect(registered.map(r => r.type)).toEqual(['kubernetes:yaml/v2:ConfigGroup']);
  });
});

describe('one copy of cdk8s, cdk8s-plus-27 and constructs', () => {
  test.each(['cdk8s', 'cdk8s-plus-27', 'constructs'])('%s resolves to the repository root node_modules from the example and from the library', name => {
    const root = path.resolve(__dirname, '..', '..');
    const fromExample = require.resolve(name, { paths: [__dirname] });
    const fromLibrary = require.resolve(name, { paths: [path.join(root, 'src')] });
    expect(fromExample).toBe(fromLibrary);
    expect(path.relative(root, fromExample).split(path.sep).slice(0, 2)).toEqual(['node_modules', name]);
  });
});
