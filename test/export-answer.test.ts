import { mkdtempSync, readFileSync, rmSync, existsSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { Chart, Duration, Testing } from 'cdk8s';
import { DebugSidecar, DebugTool } from '../src';
import { plainDeployment, withEnv } from './support/manifests';
import { answerRequest, EXPORT_ENV_VAR } from '../src/sidecar/export';

/*
 * The library's side of `cdk8s-debuggable kubectl-debug`: the command runs the
 * app with a request in CDK8S_DEBUGGABLE_KUBECTL_DEBUG, and the app's process
 * writes the answer when it exits. Here the answer is asked for in-process,
 * after the app is complete (test/cli.test.ts runs the command itself).
 */

let work: string;
beforeAll(() => { work = mkdtempSync(path.join(tmpdir(), 'export-answer-')); });
afterAll(() => rmSync(work, { recursive: true, force: true }));

let requests = 0;
/** A request as the command writes it, to an answer file of its own. */
function requestFor(fields: Record<string, unknown>): { raw: string; out: string } {
  const out = path.join(work, `answer-${++requests}.json`);
  return { raw: JSON.stringify({ out, ...fields }), out };
}

/** An app read with the request `raw` set, with a chart per name and in it a Deployment with a sidecar per name. */
function appAsked(raw: string | undefined, charts: Record<string, string[]>): Record<string, DebugSidecar> {
  return withEnv({ [EXPORT_ENV_VAR]: raw }, () => {
    const app = Testing.app();
    const sidecars: Record<string, DebugSidecar> = {};
    for (const [chartId, names] of Object.entries(charts)) {
      const chart = new Chart(app, chartId);
      for (const name of names) sidecars[`${chartId}/${name}`] = DebugSidecar.attach(plainDeployment(chart, name, { containers: [{ name: 'app', image: 'nginx:1.27.3' }] }), { enabled: true, tools: [DebugTool.TCPDUMP] });
    }
    return sidecars;
  });
}

const answerIn = (out: string) => JSON.parse(readFileSync(out, 'utf-8'));
/** What the sidecar itself answers, as it reaches the file. */
const asWritten = (value: unknown) => JSON.parse(JSON.stringify(value));

test('without the variable, a sidecar records nothing and adds no exit hook', () => {
  // GIVEN
  const hooks = process.listenerCount('exit');
  appAsked(undefined, { shop: ['web'] });
  // THEN
  expect(process.listenerCount('exit')).toBe(hooks);
});

test('the answer is the command of the workload named, among several, written once; one exit hook per request', () => {
  // GIVEN an app whose second workload is asked for
  const { raw, out } = requestFor({ workload: 'api', pod: 'api-1' });
  const hooks = process.listenerCount('exit');
  const sidecars = appAsked(raw, { shop: ['web', 'api', 'db'] });
  expect(process.listenerCount('exit')).toBe(hooks + 1);
  // WHEN the request is answered
  answerRequest(raw);
  // THEN the file holds that sidecar's command for the Pod, with the workload's path
  expect(answerIn(out)).toEqual(asWritten({ workload: 'shop/api', ...sidecars['shop/api'].kubectlDebug({ pod: 'api-1' }) }));
  // AND it is answered once: asking again writes nothing
  rmSync(out);
  answerRequest(raw);
  expect(existsSync(out)).toBe(false);
});

test('a request never made is not answered', () => {
  const { raw, out } = requestFor({ workload: 'web', pod: 'web-1' });
  answerRequest(raw);
  expect(existsSync(out)).toBe(false);
});

test('the lifetime is read from its text, and the other options reach the sidecar', () => {
  const { raw, out } = requestFor({ workload: 'web', pod: 'web-1', ttl: '90s', name: 'dbg', namespace: 'shop' });
  const sidecars = appAsked(raw, { shop: ['web'] });
  answerRequest(raw);
  expect(answerIn(out)).toEqual(asWritten({
    workload: 'shop/web',
    ...sidecars['shop/web'].kubectlDebug({ pod: 'web-1', ttl: Duration.seconds(90), name: 'dbg', namespace: 'shop' }),
  }));
});

test.each([
  ['a name no workload has', { workload: 'nope', pod: 'p' }, { shop: ['web', 'api'] },
    "no workload with a debug sidecar is named 'nope'. Workloads with one: Deployment web (shop/web), Deployment api (shop/api)."],
  ['a name two workloads have', { workload: 'web', pod: 'p' }, { shop: ['web'], store: ['web'] },
    "'web' names 2 workloads (shop/web, store/web); give the construct path."],
  ['a lifetime that is not one', { workload: 'web', pod: 'p', ttl: 'soon' }, { shop: ['web'] },
    "'--ttl' is not a lifetime (got \"soon\"). Write a whole number of seconds, minutes or hours: '90s', '60m' or '2h'."],
  ['an option the sidecar refuses', { workload: 'web', pod: 'p', copyTo: 'p' }, { shop: ['web'] },
    "shop/web: 'copyTo' is the name of the Pod it copies (got \"p\"). Name the copy differently from the Pod, in lowercase letters, digits, dashes and dots, such as 'p-debug'."],
])('%s: the answer is an error to show, whole', (_what, fields, charts, error) => {
  const { raw, out } = requestFor(fields);
  appAsked(raw, charts);
  answerRequest(raw);
  expect(answerIn(out)).toEqual({ error });
});

test('a workload asked by its construct path, when two share its name', () => {
  const { raw, out } = requestFor({ workload: 'store/web', pod: 'p' });
  appAsked(raw, { shop: ['web'], store: ['web'] });
  answerRequest(raw);
  expect(answerIn(out).workload).toBe('store/web');
});
