import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { DebugToggle, DebugToggleSource } from '../debug-toggle';
import { fail } from '../errors';
import { DebugAppVolumes, DebugOptions } from './debug-options';
import { nowAt, parseInstant } from '../expiry';
import { EXIT_WITH_APP_SCRIPT, KEEP_ALIVE_SCRIPT } from './keep-alive';
import { resolveResources, SidecarResources, sizeQuantity } from './resources';
import { SidecarForm } from './sidecar-form';
import { DebugImage } from '../image/debug-image';
import { ImageFamily } from '../image/image-family';
import { mutableTagWarning } from '../image/image-reference';
import { optionalArray, optionalBoolean, optionalEnum, optionalInstance, optionalObject, optionalString } from '../input';
import { KubernetesVersion } from '../kubernetes-version';
import { DNS_LABEL_MAX, isDnsLabel, isDnsSubdomain } from '../names';
import { APP_VOLUMES_KEYS } from '../option-keys';
import { Capability } from '../privileges/capability';
import { DebugProfile } from '../privileges/debug-profile';
import { DebugTool } from '../privileges/debug-tool';
import { derivePrivileges, Privileges } from '../privileges/derive';

/** The longest suffix the sidecar adds to its name for a volume (`-no-token`); volume names are DNS labels too. */
const LONGEST_VOLUME_SUFFIX = '-no-token';
const MAX_NAME = DNS_LABEL_MAX - LONGEST_VOLUME_SUFFIX.length;
/** Kubernetes 1.29 turned native sidecars on by default. */
const NATIVE_SIDECARS = KubernetesVersion.V1_29;

/** What the workload's pod template tells the resolver about itself. */
export interface PodFacts {
  readonly kind: string;
  /** The Pod's restartPolicy, when known. */
  readonly restartPolicy?: string;
  /**
   * The oldest Kubernetes the workload's own library is made for (a
   * cdk8s-plus-33 workload: 1.33), and what says so; a lower bound that
   * picks defaults when no version is declared, never a declared version.
   */
  readonly builtFor?: { readonly version: KubernetesVersion; readonly source: string };
}

/** Which of the app container's volumes the debug container mounts, decided. */
export interface ResolvedAppVolumes {
  /** The volume names, or undefined for every volume the app container mounts. */
  readonly names?: string[];
  readonly readOnly: boolean;
}

/** Everything decided about one sidecar. Plain data; every rendering reads it. */
export interface ResolvedDebug extends Privileges {
  readonly enabled: boolean;
  readonly enabledBy: DebugToggleSource;
  readonly production: boolean;
  readonly name: string;
  /** The image and its family; an unknown family gives the union of the families' capabilities. */
  readonly image: DebugImage;
  readonly imagePullPolicy: string;
  readonly command: string[];
  readonly tools: DebugTool[];
  readonly profile?: DebugProfile;
  /** Whether the Pod gets `shareProcessNamespace: true`. */
  readonly shareProcessNamespace: boolean;
  readonly form: SidecarForm;
  readonly resources: SidecarResources;
  readonly scratchSizeLimit: string;
  /** The cluster's version, when declared (`KubernetesVersion`). */
  readonly kubernetesVersion?: KubernetesVersion;
  /** The end of the debug window as given (ISO 8601), when one is. */
  readonly until?: string;
  /** Why the sidecar is there, for its annotation. */
  readonly reason?: string;
  /** Who is responsible, for its annotation. */
  readonly owner?: string;
  /** The OpenShift SCC to bind, when asked for (its name is checked against the workload's namespace at attach). */
  readonly openShiftScc?: string;
  /** Pull secrets the debug image needs, each once, in the order given. */
  readonly imagePullSecrets: string[];
  /** The app container the debug container fits, when named (otherwise the Pod's first). */
  readonly appContainer?: string;
  /** The app's volumes to mount, when asked for. */
  readonly appVolumes?: ResolvedAppVolumes;
  /** Run as the app container's user and group (read from the pod spec when it is rendered). */
  readonly runAsAppUser: boolean;
  readonly warnings: string[];
}

