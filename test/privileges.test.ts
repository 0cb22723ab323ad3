import { Testing } from 'cdk8s';
import {
  Capability, DebugImage, DebuggableDeployment, DebugOptions, DebugProfile, DebugTool, ImageFamily, PodSecurity, PodSecurityLevel,
} from '../src';
import { errorOf } from './support/errors';
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


/** The error a user gets for these debug options, when the workload is defined. */
function refusal(debug: Record<string, unknown>): string {
  return errorOf(() => new DebuggableDeployment(Testing.chart(), 'web', { containers: [APP], debug: { enabled: true, ...debug } as DebugOptions }));
}

const NON_ROOT_FIX = 'Remove the non-root setting so the sidecar runs as user 0, or choose tools that need no capabilities.';
const NO_EFFECTIVE_CAPS = 'Kubernetes gives a non-root container no effective capabilities (kubernetes/kubernetes#56374)';

describe('capability names as a JavaScript caller may get them wrong', () => {
  test('Capability.of refuses a name that is not a string', () => {
    expect(errorOf(() => Capability.of(42 as any))).toBe("'name' is not a capability name (got 42). Pass a name such as 'NET_RAW'.");
  });

  test('a Capability built from JavaScript around a number is refused where it is used, with Capability.of as the fix', () => {
    // GIVEN: TypeScript's private constructor is an ordinary one in JavaScript
    const forged = new (Capability as any)(42);

    // THEN
    expect(refusal({ securityContext: { capabilities: [forged] } }))
      .toBe("'debug.securityContext.capabilities[0]' is not a capability name (got 42). Use Capability.of('NET_RAW').");
  });

  test('CAP_ inside a name is not the CAP_ prefix: the name is simply unknown, and the message lists every capability', () => {
    expect(refusal({ securityContext: { capabilities: [Capability.of('NET_CAP_RAW')] } })).toMatch(
      /^'debug\.securityContext\.capabilities\[0\]' is not a Linux capability \(got "NET_CAP_RAW"\)\. Use a static member of Capability or one of: AUDIT_CONTROL, AUDIT_READ, AUDIT_WRITE, BLOCK_SUSPEND, BPF, (\w+, )+SYSLOG, WAKE_ALARM\.$/);
  });

  test('a lowercase cap_ prefix is refused, with the Kubernetes spelling as the fix', () => {
    expect(refusal({ securityContext: { capabilities: [Capability.of('cap_net_raw')] } })).toBe(
      "'debug.securityContext.capabilities[0]' has the CAP_ prefix, which Kubernetes does not accept (got \"cap_net_raw\"). "
      + "Write 'NET_RAW' (Capability.NET_RAW); cdk8s-plus-27's Capability enum emits the wrong form.");
  });

  test('a capability prints as its Kubernetes name', () => {
    expect(`${Capability.NET_RAW}`).toBe('NET_RAW');
    expect(String(Capability.of('BPF'))).toBe('BPF');
  });
});

describe('DebugProfile.allows: whether a profile gives a tool everything it needs', () => {
  test('NETADMIN gives its own capabilities, and not one more', () => {
    expect(DebugProfile.NETADMIN.allows([Capability.NET_RAW])).toBe(true);
    expect(DebugProfile.NETADMIN.allows([Capability.NET_ADMIN, Capability.NET_RAW])).toBe(true);
    expect(DebugProfile.NETADMIN.allows([Capability.SYS_PTRACE])).toBe(false);
    expect(DebugProfile.NETADMIN.allows([Capability.NET_RAW, Capability.SYS_PTRACE])).toBe(false);
  });

  test('RESTRICTED gives none; a tool that needs none fits every profile', () => {
    expect(DebugProfile.RESTRICTED.allows([Capability.NET_BIND_SERVICE])).toBe(false);
    for (const profile of [DebugProfile.GENERAL, DebugProfile.BASELINE, DebugProfile.RESTRICTED, DebugProfile.NETADMIN, DebugProfile.SYSADMIN]) {
      expect(profile.allows([])).toBe(true);
    }
  });

  test('SYSADMIN gives every capability', () => {
    expect(DebugProfile.SYSADMIN.allows([Capability.SYS_ADMIN, Capability.of('BPF'), Capability.NET_RAW])).toBe(true);
  });

  test('the tools each profile is meant for fit it', () => {
    expect(DebugProfile.GENERAL.allows(DebugTool.STRACE.capabilitiesIn(ImageFamily.DEBIAN))).toBe(true);
    expect(DebugProfile.GENERAL.allows(DebugTool.TCPDUMP.capabilitiesIn(ImageFamily.ALPINE))).toBe(false);
    expect(DebugProfile.BASELINE.allows(DebugTool.TCPDUMP.capabilitiesIn(ImageFamily.ALPINE))).toBe(false);
  });
});

