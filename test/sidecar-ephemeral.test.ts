import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import { DebuggableDeployment, DebugOptions, DebugProfile, DebugSidecar, DebugTool, PodSecurityLevel } from '../src';
import { errorOf } from './support/errors';
import { restrictedApp } from './support/pod-security-apps';
import { EXIT_WITH_APP_SCRIPT } from '../src/sidecar/keep-alive';

/*
 * DebugSidecar.ephemeralContainer() and kubectlDebug() for a running Pod
 * (src/sidecar/ephemeral.ts): the checks of their options with the whole
 * messages, the command the container runs, a Pod that already has ephemeral
 * containers, and the pull-secret advice.
 */

const KEEP_ALIVE = ['/bin/sh', '-c', "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"];
const TTL_FIX = 'Pass a cdk8s Duration of at least one second, such as Duration.minutes(60).';

/** A Deployment 'web' with an app and a metrics container. */
function web(debug: DebugOptions = {}, setup: (chart: Chart) => void = () => {}): DebuggableDeployment {
  const chart = Testing.chart();
  setup(chart);
  return new DebuggableDeployment(chart, 'web', {
    containers: [
      { name: 'app', image: 'nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 },
      { name: 'metrics', image: 'prom/statsd-exporter:v0.28.0' },
    ],
    debug,
  });
}

/** A hand-written Pod (as read back from a cluster) with the given spec, and its sidecar. */
function podWith(spec: Record<string, unknown>, debug: DebugOptions = {}): DebugSidecar {
  const chart = Testing.chart();
  const pod = new ApiObject(chart, 'pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1' }, spec } as any);
  return DebugSidecar.attach(pod, { ...debug, podSpecPath: '/spec' });
}

describe('ephemeralContainer(): its options', () => {
  test.each<[string, unknown, string]>([
    ['options that are not an object', 'app',
      "'options' is not an object (got \"app\"). Pass an object such as { targetContainer: 'app' }."],
    ['a targetContainer that is not a string', { targetContainer: 1 },
      "'targetContainer' is not a string (got 1). Pass a container name such as 'app'."],
    ['a name that is not a string', { name: ['debug'] },
      "'name' is not a string (got [\"debug\"]). Pass a container name such as 'debug'."],
    ['a ttl that is not a Duration', { ttl: 60 }, `'ttl' is not a Duration (got 60). ${TTL_FIX}`],
    ['a ttl of null', { ttl: null }, `'ttl' is not a Duration (got null). ${TTL_FIX}`],
    ['a ttl under a second', { ttl: Duration.millis(999) }, `'ttl' is shorter than a second (got "999 millis"). ${TTL_FIX}`],
  ])('%s is refused with the whole message', (_what, options, message) => {
    // GIVEN a workload with debug off
    const dep = web();

    // WHEN / THEN
    expect(errorOf(() => dep.debug.ephemeralContainer(options as any))).toBe(message);
  });

  test('a ttl of exactly one second is the shortest allowed: the keep-alive ends after it', () => {
    expect(web().debug.ephemeralContainer({ ttl: Duration.seconds(1) }).command)
      .toEqual(['/bin/sh', '-c', "trap 'exit 0' TERM INT; sleep 1 & wait $!"]);
  });

  test('a name that is not a valid container name is refused', () => {
    expect(errorOf(() => web().debug.ephemeralContainer({ name: 'Debug_1' }))).toBe(
      "test/web/Resource: 'name' is not a valid container name (got \"Debug_1\"). Use lowercase letters, digits and dashes, at most 63 characters.");
  });

  test('a name a container of the Pod has is refused with the whole message', () => {
    expect(errorOf(() => web().debug.ephemeralContainer({ name: 'metrics' }))).toBe(
      "test/web/Resource: 'name' is already a container of this Pod (got \"metrics\"). Give the ephemeral container another name, such as 'debug-2'.");
  });

  test('a target the Pod does not have is refused, naming the containers it has', () => {
    expect(errorOf(() => web().debug.ephemeralContainer({ targetContainer: 'nginx' }))).toBe(
      "test/web/Resource: 'targetContainer' is not a container of this Pod (it has app, metrics) (got \"nginx\"). Name one of them, or omit it to target the first.");
  });

  test('debug on: the sidecar is no target, and is not listed as one', () => {
    // GIVEN debug on: the sidecar 'debug' is a container of the Pod
    const dep = web({ enabled: true });

    // WHEN the sidecar is named as the target THEN it is refused, and only the app containers are offered
    expect(errorOf(() => dep.debug.ephemeralContainer({ targetContainer: 'debug' }))).toBe(
      "test/web/Resource: 'targetContainer' is not a container of this Pod (it has app, metrics) (got \"debug\"). Name one of them, or omit it to target the first.");
    expect(dep.debug.ephemeralContainer({ targetContainer: 'metrics' }).targetContainerName).toBe('metrics');
  });

  test('debug off: a target given explicitly is kept', () => {
    expect(web().debug.ephemeralContainer({ targetContainer: 'metrics' }).targetContainerName).toBe('metrics');
  });
});

