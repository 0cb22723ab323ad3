import { Chart, Duration, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { DebuggableDeployment, DebugOptions, DebugSidecar, DebugToggle, DebugToggleSource, DebugTool, DebugWarnings } from '../src';
import { durationOfText } from '../src/expiry';
import { errorOf } from './support/errors';
import { containerNamed, only, podSpecOf, withEnv } from './support/manifests';

/*
 * The toggle (prop, context, CDK8S_DEBUG, production guard), the warnings
 * channel, environment variables read once per app, and the dates and
 * lifetimes of expiry: each behaviour a user can see, with whole messages.
 */

const APP = { name: 'app', image: 'nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };
const GUARD_FIX = "Set 'debug.allowInProduction: true' to do it deliberately, or switch debug off for this environment.";
const NOW_FIX = "Write it as '2026-12-31T09:00:00Z' (ISO 8601, with a zone), or remove it to use the clock.";
const LIFETIME_FIX = "Write a whole number of seconds, minutes or hours: '90s', '60m' or '2h'.";

/** A fresh app (so environment variables are read afresh), a chart with the given context, and one DebuggableDeployment 'web'. */
function web(debug: DebugOptions, context: Record<string, unknown> = {}) {
  const app = Testing.app();
  const chart = new Chart(app, 'test');
  for (const [k, v] of Object.entries(context)) chart.node.setContext(k, v);
  const dep = new DebuggableDeployment(chart, 'web', { containers: [APP], debug });
  return { app, chart, dep };
}

/** Whether the synthesized Deployment of `chart` has the debug container. */
function hasSidecar(chart: Chart): boolean {
  return containerNamed(podSpecOf(only(Testing.synth(chart), 'Deployment')), 'debug') !== undefined;
}

describe('DebugToggle: what decides the sidecar', () => {
  test('with nothing set (no context, no variable) debug is off by default, and the manifest has no sidecar', () => {
    // GIVEN no CDK8S_DEBUG and no context
    const { chart, dep } = withEnv({ CDK8S_DEBUG: undefined }, () => web({}));
    // THEN
    expect([dep.debug.enabled, dep.debug.enabledBy]).toEqual([false, DebugToggleSource.DEFAULT]);
    expect(hasSidecar(chart)).toBe(false);
  });

  test('a context of null reads as not set, and CDK8S_DEBUG decides', () => {
    const { dep } = withEnv({ CDK8S_DEBUG: 'yes' }, () => web({}, { [DebugToggle.ENABLED_CONTEXT_KEY]: null }));
    expect([dep.debug.enabled, dep.debug.enabledBy]).toEqual([true, DebugToggleSource.ENVIRONMENT_VARIABLE]);
  });

  test('a boolean context decides, both ways', () => {
    expect(web({}, { [DebugToggle.ENABLED_CONTEXT_KEY]: true }).dep.debug.enabledBy).toBe(DebugToggleSource.CONTEXT);
    const off = web({}, { [DebugToggle.ENABLED_CONTEXT_KEY]: false });
    expect([off.dep.debug.enabled, off.dep.debug.enabledBy]).toEqual([false, DebugToggleSource.CONTEXT]);
  });

  test('when the context decides, CDK8S_DEBUG is not read: a bad value there is no error', () => {
    // GIVEN a context that switches debug on, and a variable that is not a boolean
    const { chart, dep } = withEnv({ CDK8S_DEBUG: 'maybe' }, () => web({}, { [DebugToggle.ENABLED_CONTEXT_KEY]: true }));
    // THEN the context decides and nothing fails
    expect([dep.debug.enabled, dep.debug.enabledBy]).toEqual([true, DebugToggleSource.CONTEXT]);
    expect(hasSidecar(chart)).toBe(true);
  });

  test('a context value that is not a boolean is an error naming the context key and listing the words', () => {
    expect(errorOf(() => web({}, { [DebugToggle.ENABLED_CONTEXT_KEY]: 'maybe' })))
      .toBe("'context cdk8s-debuggable/enabled' is not a boolean (got \"maybe\"). Use one of true, 1, yes, on, false, 0, no, off.");
  });

  test('a CDK8S_DEBUG value that is not a boolean is an error naming the variable and listing the words', () => {
    expect(errorOf(() => withEnv({ CDK8S_DEBUG: 'enable' }, () => web({}))))
      .toBe("'environment variable CDK8S_DEBUG' is not a boolean (got \"enable\"). Use one of true, 1, yes, on, false, 0, no, off.");
  });

  test('allowInProduction given as a string is an error naming the field', () => {
    expect(errorOf(() => web({ enabled: true, allowInProduction: 'true' as any })))
      .toBe("'debug.allowInProduction' is not a boolean (got \"true\"). Write true or false without quotes.");
  });
});

describe('DebugToggle.setEnabled and setEnvironment', () => {
  test('setEnabled(undefined) is an error, and sets nothing', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'test');
    expect(errorOf(() => DebugToggle.setEnabled(chart, undefined as any)))
      .toBe("'enabled' is not a boolean (got undefined). Write true or false.");
    expect(chart.node.tryGetContext(DebugToggle.ENABLED_CONTEXT_KEY)).toBeUndefined();
  });

  test('setEnvironment declares the environment of a subtree: production there arms the guard', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'test');
    DebugToggle.setEnvironment(chart, 'production');
    expect(errorOf(() => new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true } })))
      .toBe("test/web/Resource: 'debug.enabled' turns the debug sidecar on where the environment is production "
        + "(context cdk8s-debuggable/environment = 'production'; enabled by the 'enabled' prop) (got true). " + GUARD_FIX);
  });

  test('setEnvironment with a name such as staging is accepted and does not guard', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'test');
    DebugToggle.setEnvironment(chart, 'staging');
    const dep = new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true } });
    expect(dep.debug.enabled).toBe(true);
    expect(hasSidecar(chart)).toBe(true);
  });

  test.each([
    ['', '""'],
    ['   ', '"   "'],
    [42, '42'],
    [undefined, 'undefined'],
  ])('setEnvironment(%p) is an error with the value shown', (environment, shown) => {
    const chart = new Chart(Testing.app(), 'test');
    expect(errorOf(() => DebugToggle.setEnvironment(chart, environment as any)))
      .toBe(`'environment' is not an environment name (got ${shown}). Pass a name such as 'dev', 'staging' or 'production'.`);
  });

  test('setEnvironment after children exist says when to call it', () => {
    const chart = new Chart(Testing.app(), 'test');
    new Construct(chart, 'child');
    expect(errorOf(() => DebugToggle.setEnvironment(chart, 'dev')))
      .toBe("'scope' already has children ('child'), and construct context only reaches constructs added after it (got \"test\"). "
        + 'Call DebugToggle.setEnvironment right after creating the scope, before adding constructs to it.');
  });
});