/** Workloads that run to completion: a keep-alive sidecar would hold them forever. */
function runsToCompletion(pod: PodFacts): boolean {
  return pod.kind === 'Job' || pod.kind === 'CronJob'
    || (pod.kind === 'Pod' && pod.restartPolicy !== undefined && pod.restartPolicy !== 'Always');
}

function resolveForm(value: unknown, pod: PodFacts, version: { version: KubernetesVersion; source: string } | undefined): SidecarForm {
  // A declared version decides; else the workload's own library tells the oldest Kubernetes it is made for.
  const atLeast = version ?? pod.builtFor;
  const given = optionalEnum('debug.form', value, SidecarForm as unknown as Record<string, SidecarForm>, 'SidecarForm');
  const completes = runsToCompletion(pod);
  if (given === SidecarForm.NATIVE_SIDECAR && version !== undefined && !version.version.isAtLeast(NATIVE_SIDECARS)) {
    fail('debug.form', given, `needs Kubernetes ${NATIVE_SIDECARS.name} or later, and the cluster is ${version.version.name} (${version.source})`,
      'Use SidecarForm.EXIT_WITH_APP (works on every version), or declare the cluster version you really run.');
  }
  if (given === SidecarForm.CONTAINER && completes) {
    fail('debug.form', given, `would keep this ${pod.kind} from ever completing (a keep-alive container never exits on its own)`,
      'Use SidecarForm.EXIT_WITH_APP (any Kubernetes) or SidecarForm.NATIVE_SIDECAR (1.29+), or omit \'form\' for the default.');
  }
  if (given !== undefined) return given;
  if (!completes) return SidecarForm.CONTAINER;
  return atLeast !== undefined && atLeast.version.isAtLeast(NATIVE_SIDECARS) ? SidecarForm.NATIVE_SIDECAR : SidecarForm.EXIT_WITH_APP;
}

function resolveName(value: unknown): string {
  const name = optionalString('debug.name', value, "Pass a string such as 'debug'.") ?? 'debug';
  if (!isDnsLabel(name, MAX_NAME)) {
    fail('debug.name', name, 'is not a valid container name',
      `Use lowercase letters, digits and dashes, at most ${MAX_NAME} characters (its volumes add '${LONGEST_VOLUME_SUFFIX}' and must stay within 63), starting and ending with a letter or digit.`);
  }
  return name;
}

function resolveCommand(value: unknown, form: SidecarForm): string[] {
  const fix = 'Omit it to use the default keep-alive, or give the program and its arguments as a list of strings.';
  const command = optionalArray('debug.command', value, fix, (field, v) => optionalString(field, v, fix) ?? fail(field, v, 'is not a string', fix));
  if (command !== undefined && (command.length === 0 || command.some(c => c.length === 0) || command[0].trim().length === 0)) {
    fail('debug.command', command, 'must be a non-empty list of non-empty strings', fix);
  }
  return command ?? ['/bin/sh', '-c', form === SidecarForm.EXIT_WITH_APP ? EXIT_WITH_APP_SCRIPT : KEEP_ALIVE_SCRIPT];
}

const CHECKED_TOOLS = new WeakSet<DebugTool>();

function resolveTools(value: unknown): DebugTool[] {
  const fix = 'Pass a list of DebugTool members, such as [DebugTool.TCPDUMP], or DebugTool.custom({...}).';
  const tools = optionalArray('debug.tools', value, fix, (field, v) => optionalInstance(field, v, DebugTool, fix) ?? fail(field, v, 'is not a DebugTool', fix)) ?? [];
  // Every family's capabilities are checked, so a typo in a custom tool shows whatever image is chosen today; once per tool.
  tools.forEach((tool, i) => {
    if (CHECKED_TOOLS.has(tool)) return;
    Object.values(ImageFamily).forEach(family => tool.capabilitiesIn(family).forEach((c, j) =>
      Capability._nameOf(`debug.tools[${i}] (${tool.name}).${tool._capabilitiesField[family]}[${j}]`, c)));
    CHECKED_TOOLS.add(tool);
  });
  return tools;
}

/**
 * The image, checked (the default is netshoot), and the warning for a mutable
 * tag, which is an error in production; with `requireDigestInProduction`, the
 * same for an image not pinned by digest.
 */
