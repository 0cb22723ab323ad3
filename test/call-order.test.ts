import { ApiObject, App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  DebuggableDeployment, DebugImage, DebugSidecar, DebugToggle, DebugTool, DebugWarnings, KubernetesVersion, PodSecurity, PodSecurityLevel,
} from '../src';

/*
 * No answer depends on when the library was first asked: every public read,
 * called right after the first workload is defined, leaves the app's synth
 * outcome (manifests, errors, warnings) exactly as it is without the call.
 * The rest of the app (Namespaces, more containers, a chart with its own
 * context and cluster version) is defined after the read.
 */

type Read = (web: DebuggableDeployment) => unknown;

function podSpecOfWorkload(web: DebuggableDeployment): any {
  return ApiObject.of(web).toJson().spec.template.spec;
}

/** Every getter of DebugSidecar, found by reflection so a new one is covered without editing this test. */
const GETTERS: Record<string, Read> = Object.fromEntries(
  Object.entries(Object.getOwnPropertyDescriptors(DebugSidecar.prototype))
    .filter(([, d]) => d.get !== undefined)
    .map(([name]) => [`DebugSidecar.${name}`, (web: DebuggableDeployment) => (web.debug as any)[name]]),
);

const READS: Record<string, Read> = {
  ...GETTERS,
  'DebugSidecar.of': web => DebugSidecar.of(web),
  'DebugSidecar.ephemeralContainer()': web => web.debug.ephemeralContainer(),
  'DebugSidecar.kubectlDebug()': web => web.debug.kubectlDebug({ pod: 'web-1' }),
  'DebugSidecar.containerJson()': web => web.debug.containerJson(),
  'PodSecurity.levelOf': web => PodSecurity.levelOf(web),
  'PodSecurity.violations': web => PodSecurity.violations(web, PodSecurityLevel.BASELINE),
  'PodSecurity.levelOfPodSpec': web => PodSecurity.levelOfPodSpec(podSpecOfWorkload(web)),
  'PodSecurity.violationsOfPodSpec': web => PodSecurity.violationsOfPodSpec(podSpecOfWorkload(web), PodSecurityLevel.RESTRICTED),
  'DebugWarnings.of': web => DebugWarnings.of(web.node.root),
};

