import { fail } from '../errors';
import { optionalArray, optionalBoolean, optionalInstance, optionalObject, optionalString } from '../input';
import { TOOL_PROPS_KEYS } from '../option-keys';
import { Capability } from './capability';
import { ImageFamily } from '../image/image-family';

/**
 * What a debug tool needs from the container it runs in.
 */
export interface DebugToolProps {
  /**
   * The tool's name, used in error messages.
   */
  readonly name: string;

  /**
   * Capabilities the tool needs when it runs as root with every other
   * capability dropped, in an image of any family; `alpineCapabilities` or
   * `debianCapabilities` replace it for their family.
   *
   * @default - none
   */
  readonly capabilities?: Capability[];

  /**
   * Capabilities the tool needs in an Alpine-family image, when they differ
   * from `capabilities`.
   *
   * @default - the same as `capabilities`
   */
  readonly alpineCapabilities?: Capability[];

  /**
   * Capabilities the tool needs in a Debian-family image, when they differ
   * from `capabilities`.
   *
   * @default - the same as `capabilities`
   */
  readonly debianCapabilities?: Capability[];

  /**
   * The packages that install the tool in an image of any family, for
   * `DebugImage.recipe`; `alpinePackages` or `debianPackages` replace it for
   * their family.
   *
   * @default - none: the recipe refuses the tool
   */
  readonly packages?: string[];

  /**
   * The packages that install the tool in an Alpine-family image, when they
   * differ from `packages`.
   *
   * @default - the same as `packages`
   */
  readonly alpinePackages?: string[];

  /**
   * The packages that install the tool in a Debian-family image, when they
   * differ from `packages`.
   *
   * @default - the same as `packages`
   */
  readonly debianPackages?: string[];

  /**
   * What the tool needs in an image of any family built by `DebugImage.recipe`
   * with `RecipeStyle.MINIMAL`: its programs, by name (looked up on the
   * builder's PATH, such as `tcpdump`) or absolute path, and absolute paths of
   * the data files or directories it reads (shell wildcards allowed, such as
   * `/usr/lib/*-linux-gnu/xtables`). Each ELF file among them brings the shared
   * libraries the dynamic loader lists for it. `alpineBinaries` or
   * `debianBinaries` replace it for their family.
   *
   * @default - none: the minimal style refuses the tool (the full style still builds it)
   */
  readonly binaries?: string[];

  /**
   * What the tool needs in a minimal Alpine-family image, when it differs
   * from `binaries`.
   *
   * @default - the same as `binaries`
   */
  readonly alpineBinaries?: string[];

  /**
   * What the tool needs in a minimal Debian-family image, when it differs
   * from `binaries`.
   *
   * @default - the same as `binaries`
   */
  readonly debianBinaries?: string[];

  /**
   * Whether the tool must see the application's processes, which needs
   * `shareProcessNamespace: true` on the Pod.
   *
   * @default false
   */
  readonly needsShareProcessNamespace?: boolean;

  /**
   * Whether the tool must run as user 0 even when it needs no capabilities.
   * A tool that needs capabilities always runs as root: Kubernetes gives a
   * non-root container no effective capabilities (kubernetes/kubernetes#56374).
   *
   * @default false
   */
  readonly needsRoot?: boolean;
}

/**
 * A debugging tool the sidecar is expected to run, with the privileges it
 * needs. The sidecar's privileges are the union of its tools' needs.
 *
 * The capability table was measured in a real container engine for the
 * Debian family (see docs/privileges.md) and taken from the
 * packages' build recipes for the Alpine family (netshoot).
 */
export class DebugTool {
  /** Packet capture with tcpdump (raw socket; Debian's build also changes user to `tcpdump`). */
  public static readonly TCPDUMP = new DebugTool({
    name: 'tcpdump',
    packages: ['tcpdump'],
    binaries: ['tcpdump'],
    capabilities: [Capability.NET_RAW],
    debianCapabilities: [Capability.NET_RAW, Capability.SETUID, Capability.SETGID],
  });

  /**
   * Packet capture with tshark/termshark. Alpine's dumpcap carries the file
   * capabilities NET_RAW+NET_ADMIN, so it cannot even start without both in
   * the bounding set; Debian's has none and captures with NET_RAW alone.
   */
  public static readonly TSHARK = new DebugTool({
    name: 'tshark',
    packages: ['tshark'],
    alpineBinaries: ['tshark', 'dumpcap', '/usr/lib/wireshark', '/usr/share/wireshark'],
    debianBinaries: ['tshark', 'dumpcap', '/usr/lib/*-linux-gnu/wireshark', '/usr/share/wireshark'],
    capabilities: [Capability.NET_RAW, Capability.NET_ADMIN],
    debianCapabilities: [Capability.NET_RAW],
  });

