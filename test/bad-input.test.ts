import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { ApiObject, Chart, Cron, Include, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  Capability, DebugImage, DebuggableDeployment, DebugOptions, DebugProfile, DebugSidecar, DebugToggle, DebugTool, DebugWarnings,
  ImageFamily, KubernetesVersion, PodSecurity, PodSecurityLevel, SidecarForm,
} from '../src';
import { everyManifestPassesTheSchema, synth, withEnv } from './support/manifests';

/*
 * Every bad input is refused at synth with the library's own message (the
 * field, the value, the fix), by class; nothing the API server or the
 * kubelet would reject is emitted.
 */

const APP = { name: 'app', image: 'nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };

function make(debug: unknown, more: Partial<kplus.DeploymentProps> = {}, setup: (chart: Chart) => void = () => {}) {
  const chart = Testing.chart();
  setup(chart);
  const dep = new DebuggableDeployment(chart, 'web', { containers: [APP], ...more, debug: debug as DebugOptions });
  return { chart, dep, synth: () => synth(chart) };
}
const on = (debug: Record<string, unknown>) => ({ enabled: true, ...debug });

describe('1. nothing the API server would reject is emitted', () => {
  test.each([['user', -1], ['group', -5], ['user', 1.5], ['user', 2 ** 31]])('fails on %s %p', (field, value) => {
    expect(() => make(on({ securityContext: { [field]: value } })))
      .toThrow(new RegExp(`'debug.securityContext.${field}' is (out of range \\(0 to 2147483647\\)|not an integer) \\(got ${String(value).replace('.', '\\.')}\\)\\. Use a whole number from 0 to 2147483647\\.`));
  });

  test.each([[kplus.Cpu.millis(-5), '"-5m"'], [kplus.Cpu.units(NaN), '"NaN"'], [kplus.Cpu.millis(0.5), '"0.5m"'], [kplus.Cpu.units(0), '"0"']])(
    'fails on the CPU quantity %p', (cpu, shown) => {
      expect(() => make(on({ resources: { cpu: { limit: cpu } } })))
        .toThrow(`'debug.resources.cpu.limit' is not a positive CPU quantity of at least 1m (got ${shown}). Use Cpu.millis(n)`);
    });

  test('fails on a name whose derived volume names would pass 63 characters; 54 is the longest', () => {
    expect(() => make(on({ name: 'a'.repeat(55) }))).toThrow(/'debug.name' is not a valid container name .*at most 54 characters \(its volumes add '-no-token'/);
    // A Pod that automounts its token gets both volumes, '<name>-scratch' and '<name>-no-token'.
    const { synth: s } = make(on({ name: 'a'.repeat(54) }), { automountServiceAccountToken: true });
    const volumes: string[] = s()[0].spec.template.spec.volumes.map((v: any) => v.name);
    expect(volumes.map(v => v.length).sort()).toEqual([62, 63]);
  });

  test('fails on an imagePullPolicy outside Always/IfNotPresent/Never (from JavaScript)', () => {
    expect(() => make(on({ imagePullPolicy: 'Sometimes' })))
      .toThrow("'debug.imagePullPolicy' is not an ImagePullPolicy (got \"Sometimes\"). Use one of ImagePullPolicy.ALWAYS, ImagePullPolicy.IF_NOT_PRESENT, ImagePullPolicy.NEVER.");
  });

  test('fails on a Windows Pod: the sidecar is a Linux container', () => {
    const { dep, synth: s } = make(on({}));
    ApiObject.of(dep).addJsonPatch(JsonPatch.add('/spec/template/spec/os', { name: 'windows' }));
    expect(s).toThrow(/test\/web\/Resource: 'spec.os.name' makes this a Windows Pod, and the debug sidecar is a Linux container .*\(got "windows"\)\. Switch debug off for Windows workloads/);
  });

  test('a Windows Pod with debug off is untouched', () => {
    const { dep, synth: s } = make({ enabled: false });
    ApiObject.of(dep).addJsonPatch(JsonPatch.add('/spec/template/spec/os', { name: 'windows' }));
    expect(s()[0].spec.template.spec.containers.map((c: any) => c.name)).toEqual(['app']);
  });
});

describe('2. wrong types from JavaScript or Python fail with the library\'s message', () => {
  test("enabled: 'false' (a string) is an error, never a truthy 'on'", () => {
    expect(() => make({ enabled: 'false', tools: [DebugTool.TCPDUMP] }))
      .toThrow("'debug.enabled' is not a boolean (got \"false\"). Write true or false without quotes.");
  });

  test("command: 'sleep infinity' (a string) is an error", () => {
    expect(() => make(on({ command: 'sleep infinity' })))
      .toThrow("'debug.command' is not a list (got \"sleep infinity\"). Omit it to use the default keep-alive, or give the program and its arguments as a list of strings.");
  });

  test('a misspelled tool (undefined in the list) is an error that names its index', () => {
    expect(() => make(on({ tools: [DebugTool.TCPDUMP, (DebugTool as any).TCPDUMPP] })))
      .toThrow(/^'debug.tools\[1\]' is not a DebugTool \(got undefined\)\. Pass a list of DebugTool members/);
  });

  test.each<[string, unknown, RegExp]>([
    ['profile as a string', { profile: 'netadmin' }, /'debug.profile' is not a DebugProfile \(got "netadmin"\)/],
    ['a capability as a string', { securityContext: { capabilities: ['NET_RAW'] } }, /'debug.securityContext.capabilities\[0\]' is not a Capability \(got "NET_RAW"\)/],
    ['options as a string', 'tcpdump', /'debug' is not an object \(got "tcpdump"\)/],
    ['shareProcessNamespace as a string', { shareProcessNamespace: 'yes' }, /'debug.shareProcessNamespace' is not a boolean \(got "yes"\)/],
    ['a size as a number', { scratchSizeLimit: 512 }, /'debug.scratchSizeLimit' is not a Size \(got 512\)\. Use Size.mebibytes/],
    ['openShiftScc as a number', { openShiftScc: 1 }, /'debug.openShiftScc' is not a string \(got 1\)/],
  ])('%s', (_name, debug, error) => {
    expect(() => make(typeof debug === 'object' ? on(debug as any) : debug)).toThrow(error);
  });

  test('public entry points check their arguments: DebugTool.custom, Capability.of, attachAll, setEnabled', () => {
    expect(() => DebugTool.custom({ name: 'x', capabilities: ['NET_RAW'] as any })).toThrow(/'props.capabilities\[0\]' is not a Capability \(got "NET_RAW"\)/);
    expect(() => DebugTool.custom({} as any)).toThrow(/'props.name' is required \(got undefined\)/);
    expect(() => Capability.of(7 as any)).toThrow(/'name' is not a capability name \(got 7\)/);
    expect(() => DebugSidecar.attachAll('chart' as any)).toThrow(/'scope' is not a construct \(got "chart"\)/);
    expect(() => DebugToggle.setEnabled(Testing.chart(), 'true' as any)).toThrow(/'enabled' is not a boolean \(got "true"\)/);
  });
});

describe('3. wrong configurations are refused, not accepted silently', () => {
  test('a podSpecPath that points at the pod template, one level up, is refused with the fix', () => {
    const chart = Testing.chart();
    const rollout = new ApiObject(chart, 'rollout', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web' },
      spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
    } as any);
    expect(() => DebugSidecar.attach(rollout, { enabled: false, podSpecPath: '/spec/template' }))
      .toThrow(/'podSpecPath' does not point at a pod spec .*\(got "\/spec\/template"\)\. Give the JSON pointer of the pod spec\. It points at a pod template: use '\/spec\/template\/spec'\./);
  });

  test('a form that is not a SidecarForm', () => {
    expect(() => make(on({ form: 'sidecar' }))).toThrow(/'debug.form' is not a SidecarForm \(got "sidecar"\)\. Use one of SidecarForm.CONTAINER/);
  });

  test.each(['Job', 'CronJob'])('SidecarForm.CONTAINER on a %s, which would never complete', (kind) => {
    const chart = Testing.chart();
    const w = kind === 'Job' ? new kplus.Job(chart, 'w', { containers: [APP] })
      : new kplus.CronJob(chart, 'w', { containers: [APP], schedule: Cron.daily() });
    expect(() => DebugSidecar.attach(w, { form: SidecarForm.CONTAINER }))
      .toThrow(new RegExp(`'debug.form' would keep this ${kind} from ever completing .*\\(got "container"\\)\\. Use SidecarForm.EXIT_WITH_APP`));
  });

  test('NATIVE_SIDECAR on a cluster older than 1.29', () => {
    expect(() => make(on({ form: SidecarForm.NATIVE_SIDECAR }), {}, c => KubernetesVersion.set(c, KubernetesVersion.V1_28)))
      .toThrow(/'debug.form' needs Kubernetes 1.29 or later, and the cluster is 1.28 \(context cdk8s-debuggable\/kubernetes-version\)/);
  });

  test.each<[string, DebugOptions, RegExp]>([
    ['BASELINE with SYS_ADMIN', { profile: DebugProfile.BASELINE, securityContext: { capabilities: [Capability.SYS_ADMIN] } },
      /'debug.securityContext.capabilities\[0\]' is beyond DebugProfile.BASELINE, which allows AUDIT_WRITE/],
    ['NETADMIN made privileged', { profile: DebugProfile.NETADMIN, securityContext: { privileged: true, allowPrivilegeEscalation: true } },
      /'debug.securityContext.privileged' contradicts DebugProfile.NETADMIN, which is not privileged \(got true\)\. Use DebugProfile.SYSADMIN/],
    ['RESTRICTED as user 0', { profile: DebugProfile.RESTRICTED, securityContext: { user: 0 } },
      /'debug.securityContext.user' contradicts DebugProfile.RESTRICTED, which runs the sidecar as non-root \(got 0\)/],
  ])('a profile contradicted by the explicit security context: %s', (_name, debug, error) => {
    expect(() => make(on(debug as any))).toThrow(error);
  });

  test('the production guard: either declaration of production wins over a dev one', () => {
    expect(() => withEnv({ CDK8S_ENVIRONMENT: 'production' }, () => make(on({}), {}, c => DebugToggle.setEnvironment(c, 'dev'))))
      .toThrow(/'debug.enabled' turns the debug sidecar on where the environment is production \(environment variable CDK8S_ENVIRONMENT = 'production'/);
    expect(() => withEnv({ CDK8S_ENVIRONMENT: 'dev' }, () => make(on({}), {}, c => DebugToggle.setEnvironment(c, 'production'))))
      .toThrow(/production \(context cdk8s-debuggable\/environment = 'production'/);
  });

  test('attachAll filters that can never match: an unknown kind, or the wrong case', () => {
    const chart = Testing.chart();
    new kplus.Deployment(chart, 'web', { containers: [APP] });
    expect(() => DebugSidecar.attachAll(chart, { kinds: ['deployment'] }))
      .toThrow(/'kinds\[0\]' is not a kind with a pod template, so it can never match \(got "deployment"\)\. Write 'Deployment' \(kinds are case-sensitive\)\./);
    expect(() => DebugSidecar.attachAll(chart, { kinds: ['Service'] })).toThrow(/'kinds\[0\]' is not a kind with a pod template.*Use one of Pod, CronJob/);
  });

  test('attachAll that matches nothing is a warning, not silence', () => {
    const chart = Testing.chart();
    new kplus.Deployment(chart, 'web', { containers: [APP] });
    expect(DebugSidecar.attachAll(chart, { names: ['api'] })).toEqual([]);
    expect(DebugWarnings.of(chart)).toEqual([expect.stringMatching(/^test: DebugSidecar.attachAll found no workload that passes the filter \(got \{"names":\["api"\]\}\)/)]);
  });

  test('options are validated with debug off too: openShiftScc, podSpecPath, a custom tool\'s capabilities in the other family', () => {
    expect(() => make({ enabled: false, openShiftScc: 'Not An SCC' }, { metadata: { namespace: 'shop' } })).toThrow(/'debug.openShiftScc' is not an SCC name/);
    expect(() => make({ enabled: false, openShiftScc: 'privileged' })).toThrow(/'debug.openShiftScc' needs the workload's namespace/);
    const tool = DebugTool.custom({ name: 'sniffer', capabilities: [Capability.NET_RAW], debianCapabilities: [Capability.of('CAP_SETUID')] });
    expect(() => make({ enabled: false, tools: [tool] })).toThrow(/'debug.tools\[0\] \(sniffer\).debianCapabilities\[0\]' has the CAP_ prefix/);
  });

  test('an app that says shareProcessNamespace: false keeps it: a sidecar that needs it is refused, not forced', () => {
    const { dep, synth: s } = make(on({ tools: [DebugTool.STRACE] }));
    ApiObject.of(dep).addJsonPatch(JsonPatch.add('/spec/template/spec/shareProcessNamespace', false));
    expect(s).toThrow(/'spec.shareProcessNamespace' is set by the application \(cdk8s-plus releases since early 2025, 33 among them, write false unless told otherwise\), and the debug sidecar needs the Pod's processes in view \(got false\)/);
  });

  test('hostNetwork: NET_RAW acts on the node\'s network — a warning, and an error in production', () => {
    const { chart, synth: s } = make(on({ tools: [DebugTool.TCPDUMP] }), { hostNetwork: true });
    s();
    expect(DebugWarnings.of(chart)).toEqual([expect.stringMatching(/^test\/web\/Resource: 'spec.hostNetwork' gives the debug sidecar NET_RAW on the node's own network/)]);
    const prod = make(on({ tools: [DebugTool.TCPDUMP], allowInProduction: true }), { hostNetwork: true }, c => DebugToggle.setEnvironment(c, 'production'));
    expect(prod.synth).toThrow(/'spec.hostNetwork' gives the debug sidecar NET_RAW on the node's own network .*\(got true\)\. Switch debug off for this workload in production/);
  });
});

describe('4. clear errors', () => {
  test('privileged under RESTRICTED names the contradiction, not runAsNonRoot', () => {
    expect(() => make(on({ profile: DebugProfile.RESTRICTED, securityContext: { privileged: true, allowPrivilegeEscalation: true } })))
      .toThrow(/^'debug.securityContext.privileged' contradicts DebugProfile.RESTRICTED, which is not privileged/);
  });

  test('attach() on an Include points to attachAll and the Include\'s objects', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bad-input-'));
    const file = path.join(dir, 'm.yaml');
    writeFileSync(file, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: a }\nspec: { template: { spec: { containers: [{ name: a, image: "nginx:1.27" }] } } }\n');
    const chart = Testing.chart();
    const include = new Include(chart, 'third-party', { url: file });
    expect(() => DebugSidecar.attach(include)).toThrow(/'target' holds 1 workload object\(s\) \(Deployment a\), not one workload .*Use DebugSidecar.attachAll\(target, options\).*include.apiObjects/);
  });

  test('DebugToggle.setEnabled after children exist says when to call it', () => {
    const chart = Testing.chart();
    new kplus.Deployment(chart, 'web', { containers: [APP] });
    expect(() => DebugToggle.setEnabled(chart, true))
      .toThrow("'scope' already has children ('web'), and construct context only reaches constructs added after it (got \"test\"). Call DebugToggle.setEnabled right after creating the scope, before adding constructs to it.");
  });
});

describe('5. warnings: one channel to see, test and silence', () => {
  test('recorded per app and printed to stderr, unless silenced by DebugWarnings.silence, context or environment', () => {
    const printed: string[] = [];
    const write = process.stderr.write;
    (process.stderr as any).write = (s: string) => printed.push(s);
    try {
      withEnv({ CDK8S_DEBUGGABLE_WARNINGS: undefined }, () => {
        make(on({ scratchSizeLimit: Size.mebibytes(64) }), { hostNetwork: true, containers: [APP] }).synth();
        const loud = make(on({ tools: [DebugTool.TCPDUMP] }), { hostNetwork: true });
        loud.synth();
        const quiet = make(on({ tools: [DebugTool.TCPDUMP] }), { hostNetwork: true }, c => DebugWarnings.silence(c));
        quiet.synth();
        expect(DebugWarnings.of(quiet.chart)).toHaveLength(1);
      });
    } finally {
      (process.stderr as any).write = write;
    }
    expect(printed).toEqual([expect.stringMatching(/^\[cdk8s-debuggable\] warning: test\/web\/Resource: 'spec.hostNetwork' gives the debug sidecar NET_RAW/)]);
  });
});

describe('6. the debug container fits the Pod (docs/fitting-pods.md)', () => {
  test('an unknown volume name in appVolumes', () => {
    const chart = Testing.chart();
    const data = kplus.Volume.fromEmptyDir(chart, 'data', 'data');
    new DebuggableDeployment(chart, 'web', {
      containers: [{ ...APP, volumeMounts: [{ path: '/data', volume: data }] }],
      debug: { enabled: true, appVolumes: { names: ['dta'] } },
    });
    expect(() => synth(chart)).toThrow(/test\/web\/Resource: 'debug.appVolumes.names\[0\]' is not a volume the app container 'app' mounts \(it mounts data\) \(got "dta"\)\. Name one of them, or omit 'names' to mount them all\./);
  });

  test('a pull secret name that is not a DNS name', () => {
    expect(() => make(on({ imagePullSecrets: ['Registry_Creds'] })))
      .toThrow(/^'debug.imagePullSecrets\[0\]' is not a Secret name \(got "Registry_Creds"\)\. Use lowercase letters, digits, dashes and dots, at most 253 characters/);
  });

  test('a digest-only policy with a tag, in production', () => {
    expect(() => make(on({ image: DebugImage.of('registry.example.com/team/debug:1.4'), allowInProduction: true, requireDigestInProduction: true }), {},
      c => DebugToggle.setEnvironment(c, 'production')))
      .toThrow(/^'debug.image' is not pinned by digest, and 'requireDigestInProduction' refuses that where the environment is production \(got "registry.example.com\/team\/debug:1.4"\)\. Pin it by digest/);
  });

  test("the app's user with a tool that needs capabilities", () => {
    expect(() => make(on({ runAsAppUser: true, tools: [DebugTool.TCPDUMP] })))
      .toThrow(/^'debug.runAsAppUser' runs the debug container as the app's user, but tcpdump needs NET_RAW; Kubernetes gives a non-root container no effective capabilities \(kubernetes\/kubernetes#56374\) \(got true\)\. Remove 'runAsAppUser'/);
  });
});

describe('7. options refuse keys they do not know (plain JavaScript, and maps from other languages)', () => {
  const web = () => make({}).dep;
  test.each<[string, () => unknown, RegExp]>([
    ['a misspelt debug option, with the nearest key', () => make({ toolz: [DebugTool.TCPDUMP] }),
      /^'debug.toolz' is not a key of 'debug', so it would be ignored \(got \[\{.*\}\]\)\. Did you mean 'tools'\? The keys are enabled, allowInProduction, /],
    ['a renamed security-context key, with its new name', () => make({ securityContext: { runAsNonRoot: true, user: 0 } }),
      /^'debug.securityContext.runAsNonRoot' was renamed to 'ensureNonRoot' \(got true\)\. Write 'ensureNonRoot' instead\./],
    ['resources', () => make({ resources: { cpus: {} } }), /^'debug.resources.cpus' is not a key of 'debug.resources'.*Did you mean 'cpu'\?/],
    ['appVolumes', () => make({ appVolumes: { name: ['tmp'] } }), /^'debug.appVolumes.name' is not a key of 'debug.appVolumes'.*Did you mean 'names'\?/],
    ['the ephemeral options', () => web().debug.ephemeralContainer({ target: 'app' } as any), /^'options.target' is not a key of 'options'/],
    ['the kubectl-debug options', () => web().debug.kubectlDebug({ pod: 'p', namespce: 'shop' } as any),
      /^'options.namespce' is not a key of 'options'.*Did you mean 'namespace'\?/],
    ['the recipe options', () => DebugImage.recipe({ tools: [DebugTool.TCPDUMP], family: ImageFamily.DEBIAN, base: 'x' } as any),
      /^'options.base' is not a key of 'options'/],
    ['attachAll, whose keys are the filter\'s and the sidecar\'s', () => DebugSidecar.attachAll(Testing.chart(), { kind: ['Deployment'] } as any),
      /^'debug.kind' is not a key of 'debug'.*Did you mean 'kinds'\?/],
    ['the Pod Security options', () => PodSecurity.levelOf(web(), { versoin: 'v1.30' } as any), /^'options.versoin' is not a key of 'options'.*Did you mean 'version'\?/],
    ['a custom tool', () => DebugTool.custom({ name: 'psql', needsProcessNamespace: true } as any),
      /^'props.needsProcessNamespace' was renamed to 'needsShareProcessNamespace'/],
  ])('%s', (_what, run, message) => {
    expect(run).toThrow(message);
  });

  test('attachAll passes only the sidecar\'s options on: its filter keys are its own', () => {
    const chart = Testing.chart();
    new kplus.Deployment(chart, 'w', { containers: [APP] });
    expect(DebugSidecar.attachAll(chart, { kinds: ['Deployment'], tools: [DebugTool.CURL] }).map(s => s.tools.map(t => t.name))).toEqual([['curl']]);
  });
});

describe('8. PodSecurity refuses what is not a pod spec', () => {
  test.each<[unknown, RegExp]>([
    [{ nope: 1 }, /^'podSpec.containers' must be a non-empty list of containers \(got undefined\)/],
    [{ containers: 'x' }, /^'podSpec.containers' must be a non-empty list of containers \(got "x"\)/],
    [{ containers: [] }, /^'podSpec.containers' must be a non-empty list/],
    [{ containers: [42] }, /^'podSpec.containers\[0\]' is not a container \(an object with a name\) \(got 42\)/],
    ['spec', /^'podSpec' is not an object \(got "spec"\)/],
  ])('%j', (podSpec, message) => {
    expect(() => PodSecurity.levelOfPodSpec(podSpec)).toThrow(message);
    expect(() => PodSecurity.violationsOfPodSpec(podSpec, PodSecurityLevel.BASELINE)).toThrow(message);
  });
});

everyManifestPassesTheSchema();
