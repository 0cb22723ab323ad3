import { Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DebuggableDeployment, DebugImage, DebugTool } from '../src';
import { containerNamed, everyManifestPassesTheSchema, only, podSpecOf, synth } from './support/manifests';

const APP = { image: 'nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };

describe('shared pod network', () => {
  // GIVEN an app with a tcpdump sidecar
  const chart = Testing.chart();
  new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true, tools: [DebugTool.TCPDUMP] } });
  // WHEN synthesized
  const manifests = synth(chart);
  const spec = podSpecOf(only(manifests, 'Deployment'));

  test('the debug container is in the same pod template as the app container', () => {
    expect(spec.containers.map((c: any) => c.name)).toEqual(['main', 'debug']);
    expect(containerNamed(spec, 'debug').image).toEqual(DebugImage.NETSHOOT.reference);
  });

  test('the pod does not use the host network', () => {
    expect(spec.hostNetwork).toBe(false);
  });

  test('no second Pod, Service or workload is created', () => {
    expect(manifests.map(m => m.kind)).toEqual(['Deployment']);
  });

  test('the app container is exactly what plain cdk8s-plus writes', () => {
    const plain = Testing.chart();
    new kplus.Deployment(plain, 'web', { containers: [APP] });
    const plainSpec = podSpecOf(only(Testing.synth(plain), 'Deployment'));
    expect(containerNamed(spec, 'main')).toEqual(containerNamed(plainSpec, 'main'));
  });
});

describe('debug off is byte-identical to kplus.Deployment', () => {
  const cases: Array<[string, kplus.DeploymentProps]> = [
    ['one container', { containers: [APP] }],
    ['replicas, labels and two containers', {
      replicas: 5,
      metadata: { labels: { team: 'payments' } },
      containers: [APP, { name: 'sidecar', image: 'busybox:1.36', command: ['sleep', '10'] }],
    }],
    ['volumes and a security context', {
      containers: [{ ...APP, volumeMounts: [{ path: '/cache', volume: kplus.Volume.fromEmptyDir(Testing.chart(), 'c', 'cache') }] }],
      securityContext: { user: 1000, group: 3000, fsGroup: 2000 },
      hostNetwork: false,
    }],
  ];
  test.each(cases)('%s', (_name, props) => {
    const plain = Testing.chart();
    new kplus.Deployment(plain, 'web', props);
    const debuggable = Testing.chart();
    new DebuggableDeployment(debuggable, 'web', { ...props, debug: { enabled: false, tools: [DebugTool.TCPDUMP, DebugTool.STRACE] } });
    const expected = Yaml.stringify(...synth(plain));
    expect(Yaml.stringify(...synth(debuggable))).toEqual(expected);
  });

  test('with no debug prop at all and no toggle set', () => {
    const plain = Testing.chart();
    new kplus.Deployment(plain, 'web', { containers: [APP] });
    const debuggable = Testing.chart();
    const dep = new DebuggableDeployment(debuggable, 'web', { containers: [APP] });
    expect(dep.debug.enabled).toBe(false);
    expect(dep.debug.enabledBy).toBe('default');
    expect(Yaml.stringify(...synth(debuggable))).toEqual(Yaml.stringify(...synth(plain)));
  });
});

describe('defaults', () => {
  test('the sidecar uses small explicit resources, a pinned image, IfNotPresent and a keep-alive that traps SIGTERM', () => {
    const chart = Testing.chart();
    new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true } });
    const debug = containerNamed(podSpecOf(only(synth(chart), 'Deployment')), 'debug');
    expect(debug.resources).toEqual({ requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
    expect(debug.image).toMatch(/:v\d+\.\d+$/);
    expect(debug.imagePullPolicy).toBe('IfNotPresent');
    expect(debug.command[0]).toBe('/bin/sh');
    expect(debug.command[2]).toMatch(/trap 'exit 0' TERM/);
    expect(debug.command.join(' ')).not.toMatch(/sleep (3600|infinity)\s*$/);
  });

  test('containers added after construction are still next to the sidecar, and the sidecar stays last', () => {
    const chart = Testing.chart();
    const dep = new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true } });
    dep.addContainer({ name: 'late', image: 'busybox:1.36' });
    const spec = podSpecOf(only(synth(chart), 'Deployment'));
    expect(spec.containers.map((c: any) => c.name)).toEqual(['main', 'late', 'debug']);
  });

  test('snapshot of the defaults', () => {
    const chart = Testing.chart();
    new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true, tools: [DebugTool.TCPDUMP] } });
    expect(synth(chart)).toMatchSnapshot();
  });
});

everyManifestPassesTheSchema();