describe('the production guard: whole messages', () => {
  test('enabled by the prop where the context says production (any case, with spaces)', () => {
    expect(errorOf(() => web({ enabled: true }, { [DebugToggle.ENVIRONMENT_CONTEXT_KEY]: ' Production ' })))
      .toBe("test/web/Resource: 'debug.enabled' turns the debug sidecar on where the environment is production "
        + "(context cdk8s-debuggable/environment = ' Production '; enabled by the 'enabled' prop) (got true). " + GUARD_FIX);
  });

  test('enabled by context where CDK8S_ENVIRONMENT=PROD', () => {
    expect(errorOf(() => withEnv({ CDK8S_ENVIRONMENT: 'PROD' }, () => web({}, { [DebugToggle.ENABLED_CONTEXT_KEY]: true }))))
      .toBe("test/web/Resource: 'debug.enabled' turns the debug sidecar on where the environment is production "
        + "(environment variable CDK8S_ENVIRONMENT = 'PROD'; enabled by context cdk8s-debuggable/enabled) (got true). " + GUARD_FIX);
  });

  test('enabled by CDK8S_DEBUG where CDK8S_ENVIRONMENT=production; a context of dev does not hide it', () => {
    expect(errorOf(() => withEnv({ CDK8S_ENVIRONMENT: 'production', CDK8S_DEBUG: 'on' },
      () => web({}, { [DebugToggle.ENVIRONMENT_CONTEXT_KEY]: 'dev' }))))
      .toBe("test/web/Resource: 'debug.enabled' turns the debug sidecar on where the environment is production "
        + "(environment variable CDK8S_ENVIRONMENT = 'production'; enabled by CDK8S_DEBUG) (got true). " + GUARD_FIX);
  });

  test.each(['staging', 'dev', 'preprod', 'production-eu'])('an environment named %p is not production', (name) => {
    const { chart, dep } = web({ enabled: true }, { [DebugToggle.ENVIRONMENT_CONTEXT_KEY]: name });
    expect(dep.debug.enabled).toBe(true);
    expect(hasSidecar(chart)).toBe(true);
  });
});

