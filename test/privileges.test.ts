import { Testing } from 'cdk8s';
import {
  Capability, DebugImage, DebuggableDeployment, DebugOptions, DebugProfile, DebugTool, ImageFamily,
} from '../src';
import { containerNamed, everyManifestPassesTheSchema, only, podSpecOf, synth } from './support/manifests';

const APP = { image: 'nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };

function sidecarOf(debug: DebugOptions) {
  const chart = Testing.chart();
  const dep = new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true, ...debug } });
  const spec = podSpecOf(only(synth(chart), 'Deployment'));
  return { spec, debug: containerNamed(spec, 'debug'), app: containerNamed(spec, 'main'), sidecar: dep.debug };
}

interface Expected {
  readonly add?: string[];
  readonly user: number;
  readonly nonRoot: boolean;
  readonly pidns: boolean;
}

const ROOT = { user: 0, nonRoot: false };
const NOBODY = { user: 65534, nonRoot: true };

describe('privileges per tool (Alpine family, the default image)', () => {
  const table: Array<[string, DebugTool, Expected]> = [
    ['tcpdump', DebugTool.TCPDUMP, { add: ['NET_RAW'], ...ROOT, pidns: false }],
    ['tshark', DebugTool.TSHARK, { add: ['NET_ADMIN', 'NET_RAW'], ...ROOT, pidns: false }],
    ['ping', DebugTool.PING, { add: ['NET_RAW'], ...ROOT, pidns: false }],
    ['traceroute', DebugTool.TRACEROUTE, { add: ['NET_RAW'], ...ROOT, pidns: false }],
    ['nmap', DebugTool.NMAP, { add: ['NET_RAW'], ...ROOT, pidns: false }],
    ['iptables', DebugTool.IPTABLES, { add: ['NET_ADMIN', 'NET_RAW'], ...ROOT, pidns: false }],
    ['dig', DebugTool.DIG, { ...NOBODY, pidns: false }],
    ['curl', DebugTool.CURL, { ...NOBODY, pidns: false }],
    ['strace', DebugTool.STRACE, { add: ['SYS_PTRACE'], ...ROOT, pidns: true }],
    ['gdb', DebugTool.GDB, { add: ['SYS_PTRACE'], ...ROOT, pidns: true }],
    ['perf', DebugTool.PERF, { add: ['PERFMON', 'SYS_PTRACE'], ...ROOT, pidns: true }],
    ['nsenter', DebugTool.NSENTER, { add: ['SYS_ADMIN', 'SYS_PTRACE'], ...ROOT, pidns: true }],
  ];
  test.each(table)('%s', (_name, tool, want) => {
    const { spec, debug, sidecar } = sidecarOf({ tools: [tool] });
    const sc = debug.securityContext;
    expect(sc.capabilities).toEqual(want.add ? { add: want.add, drop: ['ALL'] } : { drop: ['ALL'] });
    expect(sc.runAsUser).toBe(want.user);
    expect(sc.runAsNonRoot).toBe(want.nonRoot);
    expect(sc.allowPrivilegeEscalation).toBe(false);
    expect(sc.privileged).toBe(false);
    expect(sc.readOnlyRootFilesystem).toBe(true);
    expect(sc.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(spec.shareProcessNamespace).toBe(want.pidns ? true : undefined);
    expect(sidecar.capabilities).toEqual(want.add ?? []);
    expect(sidecar.runAsUser).toBe(want.user);
    expect(sidecar.shareProcessNamespace).toBe(want.pidns);
  });

  test('capabilities are the sorted union of the tools, each once', () => {
    const { debug } = sidecarOf({ tools: [DebugTool.TCPDUMP, DebugTool.PING, DebugTool.IPTABLES, DebugTool.STRACE] });
    expect(debug.securityContext.capabilities).toEqual({ add: ['NET_ADMIN', 'NET_RAW', 'SYS_PTRACE'], drop: ['ALL'] });
  });

  test('no CAP_ prefix reaches the output for any tool', () => {
    const all = [DebugTool.TCPDUMP, DebugTool.TSHARK, DebugTool.PING, DebugTool.TRACEROUTE, DebugTool.NMAP, DebugTool.IPTABLES,
      DebugTool.DIG, DebugTool.CURL, DebugTool.STRACE, DebugTool.GDB, DebugTool.PERF, DebugTool.NSENTER];
    const { debug } = sidecarOf({ tools: all });
    expect(JSON.stringify(debug)).not.toMatch(/CAP_/);
  });

  test('the app container keeps its own non-root security context, and the pod keeps runAsNonRoot', () => {
    const { spec, app } = sidecarOf({ tools: [DebugTool.TCPDUMP] });
    expect(app.securityContext).toEqual({ allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true });
    expect(spec.securityContext.runAsNonRoot).toBe(true);
  });

  test('a writable emptyDir is mounted at /tmp for captures', () => {
    const { spec, debug } = sidecarOf({ tools: [DebugTool.TCPDUMP] });
    expect(debug.volumeMounts).toEqual([{ mountPath: '/tmp', name: 'debug-scratch' }]);
    expect(spec.volumes).toEqual([{ emptyDir: { sizeLimit: '512Mi' }, name: 'debug-scratch' }]);
  });
});

describe('the image family changes what a tool needs', () => {
  test("Debian's tcpdump also needs SETUID and SETGID (it drops privileges to user tcpdump)", () => {
    const { debug } = sidecarOf({ tools: [DebugTool.TCPDUMP], image: DebugImage.of('registry.example.com/debug:1', ImageFamily.DEBIAN) });
    expect(debug.securityContext.capabilities.add).toEqual(['NET_RAW', 'SETGID', 'SETUID']);
  });
  test('the same tool in Alpine needs NET_RAW only', () => {
    expect(DebugTool.TCPDUMP.capabilitiesIn(ImageFamily.ALPINE).map(c => c.name)).toEqual(['NET_RAW']);
  });
});

describe('privileges per profile', () => {
  test('GENERAL adds SYS_PTRACE, runs as root and shares the process namespace', () => {
    const { spec, debug } = sidecarOf({ profile: DebugProfile.GENERAL });
    expect(debug.securityContext.capabilities).toEqual({ add: ['SYS_PTRACE'], drop: ['ALL'] });
    expect(debug.securityContext.runAsUser).toBe(0);
    expect(spec.shareProcessNamespace).toBe(true);
  });
  test('BASELINE adds only baseline-allowed capabilities the tools need', () => {
    const { spec, debug } = sidecarOf({ profile: DebugProfile.BASELINE, tools: [DebugTool.CURL] });
    expect(debug.securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect(debug.securityContext.runAsNonRoot).toBe(true);
    expect(spec.shareProcessNamespace).toBeUndefined();
  });
  test('RESTRICTED runs non-root with nothing added', () => {
    const { debug } = sidecarOf({ profile: DebugProfile.RESTRICTED, tools: [DebugTool.DIG, DebugTool.CURL] });
    expect(debug.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });
  test('NETADMIN adds NET_ADMIN and NET_RAW whatever the tools, as root', () => {
    const { debug } = sidecarOf({ profile: DebugProfile.NETADMIN, tools: [DebugTool.PING] });
    expect(debug.securityContext.capabilities).toEqual({ add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] });
    expect(debug.securityContext.runAsUser).toBe(0);
    expect(debug.securityContext.runAsNonRoot).toBe(false);
  });
  test('SYSADMIN is privileged, with privilege escalation allowed (the API server requires the pair)', () => {
    const { debug, sidecar } = sidecarOf({ profile: DebugProfile.SYSADMIN, tools: [DebugTool.NSENTER] });
    expect(debug.securityContext).toMatchObject({ privileged: true, allowPrivilegeEscalation: true, runAsUser: 0, runAsNonRoot: false });
    expect(debug.securityContext.capabilities).toBeUndefined();
    expect(sidecar.privileged).toBe(true);
  });
  test('only SYSADMIN (or an explicit override) is privileged', () => {
    for (const profile of [DebugProfile.GENERAL, DebugProfile.BASELINE, DebugProfile.RESTRICTED, DebugProfile.NETADMIN]) {
      expect(sidecarOf({ profile }).debug.securityContext.privileged).toBe(false);
    }
  });
});

describe('explicit security context', () => {
  test('overrides win: capabilities replace the derived set', () => {
    const { debug } = sidecarOf({ tools: [DebugTool.TCPDUMP], securityContext: { capabilities: [Capability.NET_RAW, Capability.NET_ADMIN] } });
    expect(debug.securityContext.capabilities).toEqual({ add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] });
  });
  test('a custom capability by name', () => {
    const { debug } = sidecarOf({ securityContext: { capabilities: [Capability.of('BPF')] } });
    expect(debug.securityContext.capabilities.add).toEqual(['BPF']);
    expect(debug.securityContext.runAsUser).toBe(0);
  });
  test('a non-root user for tools that need nothing', () => {
    const { debug } = sidecarOf({ tools: [DebugTool.CURL], securityContext: { user: 1000, group: 1000 } });
    expect(debug.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true });
  });
  test('readOnlyRootFilesystem can be turned off', () => {
    expect(sidecarOf({ securityContext: { readOnlyRootFilesystem: false } }).debug.securityContext.readOnlyRootFilesystem).toBe(false);
  });
  test('a custom tool carries its own needs', () => {
    const psql = DebugTool.custom({ name: 'psql' });
    const bpftrace = DebugTool.custom({ name: 'bpftrace', capabilities: [Capability.of('BPF'), Capability.PERFMON], needsShareProcessNamespace: true });
    const { spec, debug } = sidecarOf({ tools: [psql, bpftrace] });
    expect(debug.securityContext.capabilities.add).toEqual(['BPF', 'PERFMON']);
    expect(spec.shareProcessNamespace).toBe(true);
  });
  test('shareProcessNamespace can be asked for without a tool that needs it', () => {
    expect(sidecarOf({ shareProcessNamespace: true }).spec.shareProcessNamespace).toBe(true);
  });
});

everyManifestPassesTheSchema();