  /** ICMP echo with ping (raw socket; Debian's ping carries the file capability NET_RAW, so it cannot start without it). */
  public static readonly PING = new DebugTool({ name: 'ping', packages: ['iputils'], debianPackages: ['iputils-ping'], binaries: ['ping'], capabilities: [Capability.NET_RAW] });

  /** traceroute, mtr and tcptraceroute (raw sockets). */
  public static readonly TRACEROUTE = new DebugTool({
    name: 'traceroute',
    packages: ['mtr'],
    debianPackages: ['traceroute'],
    alpineBinaries: ['mtr', 'mtr-packet'],
    debianBinaries: ['traceroute', 'traceroute6', 'tcptraceroute'],
    capabilities: [Capability.NET_RAW],
  });

  /** nmap SYN and OS scans (raw sockets); `nmap -sT` needs nothing. */
  public static readonly NMAP = new DebugTool({ name: 'nmap', packages: ['nmap'], binaries: ['nmap', '/usr/share/nmap'], capabilities: [Capability.NET_RAW] });

  /** iptables, nft, ipset and conntrack: read and change the Pod's packet filter. */
  public static readonly IPTABLES = new DebugTool({
    name: 'iptables',
    packages: ['iptables'],
    alpineBinaries: ['iptables', 'iptables-save', 'iptables-restore', 'ip6tables', 'ip6tables-save', 'ip6tables-restore', '/usr/lib/xtables'],
    debianBinaries: ['iptables', 'iptables-save', 'iptables-restore', 'ip6tables', 'ip6tables-save', 'ip6tables-restore', '/usr/lib/*-linux-gnu/xtables'],
    capabilities: [Capability.NET_ADMIN, Capability.NET_RAW],
  });

  /** DNS lookups with dig, nslookup and host. */
  public static readonly DIG = new DebugTool({ name: 'dig', packages: ['bind-tools'], debianPackages: ['bind9-dnsutils'], binaries: ['dig', 'nslookup', 'host'] });

  /** HTTP requests with curl (and wget, httpie, grpcurl); Debian's curl does not bring the CA certificates by itself. */
  public static readonly CURL = new DebugTool({
    name: 'curl',
    packages: ['curl'],
    debianPackages: ['curl', 'ca-certificates'],
    binaries: ['curl', '/etc/ssl/certs/ca-certificates.crt'],
  });

  /** Trace the application's system calls with `strace -p`. */
  public static readonly STRACE = new DebugTool({
    name: 'strace',
    packages: ['strace'],
    binaries: ['strace'],
    capabilities: [Capability.SYS_PTRACE],
    needsShareProcessNamespace: true,
  });

  /** Attach gdb to the application's processes. */
  public static readonly GDB = new DebugTool({
    name: 'gdb',
    packages: ['gdb'],
    binaries: ['gdb', '/usr/share/gdb', '/usr/lib/python3.*'],
    capabilities: [Capability.SYS_PTRACE],
    needsShareProcessNamespace: true,
  });

  /** Profile the application's processes with perf (Linux 5.8 or later for PERFMON). */
  public static readonly PERF = new DebugTool({
    name: 'perf',
    packages: ['perf'],
    debianPackages: ['linux-perf'],
    binaries: ['perf'],
    capabilities: [Capability.PERFMON, Capability.SYS_PTRACE],
    needsShareProcessNamespace: true,
  });

  /** Enter the application's namespaces with nsenter (setns is gated on SYS_ADMIN by the default seccomp profile). */
  public static readonly NSENTER = new DebugTool({
    name: 'nsenter',
    packages: ['util-linux-misc'],
    debianPackages: ['util-linux'],
    binaries: ['nsenter'],
    capabilities: [Capability.SYS_ADMIN, Capability.SYS_PTRACE],
    needsShareProcessNamespace: true,
    needsRoot: true,
  });