describe('ephemeralContainer(): a Pod that already has ephemeral containers', () => {
  const POD = { containers: [{ name: 'main', image: 'nginx:1.27' }] };

  test('the default name steps aside from an ephemeral container named as the sidecar', () => {
    // GIVEN a Pod that was debugged once already
    const sidecar = podWith({ ...POD, ephemeralContainers: [{ name: 'debug', image: 'busybox:1.36' }] });

    // WHEN / THEN
    expect(sidecar.ephemeralContainer().name).toBe('debug-ephemeral');
  });

  test('a name an ephemeral container has is refused: ephemeral containers cannot be removed', () => {
    const sidecar = podWith({ ...POD, ephemeralContainers: [{ name: 'dbg', image: 'busybox:1.36' }] });
    expect(errorOf(() => sidecar.ephemeralContainer({ name: 'dbg' }))).toBe(
      "test/pod: 'name' is already a container of this Pod (got \"dbg\"). Give the ephemeral container another name, such as 'debug-2'.");
  });

  test('kubectlDebug: the Pod Security level counts the ephemeral containers it has and the new one', () => {
    // GIVEN a Pod whose earlier ephemeral container is privileged, and a debug container that needs no capability
    const sidecar = podWith({ ...POD, ephemeralContainers: [{ name: 'old', image: 'busybox:1.36', securityContext: { privileged: true } }] },
      { tools: [DebugTool.CURL] });

    // WHEN / THEN
    expect(sidecar.kubectlDebug({ pod: 'web-1' }).podSecurityLevel).toBe(PodSecurityLevel.PRIVILEGED);
  });
});

describe("ephemeralContainer(): the command is the sidecar's, with the ephemeral keep-alive", () => {
  test.each<[string, string[]]>([
    ['a command of the user\'s', ['sleep', '600']],
    ['a three-word command of the user\'s', ['/bin/sh', '-c', 'sleep 600']],
    ['the exit-with-app script with $0 after it', ['/bin/sh', '-c', EXIT_WITH_APP_SCRIPT, 'debug']],
  ])('%s is kept as written', (_what, command) => {
    expect(web({ command }).debug.ephemeralContainer().command).toEqual(command);
  });

  test('the exit-with-app keep-alive (it would wait for a shared process namespace) becomes the plain one', () => {
    expect(web({ command: ['/bin/sh', '-c', EXIT_WITH_APP_SCRIPT] }).debug.ephemeralContainer().command).toEqual(KEEP_ALIVE);
  });
});

describe('kubectlDebug(): its options', () => {
  test.each<[string, unknown, string]>([
    ['options that are not an object', 'web-1',
      "'options' is not an object (got \"web-1\"). Pass an object such as { pod: 'web-7d9f8b6c5-x2x4q' }."],
    ['no options at all', undefined,
      "test/web/Resource: 'pod' is not a Pod name (got undefined). Pass the name of the running Pod, from kubectl get pods."],
    ['a pod that is not a string', { pod: 7 },
      "'pod' is not a string (got 7). Pass the name of the running Pod, from kubectl get pods."],
    ['a namespace that is not a string', { pod: 'web-1', namespace: true },
      "'namespace' is not a string (got true). Pass a namespace such as 'shop'."],
    ['a customFile that is not a string', { pod: 'web-1', customFile: 1 },
      "'customFile' is not a string (got 1). Pass a file name such as 'debug-custom.json'."],
    ['an empty customFile', { pod: 'web-1', customFile: '' },
      "test/web/Resource: 'customFile' is empty (got \"\"). Pass a file name such as 'debug-custom.json'."],
    ['a customFile of blanks', { pod: 'web-1', customFile: '  ' },
      "test/web/Resource: 'customFile' is empty (got \"  \"). Pass a file name such as 'debug-custom.json'."],
    ['a copyTo that is not a string', { pod: 'web-1', copyTo: 1 },
      "'copyTo' is not a string (got 1). Pass a name for the copy, such as 'web-debug'."],
  ])('%s is refused with the whole message', (_what, options, message) => {
    const dep = web();
    expect(errorOf(() => dep.debug.kubectlDebug(options as any))).toBe(message);
  });
});