describe('environment variables are read once per app', () => {
  test('a change of CDK8S_DEBUG after the app first read it is not seen by that app; a new app reads afresh', () => {
    const saved = process.env.CDK8S_DEBUG;
    try {
      // GIVEN an app whose first workload read CDK8S_DEBUG=true
      process.env.CDK8S_DEBUG = 'true';
      const app = Testing.app();
      const first = new DebuggableDeployment(new Chart(app, 'first'), 'web', { containers: [APP] });
      // WHEN the variable changes and a second chart of the same app gets a workload
      process.env.CDK8S_DEBUG = 'false';
      const second = new DebuggableDeployment(new Chart(app, 'second'), 'web', { containers: [APP] });
      // THEN both see the value of the app's first read
      expect([first.debug.enabled, second.debug.enabled]).toEqual([true, true]);
      // AND a new app reads the new value
      const other = new DebuggableDeployment(new Chart(Testing.app(), 'other'), 'web', { containers: [APP] });
      expect([other.debug.enabled, other.debug.enabledBy]).toEqual([false, DebugToggleSource.ENVIRONMENT_VARIABLE]);
    } finally {
      if (saved === undefined) delete process.env.CDK8S_DEBUG; else process.env.CDK8S_DEBUG = saved;
    }
  });

  test('within one chart too, every workload sees the first read', () => {
    const saved = process.env.CDK8S_DEBUG;
    try {
      process.env.CDK8S_DEBUG = 'false';
      const chart = new Chart(Testing.app(), 'test');
      const a = new DebuggableDeployment(chart, 'a', { containers: [APP] });
      process.env.CDK8S_DEBUG = 'true';
      const b = new DebuggableDeployment(chart, 'b', { containers: [APP] });
      expect([a.debug.enabled, b.debug.enabled]).toEqual([false, false]);
    } finally {
      if (saved === undefined) delete process.env.CDK8S_DEBUG; else process.env.CDK8S_DEBUG = saved;
    }
  });
});