  /**
   * A tool of your own, for example a database client or a profiler.
   */
  public static custom(props: DebugToolProps): DebugTool {
    const p = optionalObject<DebugToolProps>('props', props, "Pass { name: 'psql', capabilities: [...] }.", TOOL_PROPS_KEYS);
    const name = optionalString('props.name', p?.name, "Give the tool a name, such as 'psql'.");
    if (name === undefined || name.trim() === '') fail('props.name', name, 'is required', "Give the tool a name, such as 'psql'.");
    const caps = (field: string, v: unknown) => optionalArray(field, v, 'Pass a list such as [Capability.NET_RAW].',
      (f, c) => optionalInstance(f, c, Capability, "Use Capability.NET_RAW or Capability.of('BPF').") ?? fail(f, c, 'is not a Capability', 'Use Capability.NET_RAW.'));
    const packages = (field: string, v: unknown) => optionalArray(field, v, "Pass a list such as ['postgresql-client'].",
      (f, x) => optionalString(f, x, 'Pass package names as strings.') ?? fail(f, x, 'is not a string', 'Pass package names as strings.'));
    const binaries = (field: string, v: unknown) => optionalArray(field, v, "Pass a list such as ['psql'].",
      (f, x) => optionalString(f, x, "Pass program names or absolute paths as strings, such as 'psql'.") ?? fail(f, x, 'is not a string', "Pass strings, such as 'psql'."));
    return new DebugTool({
      name,
      capabilities: caps('props.capabilities', p!.capabilities),
      alpineCapabilities: caps('props.alpineCapabilities', p!.alpineCapabilities),
      debianCapabilities: caps('props.debianCapabilities', p!.debianCapabilities),
      packages: packages('props.packages', p!.packages),
      alpinePackages: packages('props.alpinePackages', p!.alpinePackages),
      debianPackages: packages('props.debianPackages', p!.debianPackages),
      binaries: binaries('props.binaries', p!.binaries),
      alpineBinaries: binaries('props.alpineBinaries', p!.alpineBinaries),
      debianBinaries: binaries('props.debianBinaries', p!.debianBinaries),
      needsShareProcessNamespace: optionalBoolean('props.needsShareProcessNamespace', p!.needsShareProcessNamespace),
      needsRoot: optionalBoolean('props.needsRoot', p!.needsRoot),
    });
  }

  /** The tool's name. */
  public readonly name: string;
  /** Whether the tool needs the Pod's shared process namespace. */
  public readonly needsShareProcessNamespace: boolean;
  /** Whether the tool must run as user 0 even without capabilities. */
  public readonly needsRoot: boolean;
  /** The prop each family's capabilities came from, for error messages. @internal */
  public readonly _capabilitiesField: Record<ImageFamily, string>;
  private readonly alpineCapabilities: Capability[];
  private readonly debianCapabilities: Capability[];
  private readonly alpinePackages: string[];
  private readonly debianPackages: string[];
  private readonly alpineBinaries: string[];
  private readonly debianBinaries: string[];

  private constructor(props: DebugToolProps) {
    this.name = props.name;
    this.alpineCapabilities = props.alpineCapabilities ?? props.capabilities ?? [];
    this.debianCapabilities = props.debianCapabilities ?? props.capabilities ?? [];
    this.alpinePackages = props.alpinePackages ?? props.packages ?? [];
    this.debianPackages = props.debianPackages ?? props.packages ?? [];
    this.alpineBinaries = props.alpineBinaries ?? props.binaries ?? [];
    this.debianBinaries = props.debianBinaries ?? props.binaries ?? [];
    this._capabilitiesField = {
      [ImageFamily.ALPINE]: props.alpineCapabilities ? 'alpineCapabilities' : 'capabilities',
      [ImageFamily.DEBIAN]: props.debianCapabilities ? 'debianCapabilities' : 'capabilities',
    };
    this.needsShareProcessNamespace = props.needsShareProcessNamespace ?? false;
    this.needsRoot = props.needsRoot ?? false;
  }

  /**
   * The capabilities this tool needs in an image of the given family; for an
   * image of unknown family, those that work in every family the library
   * knows (their union).
   *
   * @param family the image's family
   * @default - unknown: the union over the families
   */
  public capabilitiesIn(family?: ImageFamily): Capability[] {
    if (family === ImageFamily.DEBIAN) return [...this.debianCapabilities];
    if (family === ImageFamily.ALPINE) return [...this.alpineCapabilities];
    const union = new Map([...this.alpineCapabilities, ...this.debianCapabilities].map(c => [c.name, c]));
    return [...union.values()];
  }

  /** The packages that install this tool in an image of the given family (for `DebugImage.recipe`). */
  public packagesIn(family: ImageFamily): string[] {
    return family === ImageFamily.DEBIAN ? [...this.debianPackages] : [...this.alpinePackages];
  }

  /** What a minimal image of the given family carries for this tool (for `DebugImage.recipe` with `RecipeStyle.MINIMAL`). */
  public binariesIn(family: ImageFamily): string[] {
    return family === ImageFamily.DEBIAN ? [...this.debianBinaries] : [...this.alpineBinaries];
  }
}
