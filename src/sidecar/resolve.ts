import { Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { Capability } from '../privileges/capability';
import { DebugImage } from '../image/debug-image';
import { DebugOptions } from './debug-options';
import { DebugProfile } from '../privileges/debug-profile';
import { DebugToggle } from '../debug-toggle';
import { DebugTool } from '../privileges/debug-tool';
import { ImageFamily } from '../image/image-family';
import { EXIT_WITH_APP_SCRIPT, KEEP_ALIVE_SCRIPT } from './keep-alive';
import { SidecarForm } from './sidecar-form';

/** Every Linux capability, in Kubernetes spelling (no CAP_ prefix). */
const LINUX_CAPABILITIES = new Set([
  'AUDIT_CONTROL', 'AUDIT_READ', 'AUDIT_WRITE', 'BLOCK_SUSPEND', 'BPF', 'CHECKPOINT_RESTORE', 'CHOWN',
  'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'IPC_LOCK', 'IPC_OWNER', 'KILL', 'LEASE',
  'LINUX_IMMUTABLE', 'MAC_ADMIN', 'MAC_OVERRIDE', 'MKNOD', 'NET_ADMIN', 'NET_BIND_SERVICE', 'NET_BROADCAST',
  'NET_RAW', 'PERFMON', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_CHROOT',
  'SYS_MODULE', 'SYS_NICE', 'SYS_PACCT', 'SYS_PTRACE', 'SYS_RAWIO', 'SYS_RESOURCE', 'SYS_TIME',
  'SYS_TTY_CONFIG', 'SYSLOG', 'WAKE_ALARM',
]);

/** The user a sidecar that needs no privileges runs as (nobody). */
export const NON_ROOT_USER = 65534;

// docker/distribution reference grammar: [host[:port]/]path[:tag][@digest]
const IMAGE_REFERENCE = new RegExp(
  '^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/)?'
  + '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*'
  + '(?::[\\w][\\w.-]{0,127})?'
  + '(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$',
);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off', ''];
const PRODUCTION_WORDS = ['production', 'prod'];

/** What the workload tells the resolver about itself. */
export interface WorkloadFacts {
  readonly kind: string;
  /** The Pod's restartPolicy, when known. */
  readonly restartPolicy?: string;
}

/** Everything decided about one sidecar. Plain data. */
export interface ResolvedDebug {
  readonly enabled: boolean;
  /** Where `enabled` came from: 'prop', 'context', 'env' or 'default'. */
  readonly enabledBy: string;
  readonly production: boolean;
  readonly name: string;
  readonly image: string;
  readonly imageFamily: ImageFamily;
  readonly imagePullPolicy: string;
  readonly command: string[];
  readonly tools: DebugTool[];
  readonly profile?: DebugProfile;
  readonly capabilities: string[];
  readonly runAsUser: number;
  readonly runAsGroup?: number;
  readonly runAsNonRoot: boolean;
  readonly privileged: boolean;
  readonly allowPrivilegeEscalation: boolean;
  readonly readOnlyRootFilesystem: boolean;
  readonly sharesProcessNamespace: boolean;
  readonly form: SidecarForm;
  readonly resources: { requests: Record<string, string>; limits: Record<string, string> };
  readonly scratchSizeLimit: string;
  readonly warnings: string[];
}

function fail(field: string, value: unknown, problem: string, fix: string): never {
  throw new Error(`'${field}' ${problem} (got ${JSON.stringify(value)}). ${fix}`);
}

function parseBoolean(source: string, raw: unknown): boolean | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'boolean') return raw;
  const word = String(raw).trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  return fail(source, raw, 'is not a boolean', `Use one of ${[...TRUE_WORDS, ...FALSE_WORDS.filter(w => w)].join(', ')}.`);
}

function resolveEnabled(scope: IConstruct, options: DebugOptions): { enabled: boolean; by: string } {
  if (options.enabled !== undefined) return { enabled: options.enabled, by: 'prop' };
  const fromContext = parseBoolean(`context ${DebugToggle.ENABLED_CONTEXT_KEY}`,
    scope.node.tryGetContext(DebugToggle.ENABLED_CONTEXT_KEY));
  if (fromContext !== undefined) return { enabled: fromContext, by: 'context' };
  const fromEnv = parseBoolean(`environment variable ${DebugToggle.ENABLED_ENV_VAR}`,
    process.env[DebugToggle.ENABLED_ENV_VAR]);
  if (fromEnv !== undefined) return { enabled: fromEnv, by: 'env' };
  return { enabled: false, by: 'default' };
}