describe('DebugTool.custom refuses bad props with the prop, the value and the fix', () => {
  const LIST_OF_CAPS = 'Pass a list such as [Capability.NET_RAW].';
  const table: Array<[string, unknown, string]> = [
    ['props that are not an object', 'psql', "'props' is not an object (got \"psql\"). Pass { name: 'psql', capabilities: [...] }."],
    ['no props at all', undefined, "'props.name' is required (got undefined). Give the tool a name, such as 'psql'."],
    ['a name that is not a string', { name: 42 }, "'props.name' is not a string (got 42). Give the tool a name, such as 'psql'."],
    ['an empty name', { name: '' }, "'props.name' is required (got \"\"). Give the tool a name, such as 'psql'."],
    ['a blank name', { name: '  ' }, "'props.name' is required (got \"  \"). Give the tool a name, such as 'psql'."],
    ['capabilities as one string', { name: 'x', capabilities: 'NET_RAW' }, `'props.capabilities' is not a list (got "NET_RAW"). ${LIST_OF_CAPS}`],
    ['alpineCapabilities as one string', { name: 'x', alpineCapabilities: 'NET_RAW' }, `'props.alpineCapabilities' is not a list (got "NET_RAW"). ${LIST_OF_CAPS}`],
    ['debianCapabilities as one string', { name: 'x', debianCapabilities: 'NET_RAW' }, `'props.debianCapabilities' is not a list (got "NET_RAW"). ${LIST_OF_CAPS}`],
    ['a capability as a string', { name: 'x', capabilities: ['NET_RAW'] },
      "'props.capabilities[0]' is not a Capability (got \"NET_RAW\"). Use Capability.NET_RAW or Capability.of('BPF')."],
    ['a hole in the capabilities', { name: 'x', capabilities: [undefined] }, "'props.capabilities[0]' is not a Capability (got undefined). Use Capability.NET_RAW."],
    ['packages as one string', { name: 'x', packages: 'psql' }, "'props.packages' is not a list (got \"psql\"). Pass a list such as ['postgresql-client']."],
    ['alpinePackages as one string', { name: 'x', alpinePackages: 'psql' }, "'props.alpinePackages' is not a list (got \"psql\"). Pass a list such as ['postgresql-client']."],
    ['debianPackages as one string', { name: 'x', debianPackages: 'psql' }, "'props.debianPackages' is not a list (got \"psql\"). Pass a list such as ['postgresql-client']."],
    ['a package that is not a string', { name: 'x', packages: [5] }, "'props.packages[0]' is not a string (got 5). Pass package names as strings."],
    ['a hole in the packages', { name: 'x', packages: [undefined] }, "'props.packages[0]' is not a string (got undefined). Pass package names as strings."],
    ['binaries as one string', { name: 'x', binaries: 'psql' }, "'props.binaries' is not a list (got \"psql\"). Pass a list such as ['psql']."],
    ['alpineBinaries as one string', { name: 'x', alpineBinaries: 'psql' }, "'props.alpineBinaries' is not a list (got \"psql\"). Pass a list such as ['psql']."],
    ['debianBinaries as one string', { name: 'x', debianBinaries: 'psql' }, "'props.debianBinaries' is not a list (got \"psql\"). Pass a list such as ['psql']."],
    ['a binary that is not a string', { name: 'x', binaries: [5] },
      "'props.binaries[0]' is not a string (got 5). Pass program names or absolute paths as strings, such as 'psql'."],
    ['a hole in the binaries', { name: 'x', binaries: [undefined] }, "'props.binaries[0]' is not a string (got undefined). Pass strings, such as 'psql'."],
    ['needsShareProcessNamespace as a string', { name: 'x', needsShareProcessNamespace: 'yes' },
      "'props.needsShareProcessNamespace' is not a boolean (got \"yes\"). Write true or false without quotes."],
    ['needsRoot as a string', { name: 'x', needsRoot: 'true' }, "'props.needsRoot' is not a boolean (got \"true\"). Write true or false without quotes."],
  ];
  test.each(table)('%s', (_what, props, message) => {
    expect(errorOf(() => DebugTool.custom(props as any))).toBe(message);
  });
});

