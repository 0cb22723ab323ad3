import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { DebugToggle, DebugToggleSource } from '../debug-toggle';
import { fail } from '../errors';
import { DebugImage } from '../image/debug-image';
import { ImageFamily } from '../image/image-family';
import { mutableTagWarning } from '../image/image-reference';
import { optionalArray, optionalBoolean, optionalEnum, optionalInstance, optionalObject, optionalString } from '../input';
import { KubernetesVersion } from '../kubernetes-version';
import { DebugOptions } from './debug-options';
import { EXIT_WITH_APP_SCRIPT, KEEP_ALIVE_SCRIPT } from './keep-alive';
import { resolveResources, SidecarResources, sizeQuantity } from './resources';
import { SidecarForm } from './sidecar-form';
import { Capability } from '../privileges/capability';
import { DebugProfile } from '../privileges/debug-profile';
import { DebugTool } from '../privileges/debug-tool';
import { derivePrivileges, Privileges } from '../privileges/derive';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** The longest suffix the sidecar adds to its name for a volume (`-no-token`); volume names are DNS labels too. */
const LONGEST_VOLUME_SUFFIX = '-no-token';
const MAX_NAME = 63 - LONGEST_VOLUME_SUFFIX.length;
/** Kubernetes 1.29 turned native sidecars on by default. */
const NATIVE_SIDECARS = KubernetesVersion.V1_29;

/** What the workload tells the resolver about itself. */
export interface WorkloadFacts {
  readonly kind: string;
  /** The Pod's restartPolicy, when known. */
  readonly restartPolicy?: string;
}

/** Everything decided about one sidecar. Plain data; every rendering reads it. */
export interface ResolvedDebug extends Privileges {
  readonly enabled: boolean;
  readonly enabledBy: DebugToggleSource;
  readonly production: boolean;
  readonly name: string;
  readonly image: string;
  /** undefined when the image's family is unknown (the sidecar then gets the union of the families' capabilities). */
  readonly imageFamily?: ImageFamily;
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
  readonly warnings: string[];
}

/** Workloads that run to completion: a keep-alive sidecar would hold them forever. */
function runsToCompletion(workload: WorkloadFacts): boolean {
  return workload.kind === 'Job' || workload.kind === 'CronJob'
    || (workload.kind === 'Pod' && workload.restartPolicy !== undefined && workload.restartPolicy !== 'Always');
}

function resolveForm(value: unknown, workload: WorkloadFacts, version: { version: KubernetesVersion; source: string } | undefined): SidecarForm {
  const given = optionalEnum('debug.form', value, SidecarForm as unknown as Record<string, SidecarForm>, 'SidecarForm');
  const completes = runsToCompletion(workload);
  if (given === SidecarForm.NATIVE_SIDECAR && version !== undefined && !version.version.isAtLeast(NATIVE_SIDECARS)) {
    fail('debug.form', given, `needs Kubernetes ${NATIVE_SIDECARS.name} or later, and the cluster is ${version.version.name} (${version.source})`,
      'Use SidecarForm.EXIT_WITH_APP (works on every version), or declare the cluster version you really run.');
  }
  if (given === SidecarForm.CONTAINER && completes) {
    fail('debug.form', given, `would keep this ${workload.kind} from ever completing (a keep-alive container never exits on its own)`,
      'Use SidecarForm.EXIT_WITH_APP (any Kubernetes) or SidecarForm.NATIVE_SIDECAR (1.29+), or omit \'form\' for the default.');
  }
  if (given !== undefined) return given;
  if (!completes) return SidecarForm.CONTAINER;
  return version !== undefined && version.version.isAtLeast(NATIVE_SIDECARS) ? SidecarForm.NATIVE_SIDECAR : SidecarForm.EXIT_WITH_APP;
}

function resolveName(value: unknown): string {
  const name = optionalString('debug.name', value, "Pass a string such as 'debug'.") ?? 'debug';
  if (!DNS_LABEL.test(name) || name.length > MAX_NAME) {
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
      Capability._nameOf(`debug.tools[${i}] (${tool.name}).${family === ImageFamily.DEBIAN ? 'debianCapabilities' : 'capabilities'}[${j}]`, c)));
    CHECKED_TOOLS.add(tool);
  });
  return tools;
}

/** The image and its family; a family that is unknown gets the union of capabilities, and a warning. */
function resolveImage(options: DebugOptions, production: boolean, warnings: string[]): { image: string; imageFamily?: ImageFamily } {
  const given = optionalInstance('debug.image', options.image, DebugImage, "Pass DebugImage.of('registry.example.com/team/debug:1.4', ImageFamily.DEBIAN).");
  const image = given ?? DebugImage.NETSHOOT;
  const mutable = mutableTagWarning('debug.image', image.reference, image._mutable, production);
  if (mutable) warnings.push(mutable);
  const imageFamily = image.family;
  if (imageFamily === undefined) {
    warnings.push('\'debug.image\' is of an unknown family, so the sidecar gets the capabilities its tools need in every family the library knows '
      + `(got "${image.reference}"). Name the family to narrow them: DebugImage.of('${image.reference}', ImageFamily.DEBIAN) or ImageFamily.ALPINE.`);
  }
  return { image: image.reference, imageFamily };
}

/**
 * Decides everything about a sidecar: the toggle, defaults, privileges from
 * tools and profile, and every input error. Reads the construct context and
 * process.env (through DebugToggle and KubernetesVersion), nothing else.
 */
export function resolveDebug(scope: IConstruct, input: unknown, workload: WorkloadFacts): ResolvedDebug {
  const options = optionalObject<DebugOptions>('debug', input, 'Pass an object such as { tools: [DebugTool.TCPDUMP] }.') ?? {};
  const toggle = DebugToggle._decide(scope, options.enabled, options.allowInProduction);
  const version = KubernetesVersion._declaredAt(scope);
  const warnings: string[] = [];

  const name = resolveName(options.name);
  const { image, imageFamily } = resolveImage(options, toggle.production, warnings);
  const imagePullPolicy = optionalEnum('debug.imagePullPolicy', options.imagePullPolicy,
    kplus.ImagePullPolicy as unknown as Record<string, string>, 'ImagePullPolicy') ?? kplus.ImagePullPolicy.IF_NOT_PRESENT;

  const tools = resolveTools(options.tools);
  const profile = optionalInstance('debug.profile', options.profile, DebugProfile, 'Use a static member such as DebugProfile.NETADMIN.');
  const privileges = derivePrivileges(tools, imageFamily, profile, options.securityContext);
  const form = resolveForm(options.form, workload, version);
  const share = optionalBoolean('debug.shareProcessNamespace', options.shareProcessNamespace);
  const needsShare = privileges.needsShareProcessNamespace || form === SidecarForm.EXIT_WITH_APP;
  if (share === false && needsShare) {
    const who = [...tools.filter(t => t.needsShareProcessNamespace).map(t => t.name),
      ...(form === SidecarForm.EXIT_WITH_APP ? ['SidecarForm.EXIT_WITH_APP'] : []),
      ...(profile?._shareProcessNamespace ? [`DebugProfile.${profile.name.toUpperCase()}`] : [])];
    fail('debug.shareProcessNamespace', false, `conflicts with ${who.join(', ')}, which must see the application's processes`,
      "Remove 'shareProcessNamespace: false', or remove what needs it.");
  }
  optionalString('debug.openShiftScc', options.openShiftScc, "Pass the name of a SecurityContextConstraints, such as 'privileged'.");

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
    enabled: toggle.enabled,
    enabledBy: toggle.source,
    production: toggle.production,
    name,
    image,
    imageFamily,
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
    warnings,
  };
}
