import { Chart, Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  DebugImage, DebuggableDeployment, DebugOptions, DebugProfile, DebugSidecar, DebugToggle, DebugTool, DebugWarnings, ImageFamily,
  PodSecurity, PodSecurityLevel,
} from '../src';
import { containerNamed, everyManifestPassesTheSchema, synth } from './support/manifests';

/*
 * The debug container fits the Pod it joins (docs/fitting-pods.md): the
 * debug image's pull secrets, digest references, the app's files and the
 * app's user, for the sidecar and the ephemeral container alike.
 */

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

interface Made {
  readonly chart: Chart;
  readonly web: DebuggableDeployment;
  readonly spec: () => any;
}

/** An app with two volumes (one mounted by subPath), pull secret 'regcred', user and group 101. */
function make(debug: DebugOptions, more: { user?: number; group?: number; podUser?: number; setup?: (chart: Chart) => void } = {}): Made {
  const chart = Testing.chart();
  more.setup?.(chart);
  const data = kplus.Volume.fromEmptyDir(chart, 'data', 'data');
  const config = kplus.Volume.fromConfigMap(chart, 'config', kplus.ConfigMap.fromConfigMapName(chart, 'cm', 'app-config'), { name: 'config' });
  const web = new DebuggableDeployment(chart, 'web', {
    containers: [{
      name: 'app',
      image: 'docker.io/nginxinc/nginx-unprivileged:1.27.3',
      portNumber: 8080,
      securityContext: 'user' in more || 'group' in more ? { user: more.user, group: more.group } : { user: 101, group: 101 },
      volumeMounts: [{ path: '/data', volume: data, readOnly: false }, { path: '/etc/app/app.yaml', volume: config, subPath: 'app.yaml' }],
    }],
    dockerRegistryAuth: kplus.Secret.fromSecretName(chart, 'regcred', 'regcred'),
    securityContext: more.podUser === undefined ? undefined : { user: more.podUser, group: more.podUser },
    debug,
  });
  return { chart, web, spec: () => synth(chart).find(o => o.kind === 'Deployment').spec.template.spec };
}
const on = (debug: DebugOptions): DebugOptions => ({ enabled: true, ...debug });