function resolveImage(options: DebugOptions, production: boolean): { readonly image: DebugImage; readonly warnings: string[] } {
  const image = optionalInstance('debug.image', options.image, DebugImage, "Pass DebugImage.of('registry.example.com/team/debug:1.4', ImageFamily.DEBIAN).")
    ?? DebugImage.NETSHOOT;
  const mutable = mutableTagWarning('debug.image', image.reference, image._mutable, production);
  const digestOnly = optionalBoolean('debug.requireDigestInProduction', options.requireDigestInProduction) ?? false;
  // The reference grammar allows '@' only before a digest.
  if (!digestOnly || image.reference.includes('@')) return { image, warnings: mutable === undefined ? [] : [mutable] };
  const problem = "is not pinned by digest, and 'requireDigestInProduction' refuses that where the environment is production";
  const fix = `Pin it by digest: DebugImage.of('${image.reference.replace(/:[^:/]*$/, '')}@sha256:<digest>', family) (crane digest or docker buildx imagetools inspect prints it).`;
  if (production) fail('debug.image', image.reference, problem, fix);
  return { image, warnings: [...(mutable === undefined ? [] : [mutable]), `'debug.image' ${problem} (got "${image.reference}"). ${fix}`] };
}

/** `debug.imagePullSecrets`: Secret names, each once. */
function resolvePullSecrets(value: unknown): string[] {
  const fix = "Pass the names of Secrets of type kubernetes.io/dockerconfigjson in the Pod's namespace, such as ['registry-credentials'].";
  const names = optionalArray('debug.imagePullSecrets', value, fix, (field, v) => {
    const name = optionalString(field, v, fix) ?? fail(field, v, 'is not a string', fix);
    if (!isDnsSubdomain(name)) {
      fail(field, name, 'is not a Secret name', 'Use lowercase letters, digits, dashes and dots, at most 253 characters, starting and ending with a letter or digit (the name of a Secret in the Pod\'s namespace).');
    }
    return name;
  }) ?? [];
  return [...new Set(names)];
}

/** `debug.appContainer` and `debug.appVolumes`, checked as far as they can be without the pod spec. */
function resolveAppFiles(options: DebugOptions): { readonly appContainer?: string; readonly appVolumes?: ResolvedAppVolumes } {
  const appContainer = optionalString('debug.appContainer', options.appContainer, "Pass the name of the app's container, such as 'app'.");
  if (appContainer !== undefined && !isDnsLabel(appContainer)) {
    fail('debug.appContainer', appContainer, 'is not a container name', "Pass the name of the app's container, such as 'app'.");
  }
  const given = optionalObject<DebugAppVolumes>('debug.appVolumes', options.appVolumes, "Pass an object such as { names: ['data'] }, or {} for every volume.",
    APP_VOLUMES_KEYS);
  if (given === undefined) return { appContainer };
  const fix = "Pass the names of volumes the app container mounts, such as ['data'], or omit 'names' to mount them all.";
  const names = optionalArray('debug.appVolumes.names', given.names, fix, (field, v) => {
    const name = optionalString(field, v, fix) ?? fail(field, v, 'is not a string', fix);
    if (!isDnsLabel(name)) fail(field, name, 'is not a volume name', fix);
    return name;
  });
  if (names !== undefined && names.length === 0) fail('debug.appVolumes.names', names, 'is empty, so nothing would be mounted', fix);
  return { appContainer, appVolumes: { names: names === undefined ? undefined : [...new Set(names)], readOnly: optionalBoolean('debug.appVolumes.readOnly', given.readOnly) ?? true } };
}

/**
 * `debug.runAsAppUser`: only for tools that need no capability and not root,
 * and the only decider of the user, group and non-root setting.
 */
