import { App, Chart, Include, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DebuggableDeployment, DebugImage, DebugOptions, DebugProfile, DebugTool, ImageFamily, PodSecurity, PodSecurityLevel } from '../src';
import { everyManifestPassesTheSchema, only, synth, synthErrors } from './support/manifests';
import { APP, restrictedApp, yamlFile } from './support/pod-security-apps';

describe('a sidecar beyond the level its namespace enforces fails the synth, naming the tool and the capability', () => {
  test('declared by context: tcpdump needs NET_RAW, which baseline forbids; the message gives the ways out', () => {
    // GIVEN
    const chart = Testing.chart();
    PodSecurity.enforce(chart, PodSecurityLevel.BASELINE);
    new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true, tools: [DebugTool.TCPDUMP, DebugTool.DIG] } });

    // WHEN
    const errors = synthErrors(chart);

    // THEN
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\[test\/web\/Resource\] 'debug.tools' of the debug sidecar 'debug' ask for more than Pod Security 'baseline:[^']+' allows \(enforced by context cdk8s-debuggable\/pod-security-enforce \(PodSecurity\.enforce\)\): tcpdump needs NET_RAW \(got \["tcpdump","dig"\]\)\. Ways out/);
    expect(errors[0]).toMatch(/a namespace whose pod-security\.kubernetes\.io\/enforce is 'privileged'/);
    expect(errors[0]).toMatch(/kubectl debug -it <pod> --target=main --profile=netadmin --image=docker\.io\/nicolaka\/netshoot:v0\.14/);
    expect(errors[0]).toMatch(/Pod Security checks those too/);
    expect(errors[0]).toMatch(/remove tcpdump \(dig fits 'baseline'\), with profile: DebugProfile\.BASELINE/);
  });

  test('declared by a kplus.Namespace in another chart of the app, matched by the Chart namespace', () => {
    // GIVEN
    const app = Testing.app();
    const cluster = new Chart(app, 'cluster');
    new kplus.Namespace(cluster, 'shop', { metadata: { name: 'shop', labels: { [PodSecurity.ENFORCE_LABEL]: 'baseline' } } });
    const chart = new Chart(app, 'web', { namespace: 'shop' });
    new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true, tools: [DebugTool.TCPDUMP] } });

    // THEN
    expect(synthErrors(chart)).toEqual([
      expect.stringMatching(/Pod Security 'baseline:[^']+' allows \(enforced by Namespace shop via label pod-security\.kubernetes\.io\/enforce\): tcpdump needs NET_RAW /),
    ]);
  });

  test("declared by an Include'd Namespace, matched by the workload's metadata.namespace; restricted also forbids root", () => {
    // GIVEN
    const chart = Testing.chart();
    new Include(chart, 'ns', { url: yamlFile('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: payments\n  labels: { pod-security.kubernetes.io/enforce: restricted }\n') });
    restrictedApp(chart, 'web', { enabled: true, tools: [DebugTool.TCPDUMP], image: DebugImage.of('registry.example.com/debug:1', ImageFamily.DEBIAN) }, { metadata: { namespace: 'payments' } });

    // WHEN
    const errors = synthErrors(chart);

    // THEN
    expect(errors[0]).toMatch(/Pod Security 'restricted:[^']+' allows \(enforced by Namespace payments.*\): tcpdump needs NET_RAW, SETUID, SETGID and to run as root /);
    expect(errors[0]).toMatch(/--profile=netadmin/);
    expect(errors[0]).toMatch(/remove tcpdump, with profile: DebugProfile\.RESTRICTED/);
  });

  test('the profile is named for what the tools do not explain', () => {
    // GIVEN
    const chart = Testing.chart();
    PodSecurity.enforce(chart, PodSecurityLevel.BASELINE);
    new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true, tools: [DebugTool.TCPDUMP], profile: DebugProfile.NETADMIN } });
    new DebuggableDeployment(chart, 'admin', { containers: [APP], debug: { enabled: true, profile: DebugProfile.SYSADMIN } });

    // WHEN
    const errors = synthErrors(chart);

    // THEN
    expect(errors).toEqual([
      expect.stringMatching(/^\[test\/web\/Resource\] 'debug.tools' .*: tcpdump needs NET_RAW; DebugProfile\.NETADMIN adds NET_ADMIN \(got \["tcpdump"\]\)/),
      expect.stringMatching(/^\[test\/admin\/Resource\] 'debug.profile' .*: DebugProfile\.SYSADMIN makes it privileged \(got "sysadmin"\)\. .* --profile=sysadmin /),
    ]);
  });

  test('the check is wired into every enabled sidecar: strace in a baseline namespace stops the synth', () => {
    // GIVEN: nothing but the library's own wiring (no validation added by the test)
    const chart = Testing.chart();
    PodSecurity.enforce(chart, PodSecurityLevel.BASELINE);
    new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true, tools: [DebugTool.STRACE] } });

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/\[test\/web\/Resource\] 'debug.tools' .*: strace needs SYS_PTRACE .* --profile=general /);
  });

  test.each<[string, PodSecurityLevel | undefined, DebugOptions]>([
    ['curl in a restricted namespace', PodSecurityLevel.RESTRICTED, { enabled: true, tools: [DebugTool.CURL] }],
    ['tcpdump in a privileged namespace', PodSecurityLevel.PRIVILEGED, { enabled: true, tools: [DebugTool.TCPDUMP] }],
    ['tcpdump with debug off', PodSecurityLevel.BASELINE, { enabled: false, tools: [DebugTool.TCPDUMP] }],
    ['tcpdump where no level is declared', undefined, { enabled: true, tools: [DebugTool.TCPDUMP] }],
  ])('no error: %s', (_name, level, debug) => {
    // GIVEN
    const chart = Testing.chart();
    if (level) PodSecurity.enforce(chart, level);
    restrictedApp(chart, 'web', debug);

    // THEN
    expect(synthErrors(chart)).toEqual([]);
    expect(only(synth(chart), 'Deployment').kind).toBe('Deployment');
  });

  test("the application's own violations are not the sidecar's: hostNetwork app, dig sidecar, baseline namespace", () => {
    // GIVEN
    const chart = Testing.chart();
    PodSecurity.enforce(chart, PodSecurityLevel.BASELINE);
    const dep = new DebuggableDeployment(chart, 'web', { containers: [APP], hostNetwork: true, debug: { enabled: true, tools: [DebugTool.DIG] } });

    // THEN
    expect(synthErrors(chart)).toEqual([]);
    expect(PodSecurity.levelOf(dep)).toBe(PodSecurityLevel.PRIVILEGED);
  });

  test('the stricter declaration wins; an invalid label value counts as restricted, as in Kubernetes', () => {
    // GIVEN: tcpdump in three namespaces
    const app = new App({ outdir: Testing.app().outdir });
    const cluster = new Chart(app, 'cluster');
    new kplus.Namespace(cluster, 'a', { metadata: { name: 'a', labels: { [PodSecurity.ENFORCE_LABEL]: 'baseline' } } });
    new kplus.Namespace(cluster, 'b', { metadata: { name: 'b', labels: { [PodSecurity.ENFORCE_LABEL]: 'strict' } } });
    const inA = new Chart(app, 'in-a', { namespace: 'a' });
    PodSecurity.enforce(inA, PodSecurityLevel.PRIVILEGED);
    new DebuggableDeployment(inA, 'web', { containers: [APP], debug: { enabled: true, tools: [DebugTool.TCPDUMP] } });
    const inB = new Chart(app, 'in-b', { namespace: 'b' });
    new DebuggableDeployment(inB, 'web', { containers: [APP], debug: { enabled: true, tools: [DebugTool.TCPDUMP] } });
    const elsewhere = new Chart(app, 'elsewhere', { namespace: 'c' });
    new DebuggableDeployment(elsewhere, 'web', { containers: [APP], debug: { enabled: true, tools: [DebugTool.TCPDUMP] } });

    // WHEN
    const errors = synthErrors(elsewhere);

    // THEN: the label's baseline beats the context's privileged; 'strict' is restricted; no declaration, no error
    expect(errors).toEqual([
      expect.stringMatching(/^\[in-a\/web\/Resource\] .*Pod Security 'baseline:[^']+' allows \(enforced by Namespace a via label/),
      expect.stringMatching(
        /^\[in-b\/web\/Resource\] .*Pod Security 'restricted:[^']+' allows \(enforced by Namespace b via label pod-security\.kubernetes\.io\/enforce, whose value 'strict' is not a level and so counts as restricted\)/),
    ]);
  });

  test('enforce after children are added is an error that says when to call it', () => {
    // GIVEN
    const chart = Testing.chart();
    new kplus.Deployment(chart, 'web', { containers: [APP] });

    // THEN
    expect(() => PodSecurity.enforce(chart, PodSecurityLevel.BASELINE))
      .toThrow(/'scope' already has children \('web'\), and construct context only reaches constructs added after it \(got "test"\)\. Call PodSecurity\.enforce right after creating the scope/);
    expect(only(synth(chart), 'Deployment').kind).toBe('Deployment');
  });
});

everyManifestPassesTheSchema();
