import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DebuggableDeployment, DebugOptions, DebugTool, PodSecurity, PodSecurityLevel } from '../src';
import { KUBECTL_COPY_MIN_VERSION } from '../src/sidecar/copy';
import { KUBECTL_CUSTOM_MIN_VERSION } from '../src/sidecar/ephemeral';

/*
 * A debug copy of a crashing Pod (docs/fitting-pods.md): kubectlDebug({ pod,
 * copyTo }) and `--copy-to` give `kubectl debug <pod> --copy-to=<name>
 * --share-processes ...` with the debug container as a regular container of
 * the copy. test/apiserver/debug-copy.apiserver.test.ts runs them.
 */

const KEEP_ALIVE = ['/bin/sh', '-c', "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"];

function web(debug: DebugOptions, setup: (chart: Chart) => void = () => {}): DebuggableDeployment {
  const chart = Testing.chart();
  setup(chart);
  return new DebuggableDeployment(chart, 'web', {
    containers: [{ name: 'app', image: 'docker.io/nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080, args: ['-g', 'daemon off;'] }],
    debug,
  });
}

describe('kubectlDebug({ pod, copyTo })', () => {
  test('the copy command: --copy-to, --share-processes, no --target, the exact securityContext and resources through --custom', () => {
    const dep = web({ tools: [DebugTool.TCPDUMP] });
    const cmd = dep.debug.kubectlDebug({ pod: 'web-7d9f8b6c5-x2x4q', namespace: 'shop', copyTo: 'web-debug' });
    expect(cmd.args).toEqual([
      'debug', 'web-7d9f8b6c5-x2x4q', '--namespace=shop', '--copy-to=web-debug', '--share-processes',
      '--image=docker.io/nicolaka/netshoot:v0.14', '--image-pull-policy=IfNotPresent', '--container=debug', '--profile=netadmin',
      '--custom=debug-custom.json', '--', ...KEEP_ALIVE,
    ]);
    expect(JSON.parse(cmd.customJson)).toEqual({
      resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '10m', memory: '32Mi' } },
      securityContext: dep.debug.ephemeralContainer().securityContext,
    });
    expect(cmd.minKubectlVersion).toBe(KUBECTL_COPY_MIN_VERSION.name);
    expect(cmd.labelArgs).toEqual(['label', 'pod', 'web-debug', '--namespace=shop', '--overwrite', 'cdk8s-debuggable.dev/debug=true']);
    expect(cmd.annotateArgs.slice(0, 3)).toEqual(['annotate', 'pod', 'web-debug']);
    expect(cmd.pipedFrom).toBeUndefined();
    expect(cmd.podSecurityLevel).toBe(PodSecurityLevel.PRIVILEGED);
  });

  test('it needs the kubectl that --custom needs', () => {
    expect(KUBECTL_COPY_MIN_VERSION.isAtLeast(KUBECTL_CUSTOM_MIN_VERSION)).toBe(true);
  });

  test('sleepApp: the Pod is read and patched locally first, so the app container only sleeps', () => {
    const cmd = web({ tools: [DebugTool.STRACE] }).debug.kubectlDebug({ pod: 'web-1', copyTo: 'web-1-debug', sleepApp: true });
    expect(cmd.args.slice(0, 5)).toEqual(['debug', '-f', '-', '--copy-to=web-1-debug', '--share-processes']);
    expect(cmd.pipedFrom).toEqual([
      ['get', 'pod', 'web-1', '--output=json'],
      ['patch', '--local', '--filename=-', '--type=strategic',
        `--patch=${JSON.stringify({ spec: { containers: [{ name: 'app', command: KEEP_ALIVE, args: null }] } })}`, '--output=json'],
    ]);
  });

  test('the copy gets the pull secrets the Pod lacks, patched in; no advice is needed', () => {
    const cmd = web({ imagePullSecrets: ['debug-pull'] }).debug.kubectlDebug({ pod: 'web-1', copyTo: 'web-1-debug' });
    expect(cmd.pullSecretAdvice).toBeUndefined();
    expect(cmd.pipedFrom?.[1]).toContain(`--patch=${JSON.stringify({ spec: { imagePullSecrets: [{ name: 'debug-pull' }] } })}`);
  });

  test('the copy may mount a subPath of the app\'s volumes (an ephemeral container may not)', () => {
    const chart = Testing.chart();
    const config = kplus.Volume.fromConfigMap(chart, 'config', kplus.ConfigMap.fromConfigMapName(chart, 'cm', 'app-config'), { name: 'config' });
    const dep = new DebuggableDeployment(chart, 'web', {
      containers: [{ name: 'app', image: 'docker.io/library/busybox:1.36', volumeMounts: [{ path: '/etc/app.yaml', volume: config, subPath: 'app.yaml' }] }],
      debug: { appVolumes: {} },
    });
    expect(() => dep.debug.kubectlDebug({ pod: 'web-1' })).toThrow(/an ephemeral container may not mount a subPath/);
    expect(JSON.parse(dep.debug.kubectlDebug({ pod: 'web-1', copyTo: 'web-1-debug' }).customJson).volumeMounts)
      .toEqual([{ mountPath: '/app/etc/app.yaml', name: 'config', readOnly: true, subPath: 'app.yaml' }]);
  });

  test('Pod Security of the copy: a namespace enforcing baseline refuses tcpdump in it, with the ways out', () => {
    const dep = web({ tools: [DebugTool.TCPDUMP] }, chart => PodSecurity.enforce(chart, PodSecurityLevel.BASELINE));
    expect(dep.debug.kubectlDebug({ pod: 'p', copyTo: 'p-debug' }).refusal)
      .toMatch(/^'debug.tools' of the debug container 'debug' of the Pod's copy ask for more than Pod Security 'baseline:[^']+' allows .*tcpdump needs NET_RAW.*\(2\) ask for an exemption .*the copy is a new Pod/);
    expect(web({ tools: [DebugTool.CURL] }, chart => PodSecurity.enforce(chart, PodSecurityLevel.BASELINE)).debug.kubectlDebug({ pod: 'p', copyTo: 'p-debug' }).refusal)
      .toBeUndefined();
  });

  test('bad values: a copy named as the Pod or not a Pod name, sleepApp without a copy', () => {
    const dep = web({});
    expect(() => dep.debug.kubectlDebug({ pod: 'web-1', copyTo: 'web-1' })).toThrow(/'copyTo' is the name of the Pod it copies \(got "web-1"\)\. Name the copy differently .*'web-1-debug'/);
    expect(() => dep.debug.kubectlDebug({ pod: 'web-1', copyTo: 'Web_Debug' })).toThrow(/'copyTo' is not a Pod name \(got "Web_Debug"\)/);
    expect(() => dep.debug.kubectlDebug({ pod: 'web-1', sleepApp: true })).toThrow(/'sleepApp' applies to a debug copy only .*\(got true\)\. Add 'copyTo'/);
    expect(() => dep.debug.kubectlDebug({ pod: 'web-1', copyTo: 'web-1-debug', sleepApp: 'yes' as any })).toThrow(/'sleepApp' is not a boolean/);
  });
});