function resolveRunAsAppUser(options: DebugOptions, privileges: Privileges, profile: DebugProfile | undefined): boolean {
  const runAsAppUser = optionalBoolean('debug.runAsAppUser', options.runAsAppUser) ?? false;
  if (!runAsAppUser) return false;
  for (const key of ['user', 'group', 'ensureNonRoot'] as const) {
    const value = (options.securityContext as Record<string, unknown> | undefined)?.[key];
    if (value !== undefined) {
      fail(`debug.securityContext.${key}`, value, "conflicts with 'debug.runAsAppUser', which takes the user, the group and the non-root setting from the app container",
        `Remove '${key}', or remove 'runAsAppUser'.`);
    }
  }
  const needs = privileges.toolNeeds.filter(n => n.capabilities.length > 0 || n.needsRoot)
    .map(n => `${n.tool} needs ${n.capabilities.length > 0 ? n.capabilities.join(', ') : 'to run as root'}`);
  if (privileges.privileged) {needs.push(`${privileges.privilegedFrom === 'profile' && profile ? `DebugProfile.${profile.name.toUpperCase()}` : "'debug.securityContext'"} makes it privileged`);} else if (needs.length === 0 && privileges.capabilities.length > 0) {
    needs.push(`${privileges.capabilitiesFrom === 'profile' && profile ? `DebugProfile.${profile.name.toUpperCase()}` : "'debug.securityContext'"} adds ${privileges.capabilities.join(', ')}`);
  }
  if (needs.length > 0) {
    fail('debug.runAsAppUser', true, `runs the debug container as the app's user, but ${needs.join('; ')}; `
      + 'Kubernetes gives a non-root container no effective capabilities (kubernetes/kubernetes#56374)',
    "Remove 'runAsAppUser' (the tools then run as root with their capabilities), or keep only tools that need no capability (curl, dig).");
  }
  return true;
}

/**
 * The warning for an image of unknown family whose tools need different
 * capabilities in different families: the sidecar gets their union, and
 * naming the family narrows it. None when naming it would change nothing.
 */
function unknownFamilyWarning(image: DebugImage, tools: DebugTool[]): string | undefined {
  if (image.family !== undefined) return undefined;
  const needs = (family?: ImageFamily) => new Set(tools.flatMap(t => t.capabilitiesIn(family).map(c => c.name)));
  const union = needs(undefined);
  const narrower = Object.values(ImageFamily).filter(f => needs(f).size < union.size).map(f => `ImageFamily.${f.toUpperCase()}`);
  if (narrower.length === 0) return undefined;
  return `'debug.image' is of an unknown family, so the sidecar gets ${[...union].sort().join(', ')}, what its tools need in every family the library knows `
    + `(got "${image.reference}"). Name the family to narrow them: DebugImage.of('${image.reference}', ${narrower.join(') or DebugImage.of(..., ')}).`;
}

/** A short free text for an annotation (`debug.reason`, `debug.owner`). */
function resolveNote(field: string, value: unknown, example: string): string | undefined {
  const fix = `Pass a short text such as '${example}', or omit it.`;
  const note = optionalString(field, value, fix);
  if (note !== undefined && (note.trim() === '' || note.length > 1024)) fail(field, note, 'must be 1 to 1024 characters', fix);
  return note?.trim();
}

/**
 * Whether the debug window of `debug.until` has closed: then an enabled
 * sidecar is off, with a warning, except in production, where an expired
 * window switched on is a mistake to fix (an error).
 */
function expired(scope: IConstruct, until: { readonly text: string; readonly time: number } | undefined, enabled: boolean,
  production: boolean): string | undefined {
  if (until === undefined || !enabled) return undefined;
  const now = nowAt(scope);
  if (now < until.time) return undefined;
  const at = new Date(now).toISOString();
  if (production) {
    fail('debug.until', until.text, `has passed (it is ${at}) and debug is switched on where the environment is production`,
      "Set 'debug.until' to a later date to keep debugging, or switch debug off for this environment.");
  }
  return `debug expired on ${until.text} ('debug.until'; it is ${at}), so the workload is synthesized without its sidecar. `
    + "To extend it, set 'debug.until' to a later date; to end it for good, remove the debug options.";
}

/**
 * Decides everything about a sidecar: the toggle, defaults, privileges from
 * tools and profile, and every input error. Reads the construct context and
 * process.env (through DebugToggle and KubernetesVersion), nothing else.
 */