describe("a custom tool's family lists and defaults", () => {
  test('packages and binaries serve every family unless a family has its own', () => {
    // GIVEN
    const psql = DebugTool.custom({
      name: 'psql', packages: ['postgresql-client'], alpinePackages: ['postgresql16-client'], binaries: ['psql'], debianBinaries: ['psql', 'pg_dump'],
    });

    // THEN
    expect(psql.packagesIn(ImageFamily.ALPINE)).toEqual(['postgresql16-client']);
    expect(psql.packagesIn(ImageFamily.DEBIAN)).toEqual(['postgresql-client']);
    expect(psql.binariesIn(ImageFamily.ALPINE)).toEqual(['psql']);
    expect(psql.binariesIn(ImageFamily.DEBIAN)).toEqual(['psql', 'pg_dump']);
  });

  test('the shared lists alone serve both families', () => {
    const psql = DebugTool.custom({ name: 'psql', packages: ['postgresql-client'], binaries: ['psql'] });
    for (const family of [ImageFamily.ALPINE, ImageFamily.DEBIAN]) {
      expect(psql.packagesIn(family)).toEqual(['postgresql-client']);
      expect(psql.binariesIn(family)).toEqual(['psql']);
    }
  });

  test('a tool with only a name brings no packages, no binaries and no capabilities', () => {
    const psql = DebugTool.custom({ name: 'psql' });
    for (const family of [ImageFamily.ALPINE, ImageFamily.DEBIAN]) {
      expect(psql.packagesIn(family)).toEqual([]);
      expect(psql.binariesIn(family)).toEqual([]);
      expect(psql.capabilitiesIn(family)).toEqual([]);
    }
  });

  test('a tool with only a name runs as nobody, without the shared process namespace', () => {
    const { spec, debug, sidecar } = sidecarOf({ tools: [DebugTool.custom({ name: 'psql' })] });
    expect(debug.securityContext).toMatchObject({ runAsUser: 65534, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(spec.shareProcessNamespace).toBeUndefined();
    expect(sidecar.shareProcessNamespace).toBe(false);
  });

  test('a tool that needs root but no capability runs as user 0 with every capability dropped', () => {
    const { debug, sidecar } = sidecarOf({ tools: [DebugTool.custom({ name: 'lsof', needsRoot: true })] });
    expect(debug.securityContext).toMatchObject({ runAsUser: 0, runAsNonRoot: false, capabilities: { drop: ['ALL'] }, privileged: false });
    expect(sidecar.runAsUser).toBe(0);
  });

  test("a bad capability in a family's own list is reported under that list's name", () => {
    const alpine = DebugTool.custom({ name: 'bpftrace', alpineCapabilities: [Capability.of('CAP_BPF')] });
    expect(refusal({ tools: [alpine] })).toBe("'debug.tools[0] (bpftrace).alpineCapabilities[0]' has the CAP_ prefix, which Kubernetes does not accept "
      + "(got \"CAP_BPF\"). Write 'BPF' (Capability.BPF); cdk8s-plus-27's Capability enum emits the wrong form.");
    const debian = DebugTool.custom({ name: 'bpftrace', capabilities: [Capability.PERFMON], debianCapabilities: [Capability.PERFMON, Capability.of('BFP')] });
    expect(refusal({ tools: [DebugTool.DIG, debian] })).toMatch(/^'debug\.tools\[1\] \(bpftrace\)\.debianCapabilities\[1\]' is not a Linux capability \(got "BFP"\)\./);
    // a family without its own list takes the shared one, and is reported under 'capabilities'
    const shared = DebugTool.custom({ name: 'bpftrace', alpineCapabilities: [Capability.PERFMON], capabilities: [Capability.of('BFP')] });
    expect(refusal({ tools: [shared] })).toMatch(/^'debug\.tools\[0\] \(bpftrace\)\.capabilities\[0\]' is not a Linux capability \(got "BFP"\)\./);
  });
});

describe('an explicit security context of the wrong shape', () => {
  test.each([
    ['not an object', 'root', "'debug.securityContext' is not an object (got \"root\"). Pass an object such as { user: 0 }."],
    ['ensureNonRoot as a string', { ensureNonRoot: 'yes' }, "'debug.securityContext.ensureNonRoot' is not a boolean (got \"yes\"). Write true or false without quotes."],
    ['capabilities as one string', { capabilities: 'NET_RAW' },
      "'debug.securityContext.capabilities' is not a list (got \"NET_RAW\"). Pass a list such as [Capability.NET_RAW]."],
    ['privileged as a string', { privileged: 'true' }, "'debug.securityContext.privileged' is not a boolean (got \"true\"). Write true or false without quotes."],
  ])('%s', (_what, securityContext, message) => {
    expect(refusal({ securityContext })).toBe(message);
  });
});

describe('an explicit security context may narrow a profile', () => {
  test('NETADMIN narrowed to NET_RAW', () => {
    const { debug } = sidecarOf({ profile: DebugProfile.NETADMIN, tools: [DebugTool.PING], securityContext: { capabilities: [Capability.NET_RAW] } });
    expect(debug.securityContext).toMatchObject({ capabilities: { add: ['NET_RAW'], drop: ['ALL'] }, runAsUser: 0 });
  });
  test('SYSADMIN accepts any capability (a privileged container has them all, so none is listed)', () => {
    const { debug, sidecar } = sidecarOf({ profile: DebugProfile.SYSADMIN, securityContext: { capabilities: [Capability.SYS_ADMIN] } });
    expect(debug.securityContext).toMatchObject({ privileged: true, runAsUser: 0 });
    expect(sidecar.capabilities).toEqual(['SYS_ADMIN']);
  });
  test("saying what a profile already says is no contradiction: NETADMIN with 'privileged: false' and 'user: 0'", () => {
    const { debug } = sidecarOf({ profile: DebugProfile.NETADMIN, securityContext: { privileged: false, user: 0 } });
    expect(debug.securityContext).toMatchObject({ privileged: false, runAsUser: 0, capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] } });
  });
  test("RESTRICTED with 'ensureNonRoot: true' and 'allowPrivilegeEscalation: false'", () => {
    const { debug } = sidecarOf({ profile: DebugProfile.RESTRICTED, securityContext: { ensureNonRoot: true, allowPrivilegeEscalation: false } });
    expect(debug.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, allowPrivilegeEscalation: false });
  });
});

