import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  Capability, DebuggableDeployment, DebugImage, DebugOptions, DebugProfile, DebugSidecar, DebugTool, ImageFamily,
} from '../src';
import { everyManifestPassesTheSchema, synth } from './support/manifests';

const APP = { image: 'nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };

function make(debug: DebugOptions, containers: kplus.ContainerProps[] = [APP]) {
  const chart = Testing.chart();
  new DebuggableDeployment(chart, 'web', { containers, debug: { enabled: true, ...debug } });
  return synth(chart);
}

describe('bad input fails at synth with the field, the value and the fix', () => {
  test('fails when the sidecar name clashes with an app container', () => {
    expect(() => make({ name: 'app' }, [{ ...APP, name: 'app' }]))
      .toThrow(/'debug.name' clashes with a container of the application \(got "app"\)\. Set \'debug.name\' to a name/);
  });

  test('fails when a container with the sidecar name is added after construction', () => {
    const chart = Testing.chart();
    const dep = new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true } });
    dep.addContainer({ name: 'debug', image: 'busybox:1.36' });
    expect(() => synth(chart)).toThrow(/'debug.name' clashes with a container of the application \(got "debug"\)/);
  });

  test('fails on ensureNonRoot with tools that need capabilities', () => {
    expect(() => make({ tools: [DebugTool.TCPDUMP], securityContext: { ensureNonRoot: true } }))
      .toThrow(/'debug.securityContext.ensureNonRoot' makes the sidecar non-root, but it needs NET_RAW \(for tcpdump\);.*\(got true\)/);
  });

  test('fails on a non-root user with tools that need capabilities, naming the tool and capability', () => {
    expect(() => make({ tools: [DebugTool.TCPDUMP, DebugTool.CURL], securityContext: { user: 1000 } }))
      .toThrow(/'debug.securityContext.user' makes the sidecar non-root, but it needs NET_RAW \(for tcpdump\); Kubernetes gives a non-root container no effective capabilities.*\(got 1000\)\. Remove the non-root setting/);
  });

  test('fails on ensureNonRoot with user 0', () => {
    expect(() => make({ securityContext: { user: 0, ensureNonRoot: true } }))
      .toThrow(/'debug.securityContext.ensureNonRoot' cannot hold for user 0 \(the kubelet refuses to start the container\) \(got true\)/);
  });

  test('fails on a CAP_-prefixed capability, with the right spelling', () => {
    expect(() => make({ securityContext: { capabilities: [Capability.of('CAP_NET_RAW')] } }))
      .toThrow(/'debug.securityContext.capabilities\[0\]' has the CAP_ prefix, which Kubernetes does not accept \(got "CAP_NET_RAW"\)\. Write 'NET_RAW'/);
  });

  test('fails on the CAP_ value of cdk8s-plus-27\'s own enum in a custom tool', () => {
    const tool = DebugTool.custom({ name: 'sniffer', capabilities: [Capability.of(kplus.Capability.NET_RAW)] });
    expect(() => make({ tools: [tool] })).toThrow(/'debug.tools\[0\] \(sniffer\).capabilities\[0\]' has the CAP_ prefix/);
  });

  test('fails on an unknown capability name', () => {
    expect(() => make({ securityContext: { capabilities: [Capability.of('NETRAW')] } }))
      .toThrow(/'debug.securityContext.capabilities\[0\]' is not a Linux capability \(got "NETRAW"\)\. Use a static member of Capability or one of: AUDIT_CONTROL/);
  });

  test('fails on privileged with allowPrivilegeEscalation false', () => {
    expect(() => make({ securityContext: { privileged: true, allowPrivilegeEscalation: false } }))
      .toThrow(/'debug.securityContext.allowPrivilegeEscalation' cannot be false on a privileged container \(the API server rejects the pair\) \(got false\)/);
  });

  test('fails on an empty command', () => {
    expect(() => make({ command: [] })).toThrow(/'debug.command' must be a non-empty list of non-empty strings \(got \[\]\)\. Omit it to use the default keep-alive/);
  });

  test('fails on a command with an empty program', () => {
    expect(() => make({ command: [''] })).toThrow(/'debug.command' must be a non-empty list/);
  });

  test.each(['Nicolaka/Netshoot:v1', 'netshoot:v 1', 'https://docker.io/nicolaka/netshoot:v1', '', 'repo@sha256:abc'])('fails on the invalid image reference %p', (image) => {
    expect(() => make({ image: DebugImage.of(image) })).toThrow(/'image' is not a valid image reference \(got ".*"\)\. Use \[registry\/\]repository:tag/);
  });

  test('fails on a tool the profile cannot serve', () => {
    expect(() => make({ profile: DebugProfile.BASELINE, tools: [DebugTool.TCPDUMP] }))
      .toThrow(/'debug.tools\[0\]' needs NET_RAW in an image of the alpine family, which DebugProfile.BASELINE cannot give \(it allows AUDIT_WRITE.*\) \(got "tcpdump"\)\. Remove the tool, choose a profile that serves it/);
  });

  test("fails on Debian's tcpdump under NETADMIN (it needs SETUID and SETGID too)", () => {
    expect(() => make({ profile: DebugProfile.NETADMIN, tools: [DebugTool.TCPDUMP], image: DebugImage.of('debian-debug:12', ImageFamily.DEBIAN) }))
      .toThrow(/needs NET_RAW, SETUID, SETGID in an image of the debian family, which DebugProfile.NETADMIN cannot give \(it allows NET_ADMIN, NET_RAW\)/);
  });

  test('fails on strace under RESTRICTED', () => {
    expect(() => make({ profile: DebugProfile.RESTRICTED, tools: [DebugTool.STRACE] }))
      .toThrow(/DebugProfile.RESTRICTED cannot give \(it allows no capability\)/);
  });

  test('fails on an invalid sidecar name', () => {
    expect(() => make({ name: 'Debug_Box' })).toThrow(/'debug.name' is not a valid container name \(got "Debug_Box"\)/);
  });

  test('fails on a request above its limit', () => {
    expect(() => make({ resources: { cpu: { request: kplus.Cpu.millis(800), limit: kplus.Cpu.millis(500) } } }))
      .toThrow(/'debug.resources.cpu' has a request above its limit, which the API server rejects \(got \{"request":"800m","limit":"500m"\}\)/);
  });

  test('fails on shareProcessNamespace false with strace', () => {
    expect(() => make({ tools: [DebugTool.STRACE], shareProcessNamespace: false }))
      .toThrow(/'debug.shareProcessNamespace' conflicts with strace, which must see the application's processes \(got false\)/);
  });

  test('fails on a mutable image tag where the environment is production', () => {
    const chart = Testing.chart();
    chart.node.setContext('cdk8s-debuggable/environment', 'production');
    expect(() => new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true, allowInProduction: true, image: DebugImage.of('nicolaka/netshoot:latest') } }))
      .toThrow(/'debug.image' uses a mutable tag \(latest or none\).*\(got "nicolaka\/netshoot:latest"\)\. Pin a version tag or a digest/);
  });

  test('warns (and does not fail) on a mutable image tag elsewhere', () => {
    const chart = Testing.chart();
    const dep = new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true, image: DebugImage.of('nicolaka/netshoot') } });
    expect(dep.debug.warnings).toEqual([expect.stringMatching(/'debug.image' uses a mutable tag/)]);
  });

  test('bad options fail even when debug is off, so a staging-only mistake shows in every environment', () => {
    const chart = Testing.chart();
    expect(() => new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: false, command: [] } }))
      .toThrow(/'debug.command' must be a non-empty list/);
  });

  test('fails when attached twice to the same workload', () => {
    const chart = Testing.chart();
    const dep = new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true } });
    expect(() => DebugSidecar.attach(dep, { enabled: true })).toThrow(/test\/web\/Resource: 'target' already has a debug sidecar \('debug'\) \(got "Deployment"\)\. Attach it once per workload/);
  });
});

describe('a valid configuration still synthesizes', () => {
  test('a digest-pinned image is accepted', () => {
    const image = 'registry.example.com:5000/team/debug@sha256:' + 'a'.repeat(64);
    expect(make({ image: DebugImage.of(image, ImageFamily.DEBIAN) })[0].spec.template.spec.containers[1].image).toBe(image);
  });
});

everyManifestPassesTheSchema();
