import { fail } from '../errors';

/** Every Linux capability, in Kubernetes spelling (no CAP_ prefix). */
const LINUX_CAPABILITIES = new Set([
  'AUDIT_CONTROL', 'AUDIT_READ', 'AUDIT_WRITE', 'BLOCK_SUSPEND', 'BPF', 'CHECKPOINT_RESTORE', 'CHOWN',
  'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'IPC_LOCK', 'IPC_OWNER', 'KILL', 'LEASE',
  'LINUX_IMMUTABLE', 'MAC_ADMIN', 'MAC_OVERRIDE', 'MKNOD', 'NET_ADMIN', 'NET_BIND_SERVICE', 'NET_BROADCAST',
  'NET_RAW', 'PERFMON', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_CHROOT',
  'SYS_MODULE', 'SYS_NICE', 'SYS_PACCT', 'SYS_PTRACE', 'SYS_RAWIO', 'SYS_RESOURCE', 'SYS_TIME',
  'SYS_TTY_CONFIG', 'SYSLOG', 'WAKE_ALARM',
]);

/**
 * A Linux capability, written the way Kubernetes expects it in
 * `securityContext.capabilities` (`NET_RAW`, not `CAP_NET_RAW`).
 *
 * cdk8s-plus-27's own `Capability` enum emits `CAP_NET_RAW`, which container
 * runtimes do not recognise; this class never does. Names given through
 * `Capability.of()` are checked when the sidecar is resolved, so a typo or a
 * `CAP_` prefix is an error that names the field it came from.
 */
export class Capability {
  /** Write records to the kernel audit log. In the default container set. */
  public static readonly AUDIT_WRITE = new Capability('AUDIT_WRITE');
  /** Make arbitrary changes to file UIDs and GIDs. In the default container set. */
  public static readonly CHOWN = new Capability('CHOWN');
  /** Bypass file read, write and execute permission checks. In the default container set. */
  public static readonly DAC_OVERRIDE = new Capability('DAC_OVERRIDE');
  /** Bypass file read permission checks and directory read and execute checks. */
  public static readonly DAC_READ_SEARCH = new Capability('DAC_READ_SEARCH');
  /** Bypass permission checks on operations that require the file owner's UID. In the default container set. */
  public static readonly FOWNER = new Capability('FOWNER');
  /** Keep set-user-ID bits when a file is modified. In the default container set. */
  public static readonly FSETID = new Capability('FSETID');
  /** Send signals to processes of other users. In the default container set. */
  public static readonly KILL = new Capability('KILL');
  /** Create special files with mknod. In the default container set. */
  public static readonly MKNOD = new Capability('MKNOD');
  /** Bind to ports below 1024. In the default container set; the only one Pod Security `restricted` allows to add. */
  public static readonly NET_BIND_SERVICE = new Capability('NET_BIND_SERVICE');
  /** Network administration: interfaces, routing, iptables, promiscuous mode. Not allowed by Pod Security `baseline`. */
  public static readonly NET_ADMIN = new Capability('NET_ADMIN');
  /** Raw and packet sockets (tcpdump, ping, traceroute). Not allowed by Pod Security `baseline`. */
  public static readonly NET_RAW = new Capability('NET_RAW');
  /** Performance monitoring (perf_event_open), Linux 5.8 or later. */
  public static readonly PERFMON = new Capability('PERFMON');
  /** Set file capabilities. In the default container set. */
  public static readonly SETFCAP = new Capability('SETFCAP');
  /** Change group IDs (tools that drop privileges to their own user). In the default container set. */
  public static readonly SETGID = new Capability('SETGID');
  /** Modify the capability bounding set. In the default container set. */
  public static readonly SETPCAP = new Capability('SETPCAP');
  /** Change user IDs (tools that drop privileges to their own user). In the default container set. */
  public static readonly SETUID = new Capability('SETUID');
  /** A catch-all of administration rights (mount, setns, ...). Not allowed by Pod Security `baseline`. */
  public static readonly SYS_ADMIN = new Capability('SYS_ADMIN');
  /** Use chroot. In the default container set. */
  public static readonly SYS_CHROOT = new Capability('SYS_CHROOT');
  /** Trace other processes (strace, gdb) and read their /proc entries. Not allowed by Pod Security `baseline`. */
  public static readonly SYS_PTRACE = new Capability('SYS_PTRACE');
  /** Override resource limits. */
  public static readonly SYS_RESOURCE = new Capability('SYS_RESOURCE');
  /** Set the system clock. */
  public static readonly SYS_TIME = new Capability('SYS_TIME');

  /**
   * Any capability by its Kubernetes name, for example `Capability.of('BPF')`.
   *
   * The name is checked when the sidecar is resolved: it must be a Linux
   * capability name without the `CAP_` prefix.
   */
  public static of(name: string): Capability {
    if (typeof name !== 'string') fail('name', name, 'is not a capability name', "Pass a name such as 'NET_RAW'.");
    return new Capability(name);
  }

  /**
   * The Kubernetes name of a capability given in `field`, after checking that
   * it is a Capability with a real Linux capability name (JavaScript callers
   * can pass anything).
   * @internal
   */
  public static _nameOf(field: string, capability: unknown): string {
    if (!(capability instanceof Capability)) {
      return fail(field, capability, 'is not a Capability', "Use a static member such as Capability.NET_RAW, or Capability.of('BPF').");
    }
    const name = capability.name;
    if (typeof name !== 'string') {
      return fail(field, name, 'is not a capability name', "Use Capability.of('NET_RAW').");
    }
    if (/^CAP_/i.test(name)) {
      // Stryker disable next-line Regex: reached only for a name that starts with CAP_, whose first CAP_ is that prefix, anchored or not
      const bare = name.replace(/^CAP_/i, '').toUpperCase();
      return fail(field, name, 'has the CAP_ prefix, which Kubernetes does not accept',
        `Write '${bare}' (Capability.${bare}); cdk8s-plus-27's Capability enum emits the wrong form.`);
    }
    if (!LINUX_CAPABILITIES.has(name)) {
      return fail(field, name, 'is not a Linux capability', `Use a static member of Capability or one of: ${[...LINUX_CAPABILITIES].join(', ')}.`);
    }
    return name;
  }

  /**
   * @param name the name as Kubernetes writes it, for example `NET_RAW`
   */
  private constructor(public readonly name: string) {}

  /** The Kubernetes name. */
  public toString(): string {
    return this.name;
  }
}
