import { Capability } from './capability';
import { BASELINE_ADDABLE_CAPABILITIES } from '../pod-security/evaluator/checks';

/**
 * A preset for the sidecar's privileges, with the semantics of
 * `kubectl debug --profile` (applied to a sidecar instead of an ephemeral
 * container). When a profile is set together with tools, a tool the profile
 * cannot serve is an error at synth.
 *
 * Without a profile the privileges are derived from the tools alone: the
 * narrowest set that runs them.
 */
export class DebugProfile {
  /**
   * kubectl's `general`: adds SYS_PTRACE and shares the process namespace,
   * so strace and gdb work. Runs as root.
   */
  public static readonly GENERAL = new DebugProfile('general', {
    fixedCapabilities: ['SYS_PTRACE'],
    allowedCapabilities: ['SYS_PTRACE'],
    shareProcessNamespace: true,
  });

  /**
   * kubectl's `baseline`: nothing beyond what Pod Security `baseline` allows.
   * Adds only the tools' capabilities, which must all be in baseline's list
   * (NET_RAW, NET_ADMIN and SYS_PTRACE are not).
   */
  public static readonly BASELINE = new DebugProfile('baseline', {
    allowedCapabilities: BASELINE_ADDABLE_CAPABILITIES,
  });

  /**
   * kubectl's `restricted`: runs as non-root, drops every capability and adds
   * none, so the Pod stays within Pod Security `restricted`. Serves only tools
   * that need no privileges (curl, dig).
   */
  public static readonly RESTRICTED = new DebugProfile('restricted', {
    fixedCapabilities: [],
    allowedCapabilities: [],
    nonRoot: true,
  });

  /**
   * kubectl's `netadmin`: adds NET_ADMIN and NET_RAW (tcpdump, tshark,
   * iptables, ping). Runs as root.
   */
  public static readonly NETADMIN = new DebugProfile('netadmin', {
    fixedCapabilities: ['NET_ADMIN', 'NET_RAW'],
    allowedCapabilities: ['NET_ADMIN', 'NET_RAW'],
  });

  /**
   * kubectl's `sysadmin`: a privileged container (which the API server only
   * accepts with `allowPrivilegeEscalation: true`). Serves every tool. Runs as root.
   */
  public static readonly SYSADMIN = new DebugProfile('sysadmin', {
    privileged: true,
  });

  /** The profile's name, as `kubectl debug --profile` spells it. */
  public readonly name: string;

  /** @internal */
  public readonly _fixedCapabilities?: string[];
  /** @internal undefined means every capability */
  public readonly _allowedCapabilities?: string[];
  /** @internal */
  public readonly _privileged: boolean;
  /** @internal */
  public readonly _nonRoot: boolean;
  /** @internal */
  public readonly _shareProcessNamespace: boolean;

  private constructor(name: string, spec: {
    fixedCapabilities?: string[];
    allowedCapabilities?: string[];
    privileged?: boolean;
    nonRoot?: boolean;
    shareProcessNamespace?: boolean;
  }) {
    this.name = name;
    this._fixedCapabilities = spec.fixedCapabilities;
    this._allowedCapabilities = spec.allowedCapabilities;
    this._privileged = spec.privileged ?? false;
    this._nonRoot = spec.nonRoot ?? false;
    this._shareProcessNamespace = spec.shareProcessNamespace ?? false;
  }

  /**
   * Whether this profile can give a tool that needs these capabilities
   * everything it needs.
   */
  public allows(capabilities: Capability[]): boolean {
    const allowed = this._allowedCapabilities;
    return allowed === undefined || capabilities.every(c => allowed.includes(c.name));
  }
}