describe('DebugWarnings', () => {
  let write: jest.SpyInstance;
  beforeEach(() => {
    write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    write.mockRestore();
  });
  const printed = () => write.mock.calls.map(c => String(c[0]));

  const NONE = 'DebugSidecar.attachAll found no workload (got {}). Call it after the workloads are defined, and check the filter.';
  const NO_JOB = 'DebugSidecar.attachAll found no workload that passes the filter (got {"kinds":["Job"]}). '
    + 'Call it after the workloads are defined, and check the filter.';

  test.each([
    [undefined, 'undefined'],
    [{}, '{}'],
    [{ node: {} }, '{"node":{}}'],
    [42, '42'],
  ])('of(%p) is an error: not a construct', (scope, shown) => {
    expect(errorOf(() => DebugWarnings.of(scope as any)))
      .toBe(`'scope' is not a construct (got ${shown}). Pass the app, a chart or any construct.`);
  });

  test('of lists the warnings of the whole subtree as one flat list, without other metadata', () => {
    withEnv({ [DebugWarnings.ENV_VAR]: 'silent' }, () => {
      // GIVEN two charts, each warned about, and other metadata on the app's constructs
      const app = Testing.app();
      const a = new Chart(app, 'a');
      const b = new Chart(app, 'b');
      a.node.addMetadata('other/type', 'not a warning');
      DebugSidecar.attachAll(a);
      DebugSidecar.attachAll(b, { kinds: ['Job'] });
      // THEN
      expect(DebugWarnings.of(app)).toEqual([`a: ${NONE}`, `b: ${NO_JOB}`]);
      expect(DebugWarnings.of(b)).toEqual([`b: ${NO_JOB}`]);
    });
  });

  test('the same warning for the same construct is recorded and printed once; a different one is recorded too', () => {
    withEnv({ [DebugWarnings.ENV_VAR]: undefined }, () => {
      const chart = new Chart(Testing.app(), 'test');
      DebugSidecar.attachAll(chart);
      DebugSidecar.attachAll(chart);
      DebugSidecar.attachAll(chart, { kinds: ['Job'] });
      expect(DebugWarnings.of(chart)).toEqual([`test: ${NONE}`, `test: ${NO_JOB}`]);
      expect(printed()).toEqual([
        `[cdk8s-debuggable] warning: test: ${NONE}\n`,
        `[cdk8s-debuggable] warning: test: ${NO_JOB}\n`,
      ]);
    });
  });

  test('metadata of another type with the same text does not stop the warning', () => {
    withEnv({ [DebugWarnings.ENV_VAR]: 'silent' }, () => {
      const chart = new Chart(Testing.app(), 'test');
      chart.node.addMetadata('other/type', NONE);
      DebugSidecar.attachAll(chart);
      expect(DebugWarnings.of(chart)).toEqual([`test: ${NONE}`]);
    });
  });

  test('printed to stderr when nothing silences it', () => {
    withEnv({ [DebugWarnings.ENV_VAR]: undefined }, () => {
      DebugSidecar.attachAll(new Chart(Testing.app(), 'test'));
    });
    expect(printed()).toEqual([`[cdk8s-debuggable] warning: test: ${NONE}\n`]);
  });

  test('printed when the variable says something other than silent', () => {
    withEnv({ [DebugWarnings.ENV_VAR]: 'loud' }, () => {
      DebugSidecar.attachAll(new Chart(Testing.app(), 'test'));
    });
    expect(printed()).toEqual([`[cdk8s-debuggable] warning: test: ${NONE}\n`]);
  });

  test.each([
    ['the variable', { [DebugWarnings.ENV_VAR]: 'SILENT' }, {}],
    ['the context', { [DebugWarnings.ENV_VAR]: undefined }, { [DebugWarnings.CONTEXT_KEY]: 'Silent' }],
  ])('silenced by %s (any case): recorded, not printed', (_by, env, context) => {
    const warnings = withEnv(env, () => {
      const app = Testing.app();
      const chart = new Chart(app, 'test');
      for (const [k, v] of Object.entries(context)) chart.node.setContext(k, v);
      DebugSidecar.attachAll(chart);
      return DebugWarnings.of(app);
    });
    expect(warnings).toEqual([`test: ${NONE}`]);
    expect(printed()).toEqual([]);
  });

  test('silenced by DebugWarnings.silence for its subtree only', () => {
    withEnv({ [DebugWarnings.ENV_VAR]: undefined }, () => {
      const app = Testing.app();
      const quiet = new Chart(app, 'quiet');
      DebugWarnings.silence(quiet);
      DebugSidecar.attachAll(quiet);
      DebugSidecar.attachAll(new Chart(app, 'loud'));
      expect(DebugWarnings.of(app)).toEqual([`quiet: ${NONE}`, `loud: ${NONE}`]);
    });
    expect(printed()).toEqual([`[cdk8s-debuggable] warning: loud: ${NONE}\n`]);
  });
});

