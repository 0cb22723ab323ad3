import { readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import { ApiObject, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DebuggableDeployment, DebugSidecar, DebugTool } from '../src';
import { withEnv } from './support/manifests';
import { EPHEMERAL_NAME_SUFFIX, KUBECTL_CUSTOM_MIN_VERSION } from '../src/sidecar/ephemeral';

/*
 * Facts the docs state about the code, checked against the code, so that the
 * README, the guide pages, the TSDoc (API.md) and the code cannot drift apart.
 */

const ROOT = path.join(__dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf-8');

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap(name => {
    const rel = path.join(dir, name);
    return statSync(path.join(ROOT, rel)).isDirectory() ? filesUnder(rel, ext) : rel.endsWith(ext) ? [rel] : [];
  });
}

/** What users read: the README, the guide pages, API.md and the TSDoc it is made from. */
const DOCS = ['README.md', 'API.md', ...filesUnder('docs', '.md'), ...filesUnder('src', '.ts')];
const SOURCES = filesUnder('src', '.ts');

const APP = { name: 'app', image: 'docker.io/nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };

describe('the oldest kubectl for --custom', () => {
  test('every "kubectl 1.NN or later" the docs write next to kubectl debug is the one the code reports', () => {
    // Whitespace and comment stars are folded, so a sentence broken over two lines of TSDoc is still read.
    const said = DOCS.flatMap(file => {
      const text = read(file).replace(/\n\s*(\*|\/\/)?\s*/g, ' ');
      return [...text.matchAll(/kubectl v?1\.(\d+)(?:\+| or later| or newer)/g)]
        .filter(m => /--custom|kubectl debug|kubectlDebug|kubectl-debug/.test(text.slice(Math.max(0, m.index! - 200), m.index! + 200)))
        .map(m => ({ file, version: `1.${m[1]}` }));
    });
    expect(said.length).toBeGreaterThan(0);
    expect(said.filter(s => s.version !== KUBECTL_CUSTOM_MIN_VERSION.name)).toEqual([]);
  });

  test('kubectlDebug() reports it with every command', () => {
    const chart = Testing.chart();
    const web = new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { tools: [DebugTool.TCPDUMP] } });
    expect(web.debug.kubectlDebug({ pod: 'web-1' }).minKubectlVersion).toBe(KUBECTL_CUSTOM_MIN_VERSION.name);
  });
});

describe("the ephemeral container's default name", () => {
  function defaultName(enabled: boolean): string {
    const web = new DebuggableDeployment(Testing.chart(), 'web', { containers: [APP], debug: { enabled, tools: [DebugTool.TCPDUMP] } });
    return web.debug.ephemeralContainer().name;
  }

  test('is the sidecar\'s name with debug off, and the documented suffix with debug on (the sidecar has the name)', () => {
    expect(defaultName(false)).toBe('debug');
    expect(defaultName(true)).toBe(`debug${EPHEMERAL_NAME_SUFFIX}`);
  });

  test('the TSDoc (so API.md) and the guide pages name both', () => {
    for (const file of ['src/sidecar/ephemeral-options.ts', 'API.md']) {
      expect({ file, says: read(file).includes(`debug${EPHEMERAL_NAME_SUFFIX}`) }).toEqual({ file, says: true });
    }
    const guides = [...filesUnder('docs', '.md'), 'README.md'].filter(f => read(f).includes(`debug${EPHEMERAL_NAME_SUFFIX}`));
    expect(guides.length).toBeGreaterThan(0);
  });
});

describe('where things happen, as docs/design.md says', () => {
  test('every error is made by src/errors.ts: no other file in src/ throws', () => {
    const throwing = SOURCES.filter(f => f !== path.join('src', 'errors.ts') && /\bthrow\b|new Error\(/.test(read(f).replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')));
    expect(throwing).toEqual([]);
  });

  test('environment variables are read only through src/environment.ts', () => {
    const reading = SOURCES.filter(f => f !== path.join('src', 'environment.ts') && /process\.env\s*[.[]/.test(read(f)));
    expect(reading).toEqual([]);
  });

  test('DebugOptions is read by resolve.ts only; the files that name it pass it through', () => {
    const naming = SOURCES.filter(f => /\bDebugOptions\b/.test(read(f).replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')));
    expect(naming.sort()).toEqual([
      'src/debuggable-deployment.ts', // props.debug, handed to DebugSidecar.attach
      'src/sidecar/debug-options.ts', // the definition
      'src/sidecar/debug-sidecar.ts', // the attach options extend it; handed to resolveDebug
      'src/sidecar/resolve.ts', // the reader
    ].map(f => path.join(...f.split('/'))));
  });

  test('each environment variable is read once per app: a change after the app\'s first read is not seen by that app, and is by the next', () => {
    const sidecars = withEnv({ CDK8S_DEBUG: 'true' }, () => {
      const chart = Testing.chart();
      const first = new DebuggableDeployment(chart, 'first', { containers: [APP] });
      return withEnv({ CDK8S_DEBUG: 'false' }, () => [first, new DebuggableDeployment(chart, 'second', { containers: [APP] }),
        new DebuggableDeployment(Testing.chart(), 'other-app', { containers: [APP] })]);
    });
    expect(sidecars.map(s => s.debug.enabled)).toEqual([true, true, false]);
  });
});

describe('state that outlives a call', () => {
  test('every module-level Map, Set, WeakMap, WeakSet, empty object or array, or `let` in src/ is listed, with its file, in docs/design.md', () => {
    const design = read('docs/design.md');
    const state = SOURCES.flatMap(file => [...read(file).matchAll(/^(?:const|let) ([A-Za-z_]+)\b[^=\n]*=\s*(?:new (?:WeakMap|Map|Set|WeakSet)\b|[^;\n]*;$)/gm)]
      .filter(m => m[0].startsWith('let') || /new (WeakMap|Map|Set|WeakSet)|=\s*(\{\}|\[\]);$/.test(m[0]))
      .map(m => ({ name: m[1], file: path.relative('src', file).split(path.sep).join('/') })));
    expect(state.length).toBeGreaterThan(5);
    const unlisted = state.filter(({ name, file }) => !design.split('\n').some(line => line.includes(`\`${name}\``) && line.includes(`\`${file}\``)));
    expect(unlisted).toEqual([]);
  });
});

describe('the names of a workload', () => {
  test('attachAll takes every name the command line takes: metadata.name, and the construct id or path', () => {
    const chart = Testing.chart();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const names = [web.name, 'web', web.node.path, ApiObject.of(web).node.path];
    const attached = names.map(name => {
      const c = Testing.chart();
      new kplus.Deployment(c, 'web', { containers: [APP] });
      return DebugSidecar.attachAll(c, { names: [name.replace(chart.node.id, c.node.id)] }).length;
    });
    expect(attached).toEqual([1, 1, 1, 1]);
  });

  test('one function names workloads for attachAll and for the command line', () => {
    for (const file of ['src/sidecar/attach-filter.ts', 'src/sidecar/export.ts']) {
      expect({ file, uses: /workloadNames\(/.test(read(file)) }).toEqual({ file, uses: true });
    }
  });
});