function resolveEnvironment(scope: IConstruct): { name?: string; source: string } {
  const fromContext = scope.node.tryGetContext(DebugToggle.ENVIRONMENT_CONTEXT_KEY);
  if (fromContext !== undefined) return { name: String(fromContext), source: `context ${DebugToggle.ENVIRONMENT_CONTEXT_KEY}` };
  return { name: process.env[DebugToggle.ENVIRONMENT_ENV_VAR], source: `environment variable ${DebugToggle.ENVIRONMENT_ENV_VAR}` };
}

function checkCapabilityName(field: string, cap: Capability): string {
  const name = cap.name;
  if (/^CAP_/i.test(name)) {
    fail(field, name, 'has the CAP_ prefix, which Kubernetes does not accept',
      `Write '${name.replace(/^CAP_/i, '').toUpperCase()}' (Capability.${name.replace(/^CAP_/i, '').toUpperCase()}); cdk8s-plus-27's Capability enum emits the wrong form.`);
  }
  if (!LINUX_CAPABILITIES.has(name)) {
    fail(field, name, 'is not a Linux capability',
      `Use a static member of Capability or one of: ${[...LINUX_CAPABILITIES].join(', ')}.`);
  }
  return name;
}

function union(lists: string[][]): string[] {
  return [...new Set(lists.flat())].sort();
}

/** A Kubernetes quantity for a kplus Cpu or a cdk8s Size. */
function toQuantity(field: string, value: kplus.Cpu | Size): string {
  if (value instanceof kplus.Cpu) return value.amount;
  const mib = value.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
  if (!(mib > 0)) fail(field, mib, 'must be a positive size', 'Use Size.mebibytes(n) with n > 0.');
  return Number.isInteger(mib) ? `${mib}Mi` : `${Math.ceil(value.toKibibytes({ rounding: SizeRoundingBehavior.NONE }))}Ki`;
}

function quantity(field: string, value: kplus.Cpu | Size | undefined, fallback: string): string {
  return value === undefined ? fallback : toQuantity(field, value);
}

/** Parses a Kubernetes quantity we wrote ourselves (m, Mi, Ki, Gi or plain) into a number. */
function magnitude(q: string): number {
  const units: Record<string, number> = { m: 1e-3, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9 };
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q);
  if (!m) return NaN;
  return parseFloat(m[1]) * (m[2] ? (units[m[2]] ?? NaN) : 1);
}

function resolveResources(options: DebugOptions): ResolvedDebug['resources'] {
  const r = options.resources ?? {};
  const requests: Record<string, string> = {
    cpu: quantity('debug.resources.cpu.request', r.cpu?.request, '10m'),
    memory: quantity('debug.resources.memory.request', r.memory?.request, '32Mi'),
  };
  const limits: Record<string, string> = {
    cpu: quantity('debug.resources.cpu.limit', r.cpu?.limit, '500m'),
    memory: quantity('debug.resources.memory.limit', r.memory?.limit, '256Mi'),
  };
  if (r.ephemeralStorage?.request) requests['ephemeral-storage'] = toQuantity('debug.resources.ephemeralStorage.request', r.ephemeralStorage.request);
  if (r.ephemeralStorage?.limit) limits['ephemeral-storage'] = toQuantity('debug.resources.ephemeralStorage.limit', r.ephemeralStorage.limit);
  for (const key of Object.keys(requests)) {
    if (limits[key] !== undefined && magnitude(requests[key]) > magnitude(limits[key])) {
      fail(`debug.resources.${key}`, { request: requests[key], limit: limits[key] }, 'has a request above its limit, which the API server rejects',
        'Raise the limit or lower the request.');
    }
  }
  return { requests, limits };
}

function defaultForm(workload: WorkloadFacts): SidecarForm {
  if (workload.kind === 'Job' || workload.kind === 'CronJob') return SidecarForm.EXIT_WITH_APP;
  if (workload.kind === 'Pod' && workload.restartPolicy !== undefined && workload.restartPolicy !== 'Always') {
    return SidecarForm.EXIT_WITH_APP;
  }
  return SidecarForm.CONTAINER;
}

