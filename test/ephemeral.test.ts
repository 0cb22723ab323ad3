import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  DebuggableDeployment, DebugOptions, DebugProfile, DebugSidecar, DebugTool, PodSecurity, PodSecurityLevel,
} from '../src';

const APP = { name: 'app', image: 'nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };
const KEEP_ALIVE = ['/bin/sh', '-c', "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"];

function web(debug: DebugOptions, setup: (chart: Chart) => void = () => {}): DebuggableDeployment {
  const chart = Testing.chart();
  setup(chart);
  return new DebuggableDeployment(chart, 'web', { containers: [APP, { name: 'metrics', image: 'prom/statsd-exporter:v0.28.0' }], debug });
}

describe('ephemeralContainer: the same debug container for a running Pod', () => {
  test('debug off: name, image, command, the derived securityContext and the app as target; nothing the API forbids', () => {
    // GIVEN
    const dep = web({ tools: [DebugTool.TCPDUMP] });

    // WHEN
    const ec = dep.debug.ephemeralContainer();

    // THEN
    expect(ec).toEqual({
      command: KEEP_ALIVE,
      image: 'docker.io/nicolaka/netshoot:v0.14',
      imagePullPolicy: 'IfNotPresent',
      name: 'debug',
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { add: ['NET_RAW'], drop: ['ALL'] },
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: false,
        runAsUser: 0,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      targetContainerName: 'app',
    });
    expect(ec.securityContext).toEqual(dep.debug.containerJson().securityContext);
    for (const forbidden of ['resources', 'ports', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'volumeMounts', 'restartPolicy']) {
      expect(ec).not.toHaveProperty(forbidden);
    }
  });

  test('a chosen target and name; a Job\'s exit-with-app keep-alive becomes the plain one', () => {
    const chart = Testing.chart();
    const job = new kplus.Job(chart, 'job', { containers: [{ name: 'main', image: 'busybox:1.36', command: ['true'] }] });
    const sidecar = DebugSidecar.attach(job, { tools: [DebugTool.STRACE] });
    expect(sidecar.ephemeralContainer({ targetContainer: 'main', name: 'dbg' })).toMatchObject({
      name: 'dbg', targetContainerName: 'main', command: KEEP_ALIVE, securityContext: { capabilities: { add: ['SYS_PTRACE'] } },
    });
  });

  test('debug on: the sidecar is not a target, and the default name does not clash with it', () => {
    const ec = web({ enabled: true, tools: [DebugTool.DIG] }).debug.ephemeralContainer();
    expect(ec.name).toBe('debug-ephemeral');
    expect(ec.targetContainerName).toBe('app');
  });

  test('fails on a target the Pod does not have, and on a name it already uses', () => {
    const dep = web({});
    expect(() => dep.debug.ephemeralContainer({ targetContainer: 'nginx' }))
      .toThrow(/test\/web\/Resource: 'targetContainer' is not a container of this Pod \(it has app, metrics\) \(got "nginx"\)\. Name one of them/);
    expect(() => dep.debug.ephemeralContainer({ name: 'metrics' }))
      .toThrow(/'name' is already a container of this Pod \(got "metrics"\)/);
  });
});

describe('kubectlDebug: the command that creates it', () => {
  test('args, the --custom JSON, and the profile that --custom narrows', () => {
    // GIVEN
    const dep = web({ tools: [DebugTool.TCPDUMP] });

    // WHEN
    const cmd = dep.debug.kubectlDebug({ pod: 'web-7d9f8b6c5-x2x4q', namespace: 'shop' });

    // THEN
    expect(cmd.args).toEqual([
      'debug', 'web-7d9f8b6c5-x2x4q', '--namespace=shop', '--image=docker.io/nicolaka/netshoot:v0.14', '--image-pull-policy=IfNotPresent',
      '--container=debug', '--target=app', '--profile=netadmin', '--custom=debug-custom.json', '--', ...KEEP_ALIVE,
    ]);
    expect(JSON.parse(cmd.customJson)).toEqual({ securityContext: dep.debug.ephemeralContainer().securityContext });
    expect(cmd.podSecurityLevel).toBe(PodSecurityLevel.PRIVILEGED);
    expect(cmd.refusal).toBeUndefined();
  });

  test.each<[string, DebugOptions, string]>([
    ['curl needs no capability: --profile=baseline', { tools: [DebugTool.CURL] }, 'baseline'],
    ['strace needs SYS_PTRACE: --profile=general', { tools: [DebugTool.STRACE] }, 'general'],
    ['iptables needs NET_ADMIN and NET_RAW: --profile=netadmin', { tools: [DebugTool.IPTABLES] }, 'netadmin'],
    ['tcpdump and strace need more than netadmin: --profile=sysadmin', { tools: [DebugTool.TCPDUMP, DebugTool.STRACE] }, 'sysadmin'],
    ['SYSADMIN is privileged: --profile=sysadmin', { profile: DebugProfile.SYSADMIN }, 'sysadmin'],
  ])('%s', (_name, debug, profile) => {
    expect(web(debug).debug.kubectlDebug({ pod: 'p' }).args).toContain(`--profile=${profile}`);
  });

  test('a namespace that enforces baseline would refuse tcpdump: reported with the ways out', () => {
    const dep = web({ tools: [DebugTool.TCPDUMP] }, chart => PodSecurity.enforce(chart, PodSecurityLevel.BASELINE));
    const cmd = dep.debug.kubectlDebug({ pod: 'p', customFile: '/tmp/c.json' });
    expect(cmd.args).toContain('--custom=/tmp/c.json');
    expect(cmd.refusal).toMatch(/^'debug.tools' of the ephemeral debug container 'debug' ask for more than Pod Security 'baseline:[^']+' allows .*: tcpdump needs NET_RAW .*Ways out: \(1\) .*\(2\) ask for an exemption/);
  });

  test('curl under DebugProfile.RESTRICTED in a baseline namespace: no refusal', () => {
    const dep = web({ tools: [DebugTool.CURL], profile: DebugProfile.RESTRICTED }, chart => PodSecurity.enforce(chart, PodSecurityLevel.BASELINE));
    expect(dep.debug.kubectlDebug({ pod: 'p' }).refusal).toBeUndefined();
  });

  test('fails without a Pod name', () => {
    expect(() => web({}).debug.kubectlDebug({} as any)).toThrow(/'pod' is not a Pod name \(got undefined\)\. Pass the name of the running Pod/);
  });
});