const APP_CONTAINER = { name: 'app', image: 'docker.io/nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };

function namespace(scope: Chart, name: string, labels: Record<string, string>): ApiObject {
  return new ApiObject(scope, `ns-${name}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
}

/** What `cdk8s synth` ends with: the manifests and the warnings, or the error. */
function outcome(app: App): string {
  try {
    return `${app.synthYaml()}\n# warnings\n${DebugWarnings.of(app).join('\n')}`;
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

/**
 * The new user's app from the issue: tcpdump in a chart of namespace 'shop',
 * then (after the read) the Namespace 'shop' that enforces baseline.
 */
function laterNamespace(read?: Read): App {
  const app = Testing.app();
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  const web = new DebuggableDeployment(chart, 'web', { containers: [APP_CONTAINER], debug: { enabled: true, tools: [DebugTool.TCPDUMP] } });
  read?.(web);
  namespace(new Chart(app, 'namespaces'), 'shop', { [PodSecurity.ENFORCE_LABEL]: 'baseline' });
  return app;
}

/**
 * After the read: another container in the workload, a chart with its own
 * toggle and cluster version holding a Job, a workload whose image warns,
 * and a Namespace that pins an older policy version.
 */
function laterEverything(read?: Read): App {
  const app = Testing.app();
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  const web = new DebuggableDeployment(chart, 'web', { containers: [APP_CONTAINER], debug: { enabled: true, tools: [DebugTool.STRACE] } });
  read?.(web);
  web.addContainer({ name: 'metrics', image: 'docker.io/prom/statsd-exporter:v0.28.0', portNumber: 9102 });
  const batch = new Chart(app, 'batch', { namespace: 'shop' });
  DebugToggle.setEnabled(batch, true);
  KubernetesVersion.set(batch, KubernetesVersion.V1_30);
  const job = new kplus.Job(batch, 'report', { containers: [{ image: 'docker.io/library/busybox:1.37', command: ['true'] }] });
  DebugSidecar.attach(job, { tools: [DebugTool.CURL] });
  new DebuggableDeployment(chart, 'mutable', { containers: [APP_CONTAINER], debug: { enabled: true, image: DebugImage.of('docker.io/nicolaka/netshoot:latest') } });
  namespace(new Chart(app, 'namespaces'), 'shop', { [PodSecurity.ENFORCE_LABEL]: 'privileged', [PodSecurity.ENFORCE_VERSION_LABEL]: 'v1.30' });
  return app;
}

describe('GIVEN an app defined after an early read', () => {
  test('the reads cover every getter of DebugSidecar and every PodSecurity entry point', () => {
    expect(Object.keys(GETTERS).length).toBeGreaterThanOrEqual(15);
    const entryPoints = Object.getOwnPropertyNames(PodSecurity).filter(n => typeof (PodSecurity as any)[n] === 'function' && !n.startsWith('_'));
    const covered = entryPoints.filter(n => `PodSecurity.${n}` in READS || n === 'enforce');
    expect(covered.sort()).toEqual(entryPoints.sort());
  });

  test('without an early read, a Namespace defined last refuses the NET_RAW sidecar (the scenario is meaningful)', () => {
    expect(outcome(laterNamespace())).toMatch(/^error: .*'debug\.tools' .*tcpdump needs NET_RAW.*baseline/s);
  });

  test('without an early read, the later definitions all show in the manifests', () => {
    const yaml = outcome(laterEverything());
    expect(yaml).toMatch(/name: metrics/);
    expect(yaml).toMatch(/restartPolicy: Always/); // the Job's native sidecar, from the chart's cluster version
    expect(yaml).toMatch(/mutable tag/);
  });

  test.each(Object.keys(READS))('WHEN %s is called first THEN a Namespace defined later still decides', (name) => {
    expect(outcome(laterNamespace(READS[name]))).toEqual(outcome(laterNamespace()));
  });

  test.each(Object.keys(READS))('WHEN %s is called first THEN containers, context, version and Namespaces defined later still count', (name) => {
    expect(outcome(laterEverything(READS[name]))).toEqual(outcome(laterEverything()));
  });
});

describe('two apps in one process', () => {
  test('never share a decision: only the app with the baseline Namespace refuses, whichever is asked first', () => {
    const [strict, lax] = [Testing.app(), Testing.app()];
    const webs = [strict, lax].map(app => new DebuggableDeployment(new Chart(app, 'shop', { namespace: 'shop' }), 'web',
      { containers: [APP_CONTAINER], debug: { enabled: true, tools: [DebugTool.TCPDUMP] } }));
    webs.forEach(web => web.debug.kubectlDebug({ pod: 'web-1' }));
    namespace(new Chart(strict, 'namespaces'), 'shop', { [PodSecurity.ENFORCE_LABEL]: 'baseline' });
    expect(webs.map(web => web.debug.kubectlDebug({ pod: 'web-1' }).refusal === undefined)).toEqual([false, true]);
    expect(outcome(lax)).not.toMatch(/^error/);
    expect(outcome(strict)).toMatch(/^error: .*tcpdump needs NET_RAW/s);
  });

  test('a second synth of the same app sees what was added after the first', () => {
    const app = laterNamespace();
    const before = Testing.app();
    new DebuggableDeployment(new Chart(before, 'shop', { namespace: 'shop' }), 'web', { containers: [APP_CONTAINER], debug: { enabled: true, tools: [DebugTool.TCPDUMP] } });
    expect(outcome(before)).not.toMatch(/^error/);
    namespace(new Chart(before, 'namespaces'), 'shop', { [PodSecurity.ENFORCE_LABEL]: 'baseline' });
    expect(outcome(before)).toEqual(outcome(app));
  });
});
