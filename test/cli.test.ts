import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { main } from '../src/cli/main';
import { KUBECTL_COPY_MIN_VERSION } from '../src/sidecar/copy';

/*
 * The command line (src/cli/main.ts): `cdk8s-debuggable kubectl-debug` runs
 * the app of examples/seed/cdk8s.yaml the way `cdk8s synth` does, in a child
 * process. In a file of its own: mutation testing leaves it out
 * (test/mutation/jest.config.js), as it leaves out src/cli/.
 */

describe('cdk8s-debuggable kubectl-debug: the command line after cdk8s synth', () => {
  const seed = path.join(__dirname, '..', 'examples', 'seed');

  test('runs the app of cdk8s.yaml, prints the kubectl command and writes the --custom file', () => {
    // GIVEN
    const dir = mkdtempSync(path.join(tmpdir(), 'kubectl-debug-'));
    const custom = path.join(dir, 'debug-custom.json');
    const out: string[] = [];
    const write = process.stdout.write;
    const cwd = process.cwd();
    process.chdir(seed);
    (process.stdout as any).write = (s: string) => out.push(s);
    try {
      // WHEN
      expect(main(['kubectl-debug', 'my-nginx', '--pod', 'seed-my-nginx-abc', '--custom-file', custom, '--json'])).toBe(0);
    } finally {
      (process.stdout as any).write = write;
      process.chdir(cwd);
    }

    // THEN
    const printed = JSON.parse(out.join(''));
    expect(printed.args).toEqual(expect.arrayContaining(['debug', 'seed-my-nginx-abc', '--target=nginx', '--profile=netadmin', `--custom=${custom}`]));
    expect(JSON.parse(readFileSync(custom, 'utf-8'))).toEqual(JSON.parse(printed.customJson));
    expect(JSON.parse(printed.customJson).securityContext.capabilities).toEqual({ add: ['NET_RAW'], drop: ['ALL'] });
  }, 60_000);

  test('fails with the workloads it knows when the name matches none', () => {
    const cwd = process.cwd();
    process.chdir(seed);
    try {
      expect(() => main(['kubectl-debug', 'nope', '--pod', 'p'])).toThrow(/no workload with a debug sidecar is named 'nope'\. Workloads with one: Deployment seed-my-nginx-/);
    } finally {
      process.chdir(cwd);
    }
  }, 60_000);
});

describe('cdk8s-debuggable kubectl-debug --copy-to', () => {
  test('prints the pipeline, and the kubectl it needs', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kubectl-debug-copy-'));
    const custom = path.join(dir, 'debug-custom.json');
    const out: string[] = [];
    const err: string[] = [];
    const [write, writeErr] = [process.stdout.write, process.stderr.write];
    const cwd = process.cwd();
    process.chdir(path.join(__dirname, '..', 'examples', 'seed'));
    (process.stdout as any).write = (s: string) => out.push(s);
    (process.stderr as any).write = (s: string) => err.push(s);
    try {
      expect(main(['kubectl-debug', 'my-nginx', '--pod', 'seed-my-nginx-abc', '--copy-to', 'seed-debug', '--sleep-app', '--custom-file', custom])).toBe(0);
      expect(() => main(['kubectl-debug', 'my-nginx', '--pod', 'p', '--sleep-app'])).toThrow(/'--sleep-app' needs --copy-to/);
    } finally {
      (process.stdout as any).write = write;
      (process.stderr as any).write = writeErr;
      process.chdir(cwd);
    }
    const [pipeline, label] = out.join('').split('\n');
    expect(pipeline).toMatch(/^kubectl get pod seed-my-nginx-abc --output=json \| kubectl patch --local --filename=- --type=strategic '--patch=\{"spec":\{"containers":\[\{"name":"nginx",.*\| kubectl debug -f - --copy-to=seed-debug --share-processes /);
    expect(label).toBe('kubectl label pod seed-debug --overwrite cdk8s-debuggable.dev/debug=true');
    expect(err.join('')).toContain("the copy 'seed-debug' will be Pod Security");
    expect(err.join('')).toContain(`needs kubectl ${KUBECTL_COPY_MIN_VERSION.name} or later`);
    expect(JSON.parse(readFileSync(custom, 'utf-8')).securityContext.capabilities).toEqual({ add: ['NET_RAW'], drop: ['ALL'] });
  }, 60_000);
});