describe('an explicit security context that widens or contradicts the profile is refused', () => {
  const BEYOND_FIX = "Remove it, choose a profile that allows it, or omit 'profile' and give the capabilities alone.";
  test.each([
    ['a capability beyond NETADMIN', { profile: DebugProfile.NETADMIN, securityContext: { capabilities: [Capability.NET_RAW, Capability.SYS_PTRACE] } },
      `'debug.securityContext.capabilities[1]' is beyond DebugProfile.NETADMIN, which allows NET_ADMIN, NET_RAW (got "SYS_PTRACE"). ${BEYOND_FIX}`],
    ['any capability with RESTRICTED', { profile: DebugProfile.RESTRICTED, securityContext: { capabilities: [Capability.NET_BIND_SERVICE] } },
      `'debug.securityContext.capabilities[0]' is beyond DebugProfile.RESTRICTED, which allows no capability (got "NET_BIND_SERVICE"). ${BEYOND_FIX}`],
    ['NETADMIN made privileged', { profile: DebugProfile.NETADMIN, securityContext: { privileged: true, allowPrivilegeEscalation: true } },
      "'debug.securityContext.privileged' contradicts DebugProfile.NETADMIN, which is not privileged (got true). "
      + "Use DebugProfile.SYSADMIN for a privileged sidecar, or remove 'privileged'."],
    ['SYSADMIN made unprivileged', { profile: DebugProfile.SYSADMIN, securityContext: { privileged: false } },
      "'debug.securityContext.privileged' contradicts DebugProfile.SYSADMIN, which is privileged (got false). Remove 'privileged: false', or choose another profile."],
    ['RESTRICTED as user 0', { profile: DebugProfile.RESTRICTED, securityContext: { user: 0 } },
      "'debug.securityContext.user' contradicts DebugProfile.RESTRICTED, which runs the sidecar as non-root (got 0). Remove 'user: 0', or choose another profile."],
    ['RESTRICTED without ensureNonRoot', { profile: DebugProfile.RESTRICTED, securityContext: { ensureNonRoot: false } },
      "'debug.securityContext.ensureNonRoot' contradicts DebugProfile.RESTRICTED, which runs the sidecar as non-root (got false). "
      + "Remove 'ensureNonRoot: false', or choose another profile."],
    ['RESTRICTED with privilege escalation', { profile: DebugProfile.RESTRICTED, securityContext: { allowPrivilegeEscalation: true } },
      "'debug.securityContext.allowPrivilegeEscalation' contradicts DebugProfile.RESTRICTED, which forbids privilege escalation (got true). "
      + "Remove 'allowPrivilegeEscalation', or choose another profile."],
  ])('%s', (_what, debug, message) => {
    expect(refusal(debug)).toBe(message);
  });
});