export function resolveDebug(scope: IConstruct, input: unknown, pod: PodFacts): ResolvedDebug {
  const options = optionalObject<DebugOptions>('debug', input, 'Pass an object such as { tools: [DebugTool.TCPDUMP] }.') ?? {};
  const toggle = DebugToggle._decide(scope, options.enabled, options.allowInProduction);
  const untilFix = "Write it as '2026-12-31' (midnight UTC) or '2026-12-31T18:00:00+01:00' (ISO 8601, with a zone).";
  const until = optionalString('debug.until', options.until, untilFix)?.trim();
  const deadline = until === undefined ? undefined : { text: until, time: parseInstant('debug.until', until, untilFix) };
  const expiry = expired(scope, deadline, toggle.enabled, toggle.production);
  const version = KubernetesVersion._declaredAt(scope);

  const name = resolveName(options.name);
  const { image, warnings: imageWarnings } = resolveImage(options, toggle.production);
  const imagePullPolicy = optionalEnum('debug.imagePullPolicy', options.imagePullPolicy,
    kplus.ImagePullPolicy as unknown as Record<string, string>, 'ImagePullPolicy') ?? kplus.ImagePullPolicy.IF_NOT_PRESENT;

  const tools = resolveTools(options.tools);
  const profile = optionalInstance('debug.profile', options.profile, DebugProfile, 'Use a static member such as DebugProfile.NETADMIN.');
  const privileges = derivePrivileges(tools, image.family, profile, options.securityContext);
  const form = resolveForm(options.form, pod, version);
  const warnings = [expiry, ...imageWarnings, unknownFamilyWarning(image, tools)].filter((w): w is string => w !== undefined);
  const runAsAppUser = resolveRunAsAppUser(options, privileges, profile);
  const { appContainer, appVolumes } = resolveAppFiles(options);
  const share = optionalBoolean('debug.shareProcessNamespace', options.shareProcessNamespace);
  const needsShare = privileges.needsShareProcessNamespace || form === SidecarForm.EXIT_WITH_APP;
  if (share === false && needsShare) {
    const who = [...tools.filter(t => t.needsShareProcessNamespace).map(t => t.name),
      ...(form === SidecarForm.EXIT_WITH_APP ? ['SidecarForm.EXIT_WITH_APP'] : []),
      ...(profile?._shareProcessNamespace ? [`DebugProfile.${profile.name.toUpperCase()}`] : [])];
    fail('debug.shareProcessNamespace', false, `conflicts with ${who.join(', ')}, which must see the application's processes`,
      "Remove 'shareProcessNamespace: false', or remove what needs it.");
  }

  // Listed field by field: an object spread here made V8 build a slow object every time (135 µs per workload).
  return {
    capabilities: privileges.capabilities,
    privileged: privileges.privileged,
    allowPrivilegeEscalation: privileges.allowPrivilegeEscalation,
    runAsUser: privileges.runAsUser,
    runAsGroup: privileges.runAsGroup,
    ensureNonRoot: privileges.ensureNonRoot,
    readOnlyRootFilesystem: privileges.readOnlyRootFilesystem,
    needsShareProcessNamespace: privileges.needsShareProcessNamespace,
    toolNeeds: privileges.toolNeeds,
    capabilitiesFrom: privileges.capabilitiesFrom,
    privilegedFrom: privileges.privilegedFrom,
    rootFrom: privileges.rootFrom,
    enabled: toggle.enabled && expiry === undefined,
    enabledBy: expiry === undefined ? toggle.source : DebugToggleSource.EXPIRED,
    production: toggle.production,
    name,
    image,
    imagePullPolicy,
    command: resolveCommand(options.command, form),
    tools,
    profile,
    // The exit-with-app keep-alive watches the app's processes, so it needs them in view.
    shareProcessNamespace: share ?? needsShare,
    form,
    resources: resolveResources(options.resources),
    scratchSizeLimit: options.scratchSizeLimit === undefined ? '512Mi' : sizeQuantity('debug.scratchSizeLimit', options.scratchSizeLimit),
    kubernetesVersion: version?.version,
    until,
    reason: resolveNote('debug.reason', options.reason, 'INC-1234: 502s from checkout'),
    owner: resolveNote('debug.owner', options.owner, 'team-payments'),
    openShiftScc: optionalString('debug.openShiftScc', options.openShiftScc, "Pass the name of a SecurityContextConstraints, such as 'privileged'."),
    imagePullSecrets: resolvePullSecrets(options.imagePullSecrets),
    appContainer,
    appVolumes,
    runAsAppUser,
    warnings,
  };
}
