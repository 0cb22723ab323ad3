import { App, Chart, Testing } from 'cdk8s';
import { DebuggableDeployment, DebugOptions, DebugToggle } from '../src';
import { containerNamed, everyManifestPassesTheSchema, only, podSpecOf, synth, withEnv } from './support/manifests';

const APP = { image: 'nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };

/** Builds a chart with the given context and one DebuggableDeployment; returns whether the sidecar is in the output. */
function build(debug: DebugOptions, context: Record<string, unknown> = {}) {
  const app = Testing.app();
  const chart = new Chart(app, 'test');
  for (const [k, v] of Object.entries(context)) chart.node.setContext(k, v);
  const dep = new DebuggableDeployment(chart, 'web', { containers: [APP], debug });
  const hasSidecar = containerNamed(podSpecOf(only(synth(chart), 'Deployment')), 'debug') !== undefined;
  return { hasSidecar, by: dep.debug.enabledBy };
}

describe('precedence: prop, then context, then CDK8S_DEBUG, then off', () => {
  test('off when nothing is set', () => {
    expect(build({})).toEqual({ hasSidecar: false, by: 'default' });
  });
  test('CDK8S_DEBUG=true switches it on', () => {
    expect(withEnv({ CDK8S_DEBUG: 'true' }, () => build({}))).toEqual({ hasSidecar: true, by: 'env' });
  });
  test.each(['1', 'yes', 'ON', ' True '])('CDK8S_DEBUG=%p reads as on', (value) => {
    expect(withEnv({ CDK8S_DEBUG: value }, () => build({})).hasSidecar).toBe(true);
  });
  test.each(['0', 'false', 'off', ''])('CDK8S_DEBUG=%p reads as off', (value) => {
    expect(withEnv({ CDK8S_DEBUG: value }, () => build({})).hasSidecar).toBe(false);
  });
  test('the context wins over CDK8S_DEBUG', () => {
    expect(withEnv({ CDK8S_DEBUG: 'true' }, () => build({}, { [DebugToggle.ENABLED_CONTEXT_KEY]: false })))
      .toEqual({ hasSidecar: false, by: 'context' });
    expect(withEnv({ CDK8S_DEBUG: 'false' }, () => build({}, { [DebugToggle.ENABLED_CONTEXT_KEY]: true })))
      .toEqual({ hasSidecar: true, by: 'context' });
  });
  test('the prop wins over the context and CDK8S_DEBUG', () => {
    expect(withEnv({ CDK8S_DEBUG: 'true' }, () => build({ enabled: false }, { [DebugToggle.ENABLED_CONTEXT_KEY]: true })))
      .toEqual({ hasSidecar: false, by: 'prop' });
    expect(withEnv({ CDK8S_DEBUG: 'false' }, () => build({ enabled: true }, { [DebugToggle.ENABLED_CONTEXT_KEY]: false })))
      .toEqual({ hasSidecar: true, by: 'prop' });
  });
  test('a context string value is read like the variable', () => {
    expect(build({}, { [DebugToggle.ENABLED_CONTEXT_KEY]: 'true' }).hasSidecar).toBe(true);
  });
  test('fails on a CDK8S_DEBUG value that is not a boolean, naming the variable and the value', () => {
    expect(() => withEnv({ CDK8S_DEBUG: 'maybe' }, () => build({})))
      .toThrow(/'environment variable CDK8S_DEBUG' is not a boolean \(got "maybe"\)\. Use one of true, 1, yes, on, false, 0, no, off/);
  });
});

describe('a whole subtree is switched by context', () => {
  test('staging chart on, production chart off, same code', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const staging = new Chart(app, 'staging');
    DebugToggle.setEnabled(staging, true);
    const prod = new Chart(app, 'prod');
    for (const chart of [staging, prod]) new DebuggableDeployment(chart, 'web', { containers: [APP] });
    const names = (chart: Chart) => podSpecOf(only(synth(chart), 'Deployment')).containers.map((c: any) => c.name);
    expect(names(staging)).toEqual(['main', 'debug']);
    expect(names(prod)).toEqual(['main']);
  });
});

describe('production guard', () => {
  test('fails when debug is on where the environment is production by context', () => {
    expect(() => build({ enabled: true }, { [DebugToggle.ENVIRONMENT_CONTEXT_KEY]: 'production' }))
      .toThrow(/'debug.enabled' turns the debug sidecar on where the environment is production \(context cdk8s-debuggable\/environment = 'production'.*Set 'debug.allowInProduction: true'/);
  });
  test('fails when CDK8S_ENVIRONMENT=prod and CDK8S_DEBUG=true', () => {
    expect(() => withEnv({ CDK8S_ENVIRONMENT: 'prod', CDK8S_DEBUG: 'true' }, () => build({})))
      .toThrow(/environment variable CDK8S_ENVIRONMENT = 'prod'; enabled by CDK8S_DEBUG/);
  });
  test('allowInProduction lets it through deliberately', () => {
    expect(build({ enabled: true, allowInProduction: true }, { [DebugToggle.ENVIRONMENT_CONTEXT_KEY]: 'production' }).hasSidecar).toBe(true);
  });
  test('debug off in production is fine', () => {
    expect(withEnv({ CDK8S_ENVIRONMENT: 'production' }, () => build({})).hasSidecar).toBe(false);
  });
  test('other environments are not guarded', () => {
    expect(build({ enabled: true }, { [DebugToggle.ENVIRONMENT_CONTEXT_KEY]: 'staging' }).hasSidecar).toBe(true);
  });
});

everyManifestPassesTheSchema();