describe('kubectlDebug(): the whole command', () => {
  test('no namespace anywhere: no --namespace, so kubectl uses its current one; nothing refused, no pull secret missing', () => {
    // GIVEN a workload without a namespace
    const dep = web({ tools: [DebugTool.CURL] });

    // WHEN
    const cmd = dep.debug.kubectlDebug({ pod: 'web-1' });

    // THEN
    expect(cmd).toStrictEqual({
      args: ['debug', 'web-1', '--image=docker.io/nicolaka/netshoot:v0.14', '--image-pull-policy=IfNotPresent', '--container=debug',
        '--target=app', '--profile=baseline', '--custom=debug-custom.json', '--', ...KEEP_ALIVE],
      customJson: JSON.stringify({ securityContext: dep.debug.ephemeralContainer().securityContext }),
      podSecurityLevel: PodSecurityLevel.BASELINE,
      minKubectlVersion: '1.31',
      labelArgs: ['label', 'pod', 'web-1', '--overwrite', 'cdk8s-debuggable.dev/debug=true'],
      annotateArgs: ['annotate', 'pod', 'web-1', '--overwrite',
        'cdk8s-debuggable.dev/capabilities=none', 'cdk8s-debuggable.dev/container=debug', 'cdk8s-debuggable.dev/tools=curl'],
    });
  });

  test('a restricted Pod without ephemeral containers stays restricted with a restricted debug container', () => {
    // GIVEN an app Pod Security 'restricted' admits, and curl under DebugProfile.RESTRICTED
    const dep = restrictedApp(Testing.chart(), 'web', { tools: [DebugTool.CURL], profile: DebugProfile.RESTRICTED });

    // WHEN / THEN the Pod with the ephemeral container added is still restricted
    expect(dep.debug.kubectlDebug({ pod: 'web-1' }).podSecurityLevel).toBe(PodSecurityLevel.RESTRICTED);
  });

  test("the workload's namespace is the default, and a ttl is recorded on the Pod", () => {
    // GIVEN a workload in the chart's namespace 'shop'
    const inShop = new DebuggableDeployment(new Chart(Testing.app(), 'c', { namespace: 'shop' }), 'web', {
      containers: [{ name: 'app', image: 'nginxinc/nginx-unprivileged:1.27.3' }], debug: { tools: [DebugTool.CURL] },
    });

    // WHEN
    const cmd = inShop.debug.kubectlDebug({ pod: 'web-1', ttl: Duration.minutes(2) });

    // THEN
    expect(cmd.args.slice(0, 3)).toEqual(['debug', 'web-1', '--namespace=shop']);
    expect(cmd.args.slice(-3)).toEqual(['/bin/sh', '-c', "trap 'exit 0' TERM INT; sleep 120 & wait $!"]);
    expect(cmd.labelArgs).toEqual(['label', 'pod', 'web-1', '--namespace=shop', '--overwrite', 'cdk8s-debuggable.dev/debug=true']);
    expect(cmd.annotateArgs).toContain('cdk8s-debuggable.dev/ttl=120s');
  });
});

describe('kubectlDebug(): pull secrets the running Pod lacks', () => {
  const POD = { containers: [{ name: 'main', image: 'nginx:1.27' }], imagePullSecrets: [{ name: 'app-pull' }] };
  /** The whole advice for the missing pull secrets. */
  const adviceFor = (missing: string[]) =>
    `'debug.imagePullSecrets' ${missing.length === 1 ? 'is' : 'are'} not in the Pod's imagePullSecrets (as the workload synthesizes now), `
    + 'and an ephemeral container cannot add any: Kubernetes sets them per Pod (kubernetes/kubernetes#127835), '
    + `so the kubelet may fail to pull 'docker.io/nicolaka/netshoot:v0.14' (ErrImagePull) (got ${JSON.stringify(missing)}). `
    + "Ways out: (1) nothing, if the Pod's ServiceAccount lists them (Kubernetes copied them into the Pod when it was created); "
    + "(2) debug a copy of the Pod instead, which gets them: kubectlDebug({ pod, copyTo: '<name>' }), or --copy-to <name> on the command line; "
    + '(3) add them to the workload (or its ServiceAccount) and roll out, then debug a new Pod; '
    + '(4) use a debug image the Pod can already pull.';

  test.each<[string, unknown[], string[], string[]]>([
    ['one missing: "is"', POD.imagePullSecrets, ['app-pull', 'debug-pull'], ['debug-pull']],
    ['two missing: "are"', POD.imagePullSecrets, ['debug-pull', 'mirror-pull'], ['debug-pull', 'mirror-pull']],
    ['an empty entry in a hand-written Pod\'s list is skipped', [null, { name: 'app-pull' }], ['app-pull', 'debug-pull'], ['debug-pull']],
  ])('%s', (_what, podSecrets, debugSecrets, missing) => {
    // GIVEN a Pod with its own pull secrets, and a debug image that needs others
    const sidecar = podWith({ ...POD, imagePullSecrets: podSecrets }, { imagePullSecrets: debugSecrets });

    // WHEN / THEN the advice names the missing ones
    expect(sidecar.kubectlDebug({ pod: 'web-1' }).pullSecretAdvice).toBe(adviceFor(missing));
  });

  test('none missing: no advice', () => {
    expect(podWith(POD, { imagePullSecrets: ['app-pull'] }).kubectlDebug({ pod: 'web-1' })).not.toHaveProperty('pullSecretAdvice');
  });
});