describe('1. private registries', () => {
  test('imagePullSecrets are added after the app\'s, each once', () => {
    const { spec, web } = make(on({ imagePullSecrets: ['regcred', 'debug-pull', 'debug-pull'] }));
    expect(spec().imagePullSecrets).toEqual([{ name: 'regcred' }, { name: 'debug-pull' }]);
    expect(web.debug.imagePullSecrets).toEqual(['regcred', 'debug-pull']);
  });

  test('a Pod without pull secrets gets the field', () => {
    const chart = Testing.chart();
    new DebuggableDeployment(chart, 'web', {
      containers: [{ name: 'app', image: 'docker.io/library/busybox:1.36' }],
      debug: on({ imagePullSecrets: ['debug-pull'] }),
    });
    expect(synth(chart)[0].spec.template.spec.imagePullSecrets).toEqual([{ name: 'debug-pull' }]);
  });

  test('debug off is byte-identical to the app alone, with every option of this page set', () => {
    const plain = make({ enabled: false });
    const off = make({
      enabled: false,
      imagePullSecrets: ['debug-pull'],
      appVolumes: {},
      runAsAppUser: true,
      requireDigestInProduction: true,
      image: DebugImage.of(`registry.example.com/team/debug@${DIGEST}`, ImageFamily.DEBIAN),
      tools: [DebugTool.CURL],
    });
    expect(Yaml.stringify(...synth(off.chart))).toEqual(Yaml.stringify(...synth(plain.chart)));
  });

  test('kubectlDebug() says what to do when the Pod lacks the pull secrets, and nothing when it has them', () => {
    const off = make({ imagePullSecrets: ['debug-pull'] }).web.debug.kubectlDebug({ pod: 'web-1' });
    expect(off.pullSecretAdvice).toMatch(/^'debug.imagePullSecrets' is not in the Pod's imagePullSecrets .*an ephemeral container cannot add any: Kubernetes sets them per Pod \(kubernetes\/kubernetes#127835\).* \(got \["debug-pull"\]\)\. Ways out: .*copyTo/);
    expect(make(on({ imagePullSecrets: ['debug-pull'] })).web.debug.kubectlDebug({ pod: 'web-1' }).pullSecretAdvice).toBeUndefined();
    expect(make({ imagePullSecrets: ['regcred'] }).web.debug.kubectlDebug({ pod: 'web-1' }).pullSecretAdvice).toBeUndefined();
    expect(make({}).web.debug.kubectlDebug({ pod: 'web-1' }).pullSecretAdvice).toBeUndefined();
  });

  test('a digest reference works everywhere: the manifest, the ephemeral container, the kubectl command, the family, the recipe', () => {
    const reference = `docker.io/nicolaka/netshoot@${DIGEST}`;
    const image = DebugImage.of(reference);
    expect(image.family).toBe(ImageFamily.ALPINE);
    const { spec, web, chart } = make(on({ image, tools: [DebugTool.TCPDUMP] }));
    expect(containerNamed(spec(), 'debug').image).toBe(reference);
    expect(web.debug.ephemeralContainer().image).toBe(reference);
    expect(web.debug.kubectlDebug({ pod: 'web-1' }).args).toContain(`--image=${reference}`);
    expect(DebugWarnings.of(chart)).toEqual([]);
    const tagged = `docker.io/library/debian:12.8-slim@${DIGEST}`;
    expect(DebugImage.of(tagged).family).toBe(ImageFamily.DEBIAN);
    expect(DebugImage.recipe({ tools: [DebugTool.DIG], family: ImageFamily.DEBIAN, baseImage: tagged })).toContain(`FROM ${tagged}`);
  });

  test('requireDigestInProduction: production refuses a tag, takes a digest; elsewhere a tag is a warning', () => {
    const prod = (image: DebugImage) => make(on({ image, allowInProduction: true, requireDigestInProduction: true }), { setup: c => DebugToggle.setEnvironment(c, 'production') });
    expect(() => prod(DebugImage.of('registry.example.com/team/debug:1.4', ImageFamily.DEBIAN)))
      .toThrow(/^'debug.image' is not pinned by digest, and 'requireDigestInProduction' refuses that where the environment is production \(got "registry.example.com\/team\/debug:1.4"\)\. Pin it by digest: DebugImage.of\('registry.example.com\/team\/debug@sha256:<digest>', family\)/);
    expect(prod(DebugImage.of(`registry.example.com/team/debug@${DIGEST}`, ImageFamily.DEBIAN)).web.debug.enabled).toBe(true);
    // Without the option, production takes a version tag.
    expect(make(on({ image: DebugImage.of('registry.example.com/team/debug:1.4', ImageFamily.DEBIAN), allowInProduction: true }),
      { setup: c => DebugToggle.setEnvironment(c, 'production') }).web.debug.enabled).toBe(true);
    const staging = make(on({ image: DebugImage.of('registry.example.com/team/debug:1.4', ImageFamily.DEBIAN), requireDigestInProduction: true }));
    expect(staging.web.debug.warnings).toEqual([expect.stringMatching(/^'debug.image' is not pinned by digest, and 'requireDigestInProduction' refuses that where the environment is production/)]);
  });
});

describe("2. the app's files", () => {
  test('appVolumes: {} mounts every volume of the app under /app, read-only, a subPath as it is', () => {
    const { spec } = make(on({ appVolumes: {} }));
    expect(containerNamed(spec(), 'debug').volumeMounts).toEqual([
      { mountPath: '/tmp', name: 'debug-scratch' },
      { mountPath: '/app/data', name: 'data', readOnly: true },
      { mountPath: '/app/etc/app/app.yaml', name: 'config', readOnly: true, subPath: 'app.yaml' },
    ]);
    // The app's own container is untouched.
    expect(containerNamed(spec(), 'app').volumeMounts).toEqual([
      { mountPath: '/data', name: 'data', readOnly: false }, { mountPath: '/etc/app/app.yaml', name: 'config', subPath: 'app.yaml' },
    ]);
  });

  test('named volumes only; readOnly: false mounts them as the app does', () => {
    const { spec } = make(on({ appVolumes: { names: ['data'], readOnly: false } }));
    expect(containerNamed(spec(), 'debug').volumeMounts).toEqual([
      { mountPath: '/tmp', name: 'debug-scratch' }, { mountPath: '/app/data', name: 'data', readOnly: false },
    ]);
  });

  test('the ephemeral container mounts them too, through --custom; a subPath there is an error with the way out', () => {
    const { web } = make({ appVolumes: { names: ['data'] } });
    const mounts = [{ mountPath: '/app/data', name: 'data', readOnly: true }];
    expect(web.debug.ephemeralContainer().volumeMounts).toEqual(mounts);
    expect(JSON.parse(web.debug.kubectlDebug({ pod: 'web-1' }).customJson).volumeMounts).toEqual(mounts);
    expect(() => make({ appVolumes: {} }).web.debug.ephemeralContainer())
      .toThrow(/'debug.appVolumes' mounts 'config' \(subPath app.yaml\), and an ephemeral container may not mount a subPath .*read the file through the app's root: \/proc\/<pid>\/root\/etc\/app\/app.yaml/);
  });

  test('an unknown volume name is an error at synth, with debug on or off', () => {
    const message = /'debug.appVolumes.names\[0\]' is not a volume the app container 'app' mounts \(it mounts data, config\) \(got "date"\)\. Name one of them/;
    expect(() => make(on({ appVolumes: { names: ['date'] } })).spec()).toThrow(message);
    expect(() => make({ appVolumes: { names: ['date'] } }).spec()).toThrow(message);
  });

  test('appContainer picks the app container; an unknown one is an error', () => {
    const chart = Testing.chart();
    const logs = kplus.Volume.fromEmptyDir(chart, 'logs', 'logs');
    new DebuggableDeployment(chart, 'web', {
      containers: [
        { name: 'app', image: 'docker.io/library/busybox:1.36', securityContext: { user: 1000, group: 1000 } },
        { name: 'shipper', image: 'docker.io/library/busybox:1.36', securityContext: { user: 2000, group: 3000 }, volumeMounts: [{ path: '/logs', volume: logs }] },
      ],
      debug: on({ appContainer: 'shipper', appVolumes: {}, runAsAppUser: true }),
    });
    const debug = containerNamed(synth(chart)[0].spec.template.spec, 'debug');
    expect(debug.volumeMounts[1]).toEqual({ mountPath: '/app/logs', name: 'logs', readOnly: true });
    expect([debug.securityContext.runAsUser, debug.securityContext.runAsGroup]).toEqual([2000, 3000]);
    expect(() => make(on({ appContainer: 'nope', appVolumes: {} })).spec()).toThrow(/'debug.appContainer' is not a container of this Pod \(it has app\) \(got "nope"\)/);
  });
});

describe("3. the app's user", () => {
  test('runAsAppUser: the app container\'s user and group, non-root', () => {
    const { spec, web } = make(on({ tools: [DebugTool.CURL, DebugTool.DIG], runAsAppUser: true }));
    const sc = containerNamed(spec(), 'debug').securityContext;
    expect(sc).toMatchObject({ runAsUser: 101, runAsGroup: 101, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(web.debug.runAsAppUser).toBe(true);
    expect(web.debug.ephemeralContainer().securityContext).toEqual(sc);
    expect(web.debug.containerJson().securityContext).toEqual(sc);
  });

  test("from the Pod's securityContext when the container sets none", () => {
    const { spec } = make(on({ runAsAppUser: true }), { user: undefined, group: undefined, podUser: 3000 });
    expect(containerNamed(spec(), 'debug').securityContext).toMatchObject({ runAsUser: 3000, runAsGroup: 3000, runAsNonRoot: true });
  });

  test('an app user unknown at synth is an error, with debug on or off', () => {
    const message = /'debug.runAsAppUser' needs the user \(runAsUser\) and group \(runAsGroup\) of the app container 'app', and neither it nor the Pod sets them .*\(got true\)\. Set them on the app container or the Pod/;
    expect(() => make(on({ runAsAppUser: true }), { user: undefined, group: undefined }).spec()).toThrow(message);
    expect(() => make({ runAsAppUser: true }, { user: undefined, group: undefined }).spec()).toThrow(message);
    expect(() => make({ runAsAppUser: true }, { user: 101, group: undefined }).web.debug.ephemeralContainer()).toThrow(/needs the group \(runAsGroup\) of the app container 'app'/);
  });

  test('tools that need capabilities, a profile that adds them, or an explicit user: clear errors at attach', () => {
    expect(() => make({ runAsAppUser: true, tools: [DebugTool.TCPDUMP, DebugTool.CURL] }))
      .toThrow(/^'debug.runAsAppUser' runs the debug container as the app's user, but tcpdump needs NET_RAW; Kubernetes gives a non-root container no effective capabilities \(kubernetes\/kubernetes#56374\) \(got true\)\. Remove 'runAsAppUser'/);
    expect(() => make({ runAsAppUser: true, profile: DebugProfile.NETADMIN })).toThrow(/but DebugProfile.NETADMIN adds NET_ADMIN, NET_RAW/);
    expect(() => make({ runAsAppUser: true, tools: [DebugTool.NSENTER] })).toThrow(/but nsenter needs SYS_ADMIN, SYS_PTRACE/);
    expect(() => make({ runAsAppUser: true, securityContext: { user: 1000 } }))
      .toThrow(/^'debug.securityContext.user' conflicts with 'debug.runAsAppUser', which takes the user, the group and the non-root setting from the app container \(got 1000\)/);
  });

  test('Pod Security advice follows: a restricted namespace takes curl as the app\'s non-root user, and names runAsAppUser when the app is root', () => {
    const restricted = (c: Chart) => PodSecurity.enforce(c, PodSecurityLevel.RESTRICTED);
    const fits = make(on({ tools: [DebugTool.CURL], runAsAppUser: true }), { setup: restricted });
    expect(() => fits.spec()).not.toThrow();
    const root = make(on({ tools: [DebugTool.CURL], runAsAppUser: true }), { user: 0, group: 0, setup: restricted });
    expect(() => root.spec()).toThrow(/'debug.runAsAppUser' of the debug sidecar 'debug' ask for more than Pod Security 'restricted:[^']+' allows .*'debug.runAsAppUser' runs it as the app container's user, root \(0\) \(got true\)\. Ways out: .*\(3\) run the app as a non-root user/);
    expect(root.web.debug.kubectlDebug({ pod: 'web-1' }).refusal).toMatch(/'debug.runAsAppUser' of the ephemeral debug container 'debug-ephemeral'/);
    expect(() => make(on({ runAsAppUser: true, profile: DebugProfile.RESTRICTED }), { user: 0, group: 0 }).spec())
      .toThrow(/'debug.runAsAppUser' runs the debug container as the user of the app container 'app', root \(0\), which DebugProfile.RESTRICTED forbids/);
  });

  test('DebugSidecar.of finds the same decisions', () => {
    const { web } = make(on({ runAsAppUser: true, imagePullSecrets: ['x'] }));
    expect(DebugSidecar.of(web)?.runAsAppUser).toBe(true);
  });
});

everyManifestPassesTheSchema();