describe('a tool the profile cannot serve is refused', () => {
  test('in an image of unknown family the tool needs what it needs in every family', () => {
    // GIVEN: an image whose family is not named, so tcpdump needs Alpine's and Debian's capabilities
    const image = DebugImage.of('registry.example.com/debug:1.0');

    // THEN
    expect(refusal({ profile: DebugProfile.GENERAL, tools: [DebugTool.TCPDUMP], image })).toBe(
      "'debug.tools[0]' needs NET_RAW, SETUID, SETGID in an image of unknown family (the union of the families), which DebugProfile.GENERAL "
      + 'cannot give (it allows SYS_PTRACE) (got "tcpdump"). Remove the tool, choose a profile that serves it (NETADMIN for network tools, '
      + "GENERAL for strace/gdb, SYSADMIN for all), or omit 'profile' to derive the privileges from the tools.");
  });

  test('RESTRICTED refuses a tool that needs root, even without a capability', () => {
    const lsof = DebugTool.custom({ name: 'lsof', needsRoot: true });
    expect(refusal({ profile: DebugProfile.RESTRICTED, tools: [DebugTool.CURL, lsof] }))
      .toBe("'debug.tools[1]' needs root, which DebugProfile.RESTRICTED does not allow (got \"lsof\"). Remove the tool or choose another profile.");
  });
});

describe('root, privileged and non-root settings that cannot hold together are refused', () => {
  test('privileged without privilege escalation', () => {
    expect(refusal({ securityContext: { privileged: true, allowPrivilegeEscalation: false } })).toBe(
      "'debug.securityContext.allowPrivilegeEscalation' cannot be false on a privileged container (the API server rejects the pair) (got false). "
      + "Remove 'allowPrivilegeEscalation: false', or do not run the sidecar privileged.");
  });

  test('ensureNonRoot for user 0', () => {
    expect(refusal({ securityContext: { user: 0, ensureNonRoot: true } })).toBe(
      "'debug.securityContext.ensureNonRoot' cannot hold for user 0 (the kubelet refuses to start the container) (got true). "
      + "Remove 'ensureNonRoot', or set 'user' to a non-zero ID with tools that need no capabilities.");
  });

  test('a non-root user for a tool that needs a capability, even without ensureNonRoot', () => {
    expect(refusal({ tools: [DebugTool.TCPDUMP], securityContext: { user: 1000, ensureNonRoot: false } })).toBe(
      `'debug.securityContext.user' makes the sidecar non-root, but it needs NET_RAW (for tcpdump); ${NO_EFFECTIVE_CAPS} (got 1000). ${NON_ROOT_FIX}`);
  });

  test('ensureNonRoot for tools that need capabilities names each capability and each tool', () => {
    expect(refusal({ tools: [DebugTool.IPTABLES, DebugTool.DIG, DebugTool.PING], securityContext: { ensureNonRoot: true } })).toBe(
      `'debug.securityContext.ensureNonRoot' makes the sidecar non-root, but it needs NET_ADMIN, NET_RAW (for iptables, ping); ${NO_EFFECTIVE_CAPS} (got true). ${NON_ROOT_FIX}`);
  });

  test('a non-root user for a privileged sidecar', () => {
    expect(refusal({ securityContext: { privileged: true, user: 1000 } })).toBe(
      `'debug.securityContext.user' makes the sidecar non-root, but it needs privileged mode; ${NO_EFFECTIVE_CAPS} (got 1000). ${NON_ROOT_FIX}`);
  });

  test('a non-root user for tools that must run as root names each of them', () => {
    const lsof = DebugTool.custom({ name: 'lsof', needsRoot: true });
    const fuser = DebugTool.custom({ name: 'fuser', needsRoot: true });
    expect(refusal({ tools: [lsof, DebugTool.CURL, fuser], securityContext: { user: 1000 } })).toBe(
      "'debug.securityContext.user' makes the sidecar non-root, but lsof, fuser must run as root (got 1000). Remove the non-root setting, or remove those tools.");
  });
});

