import { App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DebuggableDeployment, DebugOptions, DebugToggle, DebugToggleSource, DebugTool, DebugWarnings } from '../src';
import { synth, withEnv } from './support/manifests';
import { main } from '../src/cli/main';

/*
 * Ends by itself: `debug.until` switches the sidecar off from its date on,
 * compared with an injectable "now"; an ephemeral container's `ttl` makes
 * its keep-alive exit.
 */

const APP = { name: 'app', image: 'docker.io/nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };

function at(now: string | undefined, debug: DebugOptions, setup: (app: App) => void = () => {}) {
  return withEnv({ [DebugToggle.NOW_ENV_VAR]: now }, () => {
    const app = Testing.app();
    setup(app);
    const chart = new Chart(app, 'test');
    const web = new DebuggableDeployment(chart, 'web', { containers: [APP], debug });
    return { chart, web, objects: synth(chart), warnings: DebugWarnings.of(app) };
  });
}

function plain(): any[] {
  const chart = Testing.chart();
  new kplus.Deployment(chart, 'web', { containers: [APP] });
  return synth(chart);
}

describe('debug.until', () => {
  const on: DebugOptions = { enabled: true, tools: [DebugTool.TCPDUMP], until: '2026-12-31' };

  test('before the date the sidecar is there', () => {
    const { web } = at('2026-12-30T23:59:59Z', on);
    expect([web.debug.enabled, web.debug.enabledBy]).toEqual([true, DebugToggleSource.PROP]);
  });

  test('from the date on (a date alone is midnight UTC) synth gives the plain workload, byte-identical, and a warning that says how to extend it', () => {
    const { web, objects, warnings } = at('2026-12-31T00:00:00Z', on);
    expect([web.debug.enabled, web.debug.enabledBy]).toEqual([false, DebugToggleSource.EXPIRED]);
    expect(JSON.stringify(objects)).toEqual(JSON.stringify(plain()));
    expect(warnings).toEqual([expect.stringMatching(
      /^test\/web\/Resource: debug expired on 2026-12-31 \('debug.until'; it is 2026-12-31T00:00:00.000Z\).*To extend it, set 'debug.until' to a later date/)]);
  });

  test('a date and time with a zone is read in that zone', () => {
    const until = { ...on, until: '2026-12-31T10:00:00+02:00' };
    expect(at('2026-12-31T07:59:59Z', until).web.debug.enabled).toBe(true);
    expect(at('2026-12-31T08:00:00Z', until).web.debug.enabled).toBe(false);
  });

  test('the context key wins over the environment variable', () => {
    const { web } = at('2027-06-01T00:00:00Z', on, app => app.node.setContext(DebugToggle.NOW_CONTEXT_KEY, '2026-01-01T00:00:00Z'));
    expect(web.debug.enabled).toBe(true);
  });

  test('without an injected time the clock decides', () => {
    expect(at(undefined, { ...on, until: '2999-01-01' }).web.debug.enabled).toBe(true);
    expect(at(undefined, { ...on, until: '2000-01-01' }).web.debug.enabled).toBe(false);
  });

  test('debug off is not touched by an expired date: no warning', () => {
    expect(at('2030-01-01T00:00:00Z', { ...on, enabled: false }).warnings).toEqual([]);
  });

  test.each([
    ['tomorrow', /'debug.until' is not an ISO 8601 date \(got "tomorrow"\)\. Write it as '2026-12-31'/],
    ['2026-02-30', /'debug.until' is not an ISO 8601 date \(got "2026-02-30"\)/],
    ['2026-12-31T10:00', /'debug.until' is not an ISO 8601 date \(got "2026-12-31T10:00"\)/],
    ['2026-12-31T24:00:00Z', /'debug.until' is not an ISO 8601 date/],
  ])('fails for until %j, even with debug off', (until, message) => {
    expect(() => at('2026-01-01T00:00:00Z', { enabled: false, until })).toThrow(message);
  });

  test('fails for a "now" that is not a date, naming where it came from', () => {
    expect(() => at('yesterday', on)).toThrow(/'environment variable CDK8S_DEBUGGABLE_NOW' is not an ISO 8601 date \(got "yesterday"\)/);
  });

  test('fails for a past date with debug switched on in a declared production environment', () => {
    expect(() => withEnv({ CDK8S_ENVIRONMENT: 'production' }, () => at('2027-01-01T00:00:00Z', { ...on, allowInProduction: true })))
      .toThrow(/'debug.until' has passed \(it is 2027-01-01T00:00:00.000Z\) and debug is switched on where the environment is production \(got "2026-12-31"\)/);
  });
});

describe('the ephemeral container\'s ttl', () => {
  const web = () => at(undefined, { tools: [DebugTool.TCPDUMP] }).web;

  test('the keep-alive exits after the lifetime (whole seconds, rounded up), and the record says so', () => {
    const ec = web().debug.ephemeralContainer({ ttl: Duration.millis(89_500) });
    expect(ec.command).toEqual(['/bin/sh', '-c', "trap 'exit 0' TERM INT; sleep 90 & wait $!"]);
    const cmd = web().debug.kubectlDebug({ pod: 'p', ttl: Duration.minutes(60) });
    expect(cmd.args.slice(cmd.args.indexOf('--'))).toEqual(['--', '/bin/sh', '-c', "trap 'exit 0' TERM INT; sleep 3600 & wait $!"]);
    expect(cmd.annotateArgs).toContain('cdk8s-debuggable.dev/ttl=3600s');
  });

  test('without a ttl it runs until the Pod stops', () => {
    expect(web().debug.ephemeralContainer().command[2]).toMatch(/while :; do sleep 3600 & wait \$!; done/);
  });

  test.each([
    [Duration.millis(500), /'ttl' is shorter than a second/],
    ['60m', /'ttl' is not a Duration \(got "60m"\)\. Pass a cdk8s Duration/],
  ])('fails for %s', (ttl, message) => {
    expect(() => web().debug.ephemeralContainer({ ttl: ttl as any })).toThrow(message);
  });

  test('fails with a command of the user\'s, which the lifetime cannot end', () => {
    const custom = at(undefined, { command: ['sleep', 'infinity'] }).web;
    expect(() => custom.debug.ephemeralContainer({ ttl: Duration.minutes(1) })).toThrow(/'ttl' needs the library's keep-alive command/);
  });

  test('the command line refuses a lifetime it cannot read, before running the app', () => {
    expect(() => main(['kubectl-debug', 'web', '--pod', 'p', '--ttl', '90x', '--app', 'false'])).toThrow(/'--ttl' is not a lifetime \(got "90x"\)/);
  });
});