/** Is the image referenced by a tag that can move (no tag, or `latest`) and no digest? */
export function isMutableImage(image: string): boolean {
  if (image.includes('@')) return false;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : undefined;
  return tag === undefined || tag === 'latest';
}

/**
 * Decides everything about a sidecar: the toggle, defaults, privileges from
 * tools and profile, and every input error. Pure apart from reading the
 * construct context and process.env.
 */
export function resolveDebug(scope: IConstruct, options: DebugOptions, workload: WorkloadFacts): ResolvedDebug {
  const warnings: string[] = [];
  const { enabled, by } = resolveEnabled(scope, options);
  const environment = resolveEnvironment(scope);
  const production = environment.name !== undefined && PRODUCTION_WORDS.includes(environment.name.trim().toLowerCase());
  if (enabled && production && options.allowInProduction !== true) {
    fail('debug.enabled', true,
      `turns the debug sidecar on where the environment is production (${environment.source} = '${environment.name}'; enabled by ${by === 'prop' ? "the 'enabled' prop" : by === 'env' ? `${DebugToggle.ENABLED_ENV_VAR}` : `context ${DebugToggle.ENABLED_CONTEXT_KEY}`})`,
      "Set 'debug.allowInProduction: true' to do it deliberately, or switch debug off for this environment.");
  }

  const name = options.name ?? 'debug';
  if (!DNS_LABEL.test(name) || name.length > 63) {
    fail('debug.name', name, 'is not a valid container name', 'Use lowercase letters, digits and dashes, at most 63 characters, starting and ending with a letter or digit.');
  }

  const image = options.image ?? DebugImage.NETSHOOT;
  if (image.length > 255 || !IMAGE_REFERENCE.test(image)) {
    fail('debug.image', image, 'is not a valid image reference',
      `Use [registry/]repository:tag or ...@sha256:digest with a lowercase repository, for example '${DebugImage.NETSHOOT}'.`);
  }
  if (isMutableImage(image)) {
    const problem = 'uses a mutable tag (latest or none): the sidecar can change under you between two Pod starts';
    if (production) fail('debug.image', image, problem, 'Pin a version tag or a digest (@sha256:...) where the environment is production.');
    warnings.push(`'debug.image' ${problem} (got "${image}"). Pin a version tag or a digest.`);
  }

  const command = options.command ?? undefined;
  if (command !== undefined && (command.length === 0 || command.some(c => c.length === 0) || command[0].trim().length === 0)) {
    fail('debug.command', command, 'must be a non-empty list of non-empty strings', 'Omit it to use the default keep-alive, or give the program and its arguments.');
  }

  const family = options.imageFamily ?? ImageFamily.ALPINE;
  const tools = options.tools ?? [];
  const profile = options.profile;
  const toolCaps = tools.map((tool, i) => tool.capabilitiesIn(family).map((c, j) =>
    checkCapabilityName(`debug.tools[${i}] (${tool.name}).capabilities[${j}]`, c)));
  const toolsNeedingRoot = tools.filter(t => t.needsRoot).map(t => t.name);

  if (profile) {
    tools.forEach((tool, i) => {
      const caps = tool.capabilitiesIn(family);
      if (!profile.allows(caps)) {
        fail(`debug.tools[${i}]`, tool.name,
          `needs ${caps.map(c => c.name).join(', ')} in a ${family} image, which DebugProfile.${profile.name.toUpperCase()} cannot give (it allows ${profile._allowedCapabilities!.length ? profile._allowedCapabilities!.join(', ') : 'no capability'})`,
          "Remove the tool, choose a profile that serves it (NETADMIN for network tools, GENERAL for strace/gdb, SYSADMIN for all), or omit 'profile' to derive the privileges from the tools.");
      }
      if (profile._nonRoot && (tool.needsRoot || caps.length > 0)) {
        fail(`debug.tools[${i}]`, tool.name, `needs root, which DebugProfile.${profile.name.toUpperCase()} does not allow`,
          'Remove the tool or choose another profile.');
      }
    });
  }

  const derivedCaps = profile?._fixedCapabilities ?? union(toolCaps);
  const sc = options.securityContext ?? {};
  const capabilities = sc.capabilities
    ? union([sc.capabilities.map((c, i) => checkCapabilityName(`debug.securityContext.capabilities[${i}]`, c))])
    : derivedCaps;
  const privileged = sc.privileged ?? profile?._privileged ?? false;
  const allowPrivilegeEscalation = sc.allowPrivilegeEscalation ?? privileged;
  if (privileged && !allowPrivilegeEscalation) {
    fail('debug.securityContext.allowPrivilegeEscalation', false, 'cannot be false on a privileged container (the API server rejects the pair)',
      "Remove 'allowPrivilegeEscalation: false', or do not run the sidecar privileged.");
  }

  const needsRoot = privileged || capabilities.length > 0 || toolsNeedingRoot.length > 0;
  const runAsUser = sc.user ?? (needsRoot && !profile?._nonRoot && sc.runAsNonRoot !== true ? 0 : NON_ROOT_USER);
  const runAsNonRoot = sc.runAsNonRoot ?? runAsUser !== 0;
  if (runAsNonRoot && runAsUser === 0) {
    fail('debug.securityContext.runAsNonRoot', true, 'cannot hold for user 0 (the kubelet refuses to start the container)',
      "Remove 'runAsNonRoot', or set 'user' to a non-zero ID with tools that need no capabilities.");
  }
  if (runAsUser !== 0 || runAsNonRoot) {
    const field = sc.user !== undefined ? 'debug.securityContext.user' : 'debug.securityContext.runAsNonRoot';
    const value = sc.user !== undefined ? sc.user : runAsNonRoot;
    const needers = tools.filter((t, i) => toolCaps[i].length > 0 || t.needsRoot).map(t => t.name);
    if (capabilities.length > 0 || privileged) {
      fail(field, value,
        `makes the sidecar non-root, but it needs ${privileged ? 'privileged mode' : capabilities.join(', ')}${needers.length ? ` (for ${needers.join(', ')})` : ''}; Kubernetes gives a non-root container no effective capabilities (kubernetes/kubernetes#56374)`,
        'Remove the non-root setting so the sidecar runs as user 0, or choose tools that need no capabilities.');
    }
    if (toolsNeedingRoot.length > 0) {
      fail(field, value, `makes the sidecar non-root, but ${toolsNeedingRoot.join(', ')} must run as root`,
        'Remove the non-root setting, or remove those tools.');
    }
  }

  const form = options.form ?? defaultForm(workload);
  const needsPidNamespace = tools.some(t => t.needsProcessNamespace) || (profile?._sharesProcessNamespace ?? false)
    || form === SidecarForm.EXIT_WITH_APP;
  if (options.shareProcessNamespace === false && needsPidNamespace) {
    const who = [...tools.filter(t => t.needsProcessNamespace).map(t => t.name),
      ...(form === SidecarForm.EXIT_WITH_APP ? ['SidecarForm.EXIT_WITH_APP'] : []),
      ...(profile?._sharesProcessNamespace ? [`DebugProfile.${profile.name.toUpperCase()}`] : [])];
    fail('debug.shareProcessNamespace', false, `conflicts with ${who.join(', ')}, which must see the application's processes`,
      "Remove 'shareProcessNamespace: false', or remove what needs it.");
  }

  const scratch = options.scratchSizeLimit;
  return {
    enabled,
    enabledBy: by,
    production,
    name,
    image,
    imageFamily: family,
    imagePullPolicy: options.imagePullPolicy ?? 'IfNotPresent',
    command: command ?? ['/bin/sh', '-c', form === SidecarForm.EXIT_WITH_APP ? EXIT_WITH_APP_SCRIPT : KEEP_ALIVE_SCRIPT],
    tools,
    profile,
    capabilities,
    runAsUser,
    runAsGroup: sc.group,
    runAsNonRoot,
    privileged,
    allowPrivilegeEscalation,
    readOnlyRootFilesystem: sc.readOnlyRootFilesystem ?? true,
    sharesProcessNamespace: options.shareProcessNamespace ?? needsPidNamespace,
    form,
    resources: resolveResources(options),
    scratchSizeLimit: scratch === undefined ? '512Mi' : toQuantity('debug.scratchSizeLimit', scratch),
    warnings,
  };
}