describe('who the Pod Security refusal blames for root and for privileged mode', () => {
  /** The one validation error of a chart whose namespace enforces `level`. */
  function refusedAtSynth(level: PodSecurityLevel, debug: Record<string, unknown>): string {
    const chart = Testing.chart();
    PodSecurity.enforce(chart, level);
    new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true, ...debug } as DebugOptions });
    return errorOf(() => Testing.synth(chart));
  }

  test('NETADMIN without tools: the profile adds the capabilities and runs the sidecar as root', () => {
    expect(refusedAtSynth(PodSecurityLevel.RESTRICTED, { profile: DebugProfile.NETADMIN }))
      .toMatch(/'debug\.profile' of the debug sidecar 'debug' .*: DebugProfile\.NETADMIN adds NET_ADMIN, NET_RAW; DebugProfile\.NETADMIN runs it as root \(got "netadmin"\)/);
  });

  test('NETADMIN with a tool that needs nothing: still the profile runs it as root', () => {
    expect(refusedAtSynth(PodSecurityLevel.RESTRICTED, { profile: DebugProfile.NETADMIN, tools: [DebugTool.DIG] }))
      .toMatch(/: DebugProfile\.NETADMIN adds NET_ADMIN, NET_RAW; DebugProfile\.NETADMIN runs it as root \(got "netadmin"\)/);
  });

  test("NETADMIN with an explicit 'user: 0': the security context runs it as root", () => {
    expect(refusedAtSynth(PodSecurityLevel.RESTRICTED, { profile: DebugProfile.NETADMIN, securityContext: { user: 0 } }))
      .toMatch(/: DebugProfile\.NETADMIN adds NET_ADMIN, NET_RAW; 'debug\.securityContext' runs it as root \(got "netadmin"\)/);
  });

  test("SYSADMIN with an explicit 'privileged: true': the security context makes it privileged", () => {
    expect(refusedAtSynth(PodSecurityLevel.BASELINE, { profile: DebugProfile.SYSADMIN, securityContext: { privileged: true } }))
      .toMatch(/'debug\.securityContext' of the debug sidecar 'debug' .*: 'debug\.securityContext' makes it privileged \(got \{"capabilities":\[\],"privileged":true,"user":0\}\)/);
    expect(refusal({ profile: DebugProfile.SYSADMIN, securityContext: { privileged: true }, runAsAppUser: true }))
      .toMatch(/^'debug\.runAsAppUser' runs the debug container as the app's user, but 'debug\.securityContext' makes it privileged; /);
  });

  test('SYSADMIN alone: the profile makes it privileged', () => {
    expect(refusal({ profile: DebugProfile.SYSADMIN, runAsAppUser: true }))
      .toMatch(/^'debug\.runAsAppUser' runs the debug container as the app's user, but DebugProfile\.SYSADMIN makes it privileged; /);
  });
});

everyManifestPassesTheSchema();
