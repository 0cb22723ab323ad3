import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  DebuggableDeployment, DebugOptions, DebugSidecar, KubernetesVersion, PodSecurity, PodSecurityLevel, SidecarForm,
} from '../src';
import { errorOf } from './support/errors';
import { containerNamed, only, podSpecOf, synth, withEnv } from './support/manifests';

/*
 * The top-level input checks, through the public API: how a bad value is
 * shown in the message (errors.ts), the type checks of options (input.ts),
 * KubernetesVersion, Kubernetes names (names.ts) and pod spec paths of custom
 * resources (pod-spec.ts).
 */

const APP = { name: 'app', image: 'nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };
const APPARMOR = 'container.apparmor.security.beta.kubernetes.io/';

function deployment(debug: unknown, setup: (chart: Chart) => void = () => {}) {
  const chart = Testing.chart();
  setup(chart);
  const dep = new DebuggableDeployment(chart, 'web', { containers: [APP], debug: debug as DebugOptions });
  return { chart, dep };
}

/** The whole message for a bad `debug.enabled`, which shows any value it is given. */
const enabledError = (value: unknown) => errorOf(() => deployment({ enabled: value }));

describe('a bad value is shown as the user wrote it', () => {
  test('a named function is shown by its name, an anonymous one as a function', () => {
    function probe() { return true; }
    expect(enabledError(probe)).toBe("'debug.enabled' is not a boolean (got a function (probe)). Write true or false.");
    expect(enabledError([() => true][0])).toBe("'debug.enabled' is not a boolean (got a function). Write true or false.");
  });

  test('NaN and the infinities are shown as numbers, not as strings or null', () => {
    expect(enabledError(NaN)).toBe("'debug.enabled' is not a boolean (got NaN). Write true or false.");
    expect(enabledError(-Infinity)).toBe("'debug.enabled' is not a boolean (got -Infinity). Write true or false.");
  });

  test('NaN and the infinities inside an object are shown by name, not as null', () => {
    expect(enabledError({ on: NaN, off: Infinity, n: 1 }))
      .toBe('\'debug.enabled\' is not a boolean (got {"on":"NaN","off":"Infinity","n":1}). Write true or false.');
  });

  test('a bigint is shown with its n suffix', () => {
    expect(enabledError(BigInt(10))).toBe("'debug.enabled' is not a boolean (got 10n). Write true or false.");
  });

  test('a symbol is shown with its description', () => {
    expect(enabledError(Symbol('on'))).toBe("'debug.enabled' is not a boolean (got Symbol(on)). Write true or false.");
  });

  test('a value JSON cannot write (a cycle) is still shown, as its string', () => {
    const cyclic: any = { name: 'x' };
    cyclic.self = cyclic;
    expect(enabledError(cyclic)).toBe("'debug.enabled' is not a boolean (got [object Object]). Write true or false.");
  });

  test('undefined, strings and plain values', () => {
    expect(errorOf(() => DebugSidecar.attach(new ApiObject(Testing.chart(), 'cm', { apiVersion: 'v1', kind: 'ConfigMap' }), {})))
      .toBe("test/cm: 'kind' has no pod template, so this object cannot get a debug sidecar (got \"ConfigMap\"). "
        + 'Attach to a workload (Pod, CronJob, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, PodTemplate), '
        + "or give 'podSpecPath' for a custom resource with a pod template.");
    expect(enabledError('on')).toBe("'debug.enabled' is not a boolean (got \"on\"). Write true or false without quotes.");
    expect(enabledError(1)).toBe("'debug.enabled' is not a boolean (got 1). Write true or false.");
    expect(enabledError(null)).toBe("'debug.enabled' is not a boolean (got null). Write true or false.");
  });
});

describe('type checks of the options', () => {
  const ID_FIX = 'Use a whole number from 0 to 2147483647.';
  const userError = (user: unknown) => errorOf(() => deployment({ enabled: true, securityContext: { user } }));

  test('a user id given as a string is not an integer, even when it reads as one', () => {
    expect(userError('1000')).toBe(`'debug.securityContext.user' is not an integer (got "1000"). ${ID_FIX}`);
    expect(userError(NaN)).toBe(`'debug.securityContext.user' is not an integer (got NaN). ${ID_FIX}`);
    expect(userError(1.5)).toBe(`'debug.securityContext.user' is not an integer (got 1.5). ${ID_FIX}`);
  });

  test('the range of a user id includes both ends', () => {
    for (const user of [0, 2147483647]) {
      const { chart } = deployment({ enabled: true, securityContext: { user } });
      const spec = podSpecOf(only(synth(chart), 'Deployment'));
      expect(containerNamed(spec, 'debug').securityContext.runAsUser).toBe(user);
    }
    expect(userError(2147483648)).toBe(`'debug.securityContext.user' is out of range (0 to 2147483647) (got 2147483648). ${ID_FIX}`);
    expect(userError(-1)).toBe(`'debug.securityContext.user' is out of range (0 to 2147483647) (got -1). ${ID_FIX}`);
  });

  test.each<[string, unknown, string]>([
    ['a string', 'tcpdump', '"tcpdump"'],
    ['a list', ['tcpdump'], '["tcpdump"]'],
    ['a number', 1, '1'],
  ])('options that are %s are not an object', (_what, debug, shown) => {
    expect(errorOf(() => deployment(debug)))
      .toBe(`'debug' is not an object (got ${shown}). Pass an object such as { tools: [DebugTool.TCPDUMP] }.`);
  });

  test('DebuggableDeployment reads debug: null as no options, DebugSidecar.attach refuses null', () => {
    const { dep } = deployment(null);
    expect(dep.debug.enabled).toBe(false);
    const web = new kplus.Deployment(Testing.chart(), 'web', { containers: [APP] });
    expect(errorOf(() => DebugSidecar.attach(web, null as any)))
      .toBe("'debug' is not an object (got null). Pass an object such as { tools: [DebugTool.TCPDUMP] }.");
  });

  const resourcesError = (resources: Record<string, unknown>) => errorOf(() => deployment({ enabled: true, resources }));
  const RESOURCE_KEYS = 'The keys are cpu, memory, ephemeralStorage.';

  test('an unknown key far from every known key gets no suggestion', () => {
    expect(resourcesError({ zzzzzz: 1 }))
      .toBe(`'debug.resources.zzzzzz' is not a key of 'debug.resources', so it would be ignored (got 1). ${RESOURCE_KEYS}`);
  });

  test('the suggestion reaches a third of the key\'s length, case-insensitively, and no further', () => {
    // 'memoxx' is 2 edits from 'memory' (6 letters: a third is 2), 'memxxx' is 3.
    expect(resourcesError({ memoxx: 1 }))
      .toBe(`'debug.resources.memoxx' is not a key of 'debug.resources', so it would be ignored (got 1). Did you mean 'memory'? ${RESOURCE_KEYS}`);
    expect(resourcesError({ memxxx: 1 }))
      .toBe(`'debug.resources.memxxx' is not a key of 'debug.resources', so it would be ignored (got 1). ${RESOURCE_KEYS}`);
    expect(resourcesError({ MEMORY: 1 }))
      .toBe(`'debug.resources.MEMORY' is not a key of 'debug.resources', so it would be ignored (got 1). Did you mean 'memory'? ${RESOURCE_KEYS}`);
    // A short key still gets one edit.
    expect(resourcesError({ cp: 1 }))
      .toBe(`'debug.resources.cp' is not a key of 'debug.resources', so it would be ignored (got 1). Did you mean 'cpu'? ${RESOURCE_KEYS}`);
  });
});

describe('KubernetesVersion', () => {
  const FIX = "Write it as '1.35' (major.minor, optionally with a patch release).";

  test('of() gives the same object for the same text', () => {
    expect(KubernetesVersion.of('1.31')).toBe(KubernetesVersion.of('1.31'));
  });

  test('of() reads a v prefix, a patch release of any length and surrounding spaces', () => {
    expect(KubernetesVersion.of(' 1.30 ').name).toBe('1.30');
    expect(KubernetesVersion.of('v1.30.12').name).toBe('1.30');
    expect(KubernetesVersion.of('1.30.0').minor).toBe(30);
  });

  test.each(['1.x', '2.30', 'x1.30', '1.30x', '1.30.', '1.030', '1.30.01', '1', ''])('of(%p) is not a Kubernetes version', text => {
    expect(errorOf(() => KubernetesVersion.of(text))).toBe(`'version' is not a Kubernetes version (got ${JSON.stringify(text)}). ${FIX}`);
  });

  test('of() refuses a value that is not a string, naming the field it came from', () => {
    expect(errorOf(() => KubernetesVersion.of(1.3 as any, 'cluster'))).toBe(`'cluster' is not a Kubernetes version (got 1.3). ${FIX}`);
    expect(errorOf(() => KubernetesVersion.of(undefined as any))).toBe(`'version' is not a Kubernetes version (got undefined). ${FIX}`);
  });

  test('a minor version with three digits is a version, one the library does not know yet', () => {
    expect(errorOf(() => KubernetesVersion.of('1.100')))
      .toBe("'version' is not a Kubernetes version this library knows (1.23 to 1.37) (got \"1.100\"). Use '1.37' until a release of cdk8s-debuggable knows 1.100.");
  });

  test('set() refuses a version given as a string', () => {
    expect(errorOf(() => KubernetesVersion.set(Testing.chart(), '1.35' as any)))
      .toBe("'version' is not a KubernetesVersion (got \"1.35\"). Pass KubernetesVersion.V1_35 or KubernetesVersion.of('1.35').");
  });

  test('a version reads as its name in a string', () => {
    expect(`${KubernetesVersion.V1_30}`).toBe('1.30');
    expect(String(KubernetesVersion.of('v1.33.2'))).toBe('1.33');
  });

  test.each(['', '   '])('an environment variable that is set but blank (%p) declares no version', blank => {
    withEnv({ CDK8S_KUBERNETES_VERSION: blank }, () => {
      const chart = Testing.chart();
      const job = new kplus.Job(chart, 'job', { containers: [APP] });
      const sidecar = DebugSidecar.attach(job, { enabled: true });
      expect(sidecar.form).toBe(SidecarForm.EXIT_WITH_APP);
    });
  });

  test('the environment variable, with spaces around it, declares the version', () => {
    withEnv({ CDK8S_KUBERNETES_VERSION: ' 1.30 ' }, () => {
      const chart = Testing.chart();
      const job = new kplus.Job(chart, 'job', { containers: [APP] });
      expect(DebugSidecar.attach(job, { enabled: true }).form).toBe(SidecarForm.NATIVE_SIDECAR);
    });
  });
});

describe('Secret names (DNS subdomains) are at most 253 characters', () => {
  const name253 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;

  test('a pull secret name of 253 characters is accepted', () => {
    expect(name253).toHaveLength(253);
    const { chart } = deployment({ enabled: true, imagePullSecrets: [name253] });
    expect(podSpecOf(only(synth(chart), 'Deployment')).imagePullSecrets).toEqual([{ name: name253 }]);
  });

  test('one of 254 characters is refused', () => {
    const name254 = `${name253}d`;
    expect(errorOf(() => deployment({ enabled: true, imagePullSecrets: [name254] })))
      .toBe(`'debug.imagePullSecrets[0]' is not a Secret name (got "${name254}"). Use lowercase letters, digits, dashes and dots, at most 253 characters, starting and ending with a letter or digit (the name of a Secret in the Pod's namespace).`);
  });
});

describe('custom resources: the pod spec path given at attach', () => {
  const POD = { containers: [{ name: 'main', image: 'nginx:1.27' }] };

  function custom(chart: Chart, spec: Record<string, unknown>): ApiObject {
    return new ApiObject(chart, 'rollout', { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'web' }, spec } as any);
  }

  test('PodSecurity reads the pod spec at the path given to DebugSidecar.attach', () => {
    // GIVEN a custom resource whose pod spec is at a path that does not end in /spec
    const chart = Testing.chart();
    const rollout = custom(chart, { workers: { ...POD, hostNetwork: true } });
    DebugSidecar.attach(rollout, { enabled: false, podSpecPath: '/spec/workers' });
    // THEN PodSecurity finds it there (hostNetwork is beyond baseline)
    expect(PodSecurity.levelOf(rollout)).toBe(PodSecurityLevel.PRIVILEGED);
  });

  test('a pod spec path that does not end in /spec has no template metadata: nothing next to it is read or written', () => {
    // GIVEN a sibling 'metadata' that the path less its last five characters ('/pods') would reach
    const chart = Testing.chart();
    const metadata = { annotations: { [`${APPARMOR}main`]: 'unconfined' } };
    const rollout = custom(chart, { tmpl: { metadata, pods: POD } });
    DebugSidecar.attach(rollout, { enabled: true, podSpecPath: '/spec/tmpl/pods' });
    // THEN it is not read as the pod's metadata, and the sidecar's record is not written into it
    expect(PodSecurity.levelOf(rollout)).toBe(PodSecurityLevel.BASELINE);
    const synthesized = only(synth(chart), 'Rollout');
    expect(synthesized.spec.tmpl.metadata).toEqual(metadata);
    expect(synthesized.spec.tmpl.pods.containers.map((c: any) => c.name)).toEqual(['main', 'debug']);
  });

  test('the pod template metadata next to the pod spec is read: an unconfined AppArmor annotation makes a Deployment privileged', () => {
    const chart = Testing.chart();
    const dep = new kplus.Deployment(chart, 'web', { containers: [APP] });
    ApiObject.of(dep).addJsonPatch(JsonPatch.add('/spec/template/metadata/annotations', { [`${APPARMOR}app`]: 'unconfined' }));
    expect(PodSecurity.levelOf(dep)).toBe(PodSecurityLevel.PRIVILEGED);
  });

  test('a PodTemplate\'s metadata is read too', () => {
    const chart = Testing.chart();
    const template = new ApiObject(chart, 'template', {
      apiVersion: 'v1',
      kind: 'PodTemplate',
      metadata: { name: 'tpl' },
      template: { metadata: { annotations: { [`${APPARMOR}main`]: 'unconfined' } }, spec: POD },
    } as any);
    expect(PodSecurity.levelOf(template)).toBe(PodSecurityLevel.PRIVILEGED);
  });

  test('JSON pointer escapes in the path: ~1 is a slash and ~0 a tilde in a key', () => {
    const chart = Testing.chart();
    const rollout = custom(chart, { 'pods/main': { 'v~1': { ...POD, hostPID: true } } });
    DebugSidecar.attach(rollout, { enabled: true, podSpecPath: '/spec/pods~1main/v~01' });
    expect(PodSecurity.levelOf(rollout)).toBe(PodSecurityLevel.PRIVILEGED);
    const synthesized = only(synth(chart), 'Rollout');
    expect(synthesized.spec['pods/main']['v~1'].containers.map((c: any) => c.name)).toEqual(['main', 'debug']);
  });

  test.each<[string, string]>([
    ['/spec/missing', 'nothing'],
    ['/spec/name', 'a string'],
    ['/spec/list', 'a list'],
  ])('a path at %s (%s) is refused without the pod-template hint', (podSpecPath) => {
    const chart = Testing.chart();
    const rollout = custom(chart, { name: 'web', list: [{ spec: POD }], template: { spec: POD } });
    expect(errorOf(() => DebugSidecar.attach(rollout, { podSpecPath })))
      .toBe(`test/rollout: 'podSpecPath' does not point at a pod spec (an object with 'containers') in this Rollout (got "${podSpecPath}"). `
        + 'Give the JSON pointer of the pod spec.');
  });

  test('a path at the pod template gets the hint', () => {
    const chart = Testing.chart();
    const rollout = custom(chart, { template: { spec: POD } });
    expect(errorOf(() => DebugSidecar.attach(rollout, { podSpecPath: '/spec/template' })))
      .toBe("test/rollout: 'podSpecPath' does not point at a pod spec (an object with 'containers') in this Rollout (got \"/spec/template\"). "
        + "Give the JSON pointer of the pod spec. It points at a pod template: use '/spec/template/spec'.");
  });

  test('a pod spec without initContainers: the sidecar name is checked against the containers only', () => {
    const chart = Testing.chart();
    const rollout = custom(chart, { template: { spec: POD } });
    const sidecar = DebugSidecar.attach(rollout, { enabled: true, podSpecPath: '/spec/template/spec' });
    expect(sidecar.containerName).toBe('debug');
    expect(errorOf(() => DebugSidecar.attach(custom(Testing.chart(), { template: { spec: POD } }), { name: 'main', podSpecPath: '/spec/template/spec' })))
      .toBe("test/rollout: 'debug.name' clashes with a container of the application (got \"main\"). Set 'debug.name' to a name no container in this Pod uses.");
  });

  test('a workload object without a pod spec yet: attach waits for synth, and an ephemeral container finds no container to target', () => {
    const chart = Testing.chart();
    const bare = new ApiObject(chart, 'bare', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bare' } });
    const sidecar = DebugSidecar.attach(bare, { enabled: false });
    expect(errorOf(() => sidecar.ephemeralContainer()))
      .toBe("test/bare: 'targetContainer' is not a container of this Pod (it has none) (got undefined). Name one of them, or omit it to target the first.");
  });
});
