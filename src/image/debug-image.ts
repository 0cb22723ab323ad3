/**
 * Debug images the library knows. Any other image reference can be given
 * as a string in `DebugOptions.image`.
 */
export class DebugImage {
  /**
   * nicolaka/netshoot, pinned to a release (Alpine based; tcpdump, tshark,
   * strace, dig, curl, nmap, iptables, ...). Runs as root by default.
   */
  public static readonly NETSHOOT = 'docker.io/nicolaka/netshoot:v0.14';

  private constructor() {}
}