describe('debug.until and the injected now', () => {
  const on: DebugOptions = { enabled: true, tools: [DebugTool.TCPDUMP] };

  /** A workload with `until`, synthesized at `now` (the environment variable), or with the context `now`. */
  function at(now: string | undefined, until: string, context: Record<string, unknown> = {}) {
    return withEnv({ [DebugToggle.NOW_ENV_VAR]: now }, () => web({ ...on, until }, context).dep.debug);
  }

  test('a valid date before now switches off, after now stays on', () => {
    expect(at('2026-06-01T00:00:00Z', '2026-12-31').enabled).toBe(true);
    expect(at('2027-06-01T00:00:00Z', '2026-12-31').enabledBy).toBe(DebugToggleSource.EXPIRED);
  });

  test('a date and time with a zone, and with fractions of a second, is read', () => {
    expect(at('2026-12-31T07:59:59.999Z', '2026-12-31T10:00:00.5+02:00').enabled).toBe(true);
    expect(at('2026-12-31T08:00:01Z', '2026-12-31T10:00:00.5+02:00').enabled).toBe(false);
    expect(at('2026-12-31T09:59Z', '2026-12-31T10:00Z').enabled).toBe(true);
  });

  test('the last valid hour and day of a month are dates', () => {
    expect(at('2026-02-28T22:00:00Z', '2026-02-28T23:00:00Z').enabled).toBe(true);
    expect(at('2028-02-28T00:00:00Z', '2028-02-29').enabled).toBe(true);
  });

  test.each([
    ['2026-02-30'],
    ['2027-02-29'],
    ['2026-12-00'],
    ['2026-00-15'],
    ['2026-13-01'],
    ['2026-12-31T24:00:00Z'],
    ['2026-12-31T10:00:00'],
  ])('until %p is not a date that exists: a whole error', (until) => {
    expect(errorOf(() => at('2026-01-01T00:00:00Z', until)))
      .toBe(`'debug.until' is not an ISO 8601 date (got "${until}"). Write it as '2026-12-31' (midnight UTC) or '2026-12-31T18:00:00+01:00' (ISO 8601, with a zone).`);
  });

  test('now from the context: padded with spaces it is read; a number is an error naming the context', () => {
    expect(at(undefined, '2026-12-31', { [DebugToggle.NOW_CONTEXT_KEY]: ' 2026-12-30T00:00:00Z ' }).enabled).toBe(true);
    expect(at(undefined, '2026-12-31', { [DebugToggle.NOW_CONTEXT_KEY]: ' 2027-01-01 ' }).enabled).toBe(false);
    expect(errorOf(() => at(undefined, '2026-12-31', { [DebugToggle.NOW_CONTEXT_KEY]: 20261231 })))
      .toBe(`'context cdk8s-debuggable/now' is not an ISO 8601 date (got 20261231). ${NOW_FIX}`);
  });

  test('now from the variable that is not a date: a whole error naming the variable', () => {
    expect(errorOf(() => at('2026-13-45', '2026-12-31')))
      .toBe(`'environment variable CDK8S_DEBUGGABLE_NOW' is not an ISO 8601 date (got "2026-13-45"). ${NOW_FIX}`);
  });

  test.each([[undefined], [''], ['   ']])('CDK8S_DEBUGGABLE_NOW=%p leaves it to the clock', (now) => {
    expect(at(now, '2999-01-01').enabled).toBe(true);
    expect(at(now, '2000-01-01').enabled).toBe(false);
  });

  test('a padded variable is read', () => {
    expect(at(' 2026-12-30T00:00:00Z ', '2026-12-31').enabled).toBe(true);
  });
});

describe('a lifetime written as on the command line (--ttl)', () => {
  test.each([
    ['90s', 90],
    ['1s', 1],
    ['120s', 120],
    ['60m', 3600],
    ['2h', 7200],
    [' 10m ', 600],
  ])('%p is %d seconds', (text, seconds) => {
    const d: Duration = durationOfText('--ttl', text);
    expect(d.toSeconds()).toBe(seconds);
  });

  test.each([
    ['90x', '"90x"'],
    ['090s', '"090s"'],
    ['0s', '"0s"'],
    ['x90s', '"x90s"'],
    ['90sx', '"90sx"'],
    ['9 0s', '"9 0s"'],
    ['1.5h', '"1.5h"'],
    ['', '""'],
    [90, '90'],
    [undefined, 'undefined'],
  ])('%p is not a lifetime: a whole error', (value, shown) => {
    expect(errorOf(() => durationOfText('--ttl', value)))
      .toBe(`'--ttl' is not a lifetime (got ${shown}). ${LIFETIME_FIX}`);
  });
});
