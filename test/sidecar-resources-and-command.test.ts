import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DebuggableDeployment, DebugOptions, SidecarForm } from '../src';
import { errorOf } from './support/errors';
import { containerNamed, everyManifestPassesTheSchema, only, podSpecOf, synth } from './support/manifests';
import { EXIT_WITH_APP_SCRIPT, KEEP_ALIVE_SCRIPT } from '../src/sidecar/keep-alive';

/*
 * The sidecar's requests and limits (every quantity checked, request never
 * above limit), the keep-alive a lifetime needs, and the OpenShift grant.
 */

const APP = { name: 'app', image: 'docker.io/nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };
const CPU_FIX = 'Use Cpu.millis(n) with a whole n of at least 1, or Cpu.units(x) with at most three decimals and x > 0.';
const SIZE_FIX = 'Use Size.mebibytes(n) with n > 0.';

function deployment(debug: DebugOptions, namespace?: string, more: Partial<kplus.DeploymentProps> = {}) {
  const chart = new Chart(Testing.app(), 'test', { namespace });
  const web = new DebuggableDeployment(chart, 'web', { containers: [APP], ...more, debug });
  return { chart, web };
}

/** The debug container's `resources` in the synthesized Deployment. */
function resourcesOf(resources: unknown): any {
  const { chart } = deployment({ enabled: true, resources: resources as any });
  return containerNamed(podSpecOf(only(synth(chart), 'Deployment')), 'debug').resources;
}

/** The whole message of the error that `resources` makes. */
function resourcesError(resources: unknown): string {
  return errorOf(() => deployment({ enabled: true, resources: resources as any }));
}

describe('debug.resources: what is emitted', () => {
  test('only a memory pair given: the CPU defaults stay, the memory is written in whole Mi', () => {
    // GIVEN memory only, WHEN synthesized, THEN cpu keeps 10m/500m and memory is as given
    expect(resourcesOf({ memory: { request: Size.mebibytes(64), limit: Size.mebibytes(128) } })).toEqual({
      requests: { cpu: '10m', memory: '64Mi' },
      limits: { cpu: '500m', memory: '128Mi' },
    });
  });

  test('only a CPU pair given: the memory defaults stay', () => {
    expect(resourcesOf({ cpu: { request: kplus.Cpu.millis(1), limit: kplus.Cpu.units(0.25) } })).toEqual({
      requests: { cpu: '1m', memory: '32Mi' },
      limits: { cpu: '0.25', memory: '256Mi' },
    });
  });

  test('whole cores, with and without decimals, are accepted as written', () => {
    expect(resourcesOf({ cpu: { request: kplus.Cpu.units(2), limit: kplus.Cpu.units(10) } }).limits.cpu).toBe('10');
    expect(resourcesOf({ cpu: { request: kplus.Cpu.units(0.001), limit: kplus.Cpu.units(2) } }).requests.cpu).toBe('0.001');
  });

  test('a millicore count with a leading zero (a Cpu from JavaScript) is read as a whole number', () => {
    expect(resourcesOf({ cpu: { request: { amount: '05m' } } }).requests.cpu).toBe('05m');
  });

  test('a size that is not whole MiB is rounded up to Ki', () => {
    expect(resourcesOf({ memory: { request: Size.mebibytes(1.0001), limit: Size.kibibytes(1536) } })).toEqual({
      requests: { cpu: '10m', memory: '1025Ki' },
      limits: { cpu: '500m', memory: '1536Ki' },
    });
  });

  test('ephemeral storage is emitted only as given: a request alone, a limit alone, or both', () => {
    expect(resourcesOf({ ephemeralStorage: { request: Size.mebibytes(100) } })).toEqual({
      requests: { 'cpu': '10m', 'memory': '32Mi', 'ephemeral-storage': '100Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });
    expect(resourcesOf({ ephemeralStorage: { limit: Size.gibibytes(1) } })).toEqual({
      requests: { cpu: '10m', memory: '32Mi' },
      limits: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '1024Mi' },
    });
  });

  test('a request equal to its limit is accepted', () => {
    expect(resourcesOf({
      cpu: { request: kplus.Cpu.millis(200), limit: kplus.Cpu.millis(200) },
      memory: { request: Size.mebibytes(64), limit: Size.mebibytes(64) },
    })).toEqual({ requests: { cpu: '200m', memory: '64Mi' }, limits: { cpu: '200m', memory: '64Mi' } });
  });

  test('request and limit in different units are compared by size: 1Mi under 1536Ki, 0.5 cores under 600m', () => {
    expect(resourcesOf({
      cpu: { request: kplus.Cpu.units(0.5), limit: kplus.Cpu.millis(600) },
      memory: { request: Size.mebibytes(1), limit: Size.kibibytes(1536) },
    })).toEqual({ requests: { cpu: '0.5', memory: '1Mi' }, limits: { cpu: '600m', memory: '1536Ki' } });
  });
});

describe('debug.resources: what is refused, with the whole message', () => {
  test('resources that are not an object', () => {
    expect(resourcesError('big')).toBe(
      "'debug.resources' is not an object (got \"big\"). Pass an object such as { cpu: { limit: Cpu.millis(200) } }.");
  });

  test.each(['cpu', 'memory', 'ephemeralStorage'])('a %s pair that is not an object', key => {
    expect(resourcesError({ [key]: 5 })).toBe(
      `'debug.resources.${key}' is not an object (got 5). Pass an object with request and/or limit.`);
  });

  test('an unknown key of a pair names the pair', () => {
    expect(resourcesError({ memory: { limits: '1Gi' } })).toBe(
      "'debug.resources.memory.limits' is not a key of 'debug.resources.memory', so it would be ignored (got \"1Gi\"). Did you mean 'limit'? The keys are request, limit.");
  });

  test.each([
    ['request', null, 'null'],
    ['limit', '500m', '"500m"'],
  ])('a CPU %s that is not a Cpu (%p)', (which, value, shown) => {
    expect(resourcesError({ cpu: { [which]: value } })).toBe(`'debug.resources.cpu.${which}' is not a Cpu (got ${shown}). ${CPU_FIX}`);
  });

  test.each([
    ['a sign before millicores', { amount: '+5m' }, '"+5m"'],
    ['a sign before cores', { amount: '+2' }, '"+2"'],
    ['an exponent', kplus.Cpu.units(1e21), '"1e+21"'],
    ['four decimals', kplus.Cpu.units(0.0005), '"0.0005"'],
    ['zero millicores', kplus.Cpu.millis(0), '"0m"'],
  ])('a CPU quantity with %s', (_what, cpu, shown) => {
    expect(resourcesError({ cpu: { request: cpu } }))
      .toBe(`'debug.resources.cpu.request' is not a positive CPU quantity of at least 1m (got ${shown}). ${CPU_FIX}`);
  });

  test.each([
    ['memory', 'request', null, 'is not a Size (got null)'],
    ['memory', 'limit', 64, 'is not a Size (got 64)'],
    ['memory', 'request', Size.mebibytes(0), 'must be a positive size (got 0)'],
    ['memory', 'limit', Size.mebibytes(NaN), 'must be a positive size (got NaN)'],
    ['ephemeralStorage', 'request', Size.mebibytes(0), 'must be a positive size (got 0)'],
    ['ephemeralStorage', 'limit', 'lots', 'is not a Size (got "lots")'],
  ])('a %s %s that is not a positive Size (%p)', (key, which, value, problem) => {
    expect(resourcesError({ [key]: { [which]: value } })).toBe(`'debug.resources.${key}.${which}' ${problem}. ${SIZE_FIX}`);
  });

  test('a size from 2^53 KiB (8 EiB) on is refused: it would print in exponent form ("1e+21Mi"), no quantity', () => {
    // GIVEN the largest size that still prints as digits, and the first that would not
    const largest = 2 ** 43 - 1;
    // THEN the first is emitted as written, the others are refused with the field and the value
    expect(resourcesOf({ memory: { request: Size.mebibytes(1), limit: Size.mebibytes(largest) } }).limits.memory).toBe(`${largest}Mi`);
    // AND the largest in KiB, 2^53 - 1, still prints as digits
    expect(resourcesOf({ memory: { request: Size.mebibytes(1), limit: Size.kibibytes(2 ** 53 - 1) } }).limits.memory).toBe('9007199254740991Ki');
    for (const [mib, shown] of [[2 ** 43, '8796093022208'], [1e21, '1e+21'], [Infinity, 'Infinity']] as const) {
      expect(resourcesError({ memory: { limit: Size.mebibytes(mib) } }))
        .toBe(`'debug.resources.memory.limit' is too large for a Kubernetes quantity (got ${shown}). Use a size below 8 EiB.`);
    }
  });

  test.each([
    ['cpu', { request: kplus.Cpu.units(1), limit: kplus.Cpu.millis(500) }, '{"request":"1","limit":"500m"}'],
    ['memory', { request: Size.mebibytes(2), limit: Size.kibibytes(1536) }, '{"request":"2Mi","limit":"1536Ki"}'],
    ['memory', { request: Size.mebibytes(512) }, '{"request":"512Mi","limit":"256Mi"}'],
    ['ephemeral-storage', { request: Size.mebibytes(101), limit: Size.mebibytes(100) }, '{"request":"101Mi","limit":"100Mi"}'],
  ])('a %s request above its limit', (key, pair, shown) => {
    const field = key === 'ephemeral-storage' ? 'ephemeralStorage' : key;
    expect(resourcesError({ [field]: pair })).toBe(
      `'debug.resources.${key}' has a request above its limit, which the API server rejects (got ${shown}). Raise the limit or lower the request.`);
  });
});

describe("an ephemeral container's lifetime needs the library's own keep-alive", () => {
  const TTL_REFUSED = "test/web/Resource: 'ttl' needs the library's keep-alive command, and 'debug.command' replaces it (got \"1 minute\"). " +
    "Remove 'debug.command' to get a lifetime, or end your command yourself.";
  const lifetimeCommand = (debug: DebugOptions) =>
    deployment(debug).web.debug.ephemeralContainer({ ttl: Duration.minutes(1) }).command;

  test('the keep-alive, given explicitly as the command, still gets the lifetime', () => {
    expect(lifetimeCommand({ command: ['/bin/sh', '-c', KEEP_ALIVE_SCRIPT] }))
      .toEqual(['/bin/sh', '-c', "trap 'exit 0' TERM INT; sleep 60 & wait $!"]);
  });

  test('the keep-alive that exits with the app gets the lifetime too', () => {
    expect(lifetimeCommand({ form: SidecarForm.EXIT_WITH_APP }))
      .toEqual(['/bin/sh', '-c', "trap 'exit 0' TERM INT; sleep 60 & wait $!"]);
    expect(lifetimeCommand({ command: ['/bin/sh', '-c', EXIT_WITH_APP_SCRIPT] }))
      .toEqual(['/bin/sh', '-c', "trap 'exit 0' TERM INT; sleep 60 & wait $!"]);
  });

  test.each([
    ['another shell', ['/bin/bash', '-c', KEEP_ALIVE_SCRIPT]],
    ['another flag', ['/bin/sh', '-e', KEEP_ALIVE_SCRIPT]],
    ['another script', ['/bin/sh', '-c', 'sleep 3600']],
    ['an extra argument', ['/bin/sh', '-c', KEEP_ALIVE_SCRIPT, 'x']],
    ['an extra argument after the exit-with-app script', ['/bin/sh', '-c', EXIT_WITH_APP_SCRIPT, 'x']],
  ])('a command of the user\'s with %s is refused', (_what, command) => {
    expect(errorOf(() => lifetimeCommand({ command }))).toBe(TTL_REFUSED);
  });
});

describe('OpenShift: the SCC grant', () => {
  test('an SCC name that is not one is refused with the whole message', () => {
    expect(errorOf(() => deployment({ enabled: true, openShiftScc: 'Privileged SCC' }, 'shop'))).toBe(
      "test/web/Resource: 'debug.openShiftScc' is not an SCC name (got \"Privileged SCC\"). " +
      "Use the name of a SecurityContextConstraints object, for example 'privileged'.");
  });

  test("the workload's own namespace is enough when the chart has none", () => {
    // GIVEN a chart without a namespace and a workload in 'shop'
    const { chart } = deployment({ enabled: true, openShiftScc: 'anyuid' }, undefined, { metadata: { namespace: 'shop' } });
    const out = synth(chart);
    // THEN the grant goes to the workload's namespace
    const sa = only(out, 'ServiceAccount');
    expect(sa.metadata.namespace).toBe('shop');
    expect(only(out, 'RoleBinding').metadata).toEqual({ name: `${sa.metadata.name}-scc-anyuid`, namespace: 'shop' });
  });

  test("the workload's namespace wins over the chart's", () => {
    const { chart } = deployment({ enabled: true, openShiftScc: 'anyuid' }, 'other', { metadata: { namespace: 'shop' } });
    expect(only(synth(chart), 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: expect.stringMatching(/-debug$/), namespace: 'shop' }]);
  });

  test('a Pod on the default account is switched to a dedicated account named after the workload, with no token mounted', () => {
    const { chart } = deployment({ enabled: true, openShiftScc: 'anyuid' }, 'shop');
    const out = synth(chart);
    const deploymentName = only(out, 'Deployment').metadata.name;
    expect(only(out, 'ServiceAccount')).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: `${deploymentName}-debug`, namespace: 'shop' },
      automountServiceAccountToken: false,
    });
    expect(only(out, 'RoleBinding')).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: `${deploymentName}-debug-scc-anyuid`, namespace: 'shop' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:openshift:scc:anyuid' },
      subjects: [{ kind: 'ServiceAccount', name: `${deploymentName}-debug`, namespace: 'shop' }],
    });
    expect(podSpecOf(only(out, 'Deployment')).serviceAccountName).toBe(`${deploymentName}-debug`);
  });

  test('a Pod with its own account gets only the RoleBinding, and no ServiceAccount is emitted', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const account = new kplus.ServiceAccount(chart, 'sa', { metadata: { name: 'api' } });
    new DebuggableDeployment(chart, 'web', { containers: [APP], serviceAccount: account, debug: { enabled: true, openShiftScc: 'anyuid' } });
    const out = synth(chart);
    expect(out.filter(o => o.kind === 'ServiceAccount').map(o => o.metadata)).toEqual([{ name: 'api', namespace: 'shop' }]);
    expect(only(out, 'RoleBinding').metadata).toEqual({ name: 'api-scc-anyuid', namespace: 'shop' });
  });
});

everyManifestPassesTheSchema();
