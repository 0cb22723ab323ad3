// The same decided debug container, rendered for a Pod that is already
// running: an EphemeralContainer (pods/ephemeralcontainers), and the
// `kubectl debug` command that creates it with exactly the library's
// securityContext.

import { ApiObject, Duration } from 'cdk8s';
import { fail, problemText } from '../errors';
import { optionalBoolean, optionalObject, optionalString } from '../input';
import { appFitOf } from './app-container';
import { EphemeralContainerOptions, KubectlDebugCommand, KubectlDebugOptions } from './ephemeral-options';
import { EXIT_WITH_APP_SCRIPT, isDefaultKeepAlive, KEEP_ALIVE_SCRIPT, keepAliveFor } from './keep-alive';
import { securityContextOf, sorted } from './plan';
import { kubectlProfileFor, refusalOf } from './pod-security-advice';
import { debugRecordOf } from './record';
import { ResolvedDebug } from './resolve';
import { KubernetesVersion } from '../kubernetes-version';
import { isDnsLabel, isDnsSubdomain } from '../names';
import { EPHEMERAL_KEYS, KUBECTL_DEBUG_KEYS } from '../option-keys';
import { defaultVersionAt } from '../pod-security/cluster-version';
import { enforcedLevelOf } from '../pod-security/enforcement';
import { podSecurityLevel } from '../pod-security/evaluator/checks';
import { containerNames, isObject, podTemplateOf } from '../pod-spec';

/**
 * The oldest kubectl whose `kubectl debug` takes `--custom` without a feature
 * gate (KEP-4292: beta and on by default in 1.31, stable in 1.32; 1.30 needs
 * KUBECTL_DEBUG_CUSTOM_PROFILE=true). Measured with kubectl 1.29 to 1.31 built
 * from source against a real API server.
 */
export const KUBECTL_CUSTOM_MIN_VERSION = KubernetesVersion.V1_31;

/** What the ephemeral container's default name adds to the sidecar's name when the Pod already has a container of that name. */
export const EPHEMERAL_NAME_SUFFIX = '-ephemeral';

/** The ephemeral container's default name: the sidecar's, unless a container of the Pod has it (with debug on, the sidecar does). */
export function defaultEphemeralName(sidecarName: string, taken: string[]): string {
  return taken.includes(sidecarName) ? `${sidecarName}${EPHEMERAL_NAME_SUFFIX}` : sidecarName;
}

/** A lifetime in whole seconds (rounded up), at least one. */
export function ttlSeconds(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const fix = 'Pass a cdk8s Duration of at least one second, such as Duration.minutes(60).';
  if (typeof (value as Duration | undefined)?.toMilliseconds !== 'function') return fail('ttl', value, 'is not a Duration', fix);
  const ms = (value as Duration).toMilliseconds();
  if (!(ms >= 1000) || !Number.isFinite(ms)) return fail('ttl', (value as Duration).toHumanString(), 'is shorter than a second', fix);
  return Math.ceil(ms / 1000);
}

/** The EphemeralContainer JSON, checked against the Pod it goes into. */
export function planEphemeral(workload: ApiObject, podSpecPath: string, r: ResolvedDebug, input: unknown): any {
  return planDebugContainer(workload, podSpecPath, r, input, true);
}

/**
 * The debug container for a running Pod: an EphemeralContainer, or (for a
 * debug copy, `ephemeral` false) the same container as a regular one of the
 * copy, which may mount a subPath; `targetContainerName` names the app
 * container either way.
 */
export function planDebugContainer(workload: ApiObject, podSpecPath: string, r: ResolvedDebug, input: unknown, ephemeral: boolean): any {
  const options = optionalObject<EphemeralContainerOptions>('options', input, "Pass an object such as { targetContainer: 'app' }.", EPHEMERAL_KEYS) ?? {};
  const { spec } = podTemplateOf(workload, podSpecPath);
  const ephemeralContainers: any[] = isObject(spec) && Array.isArray(spec.ephemeralContainers) ? spec.ephemeralContainers : [];
  const taken = [...containerNames(spec), ...ephemeralContainers.map(c => c.name)];
  // With debug on, the sidecar is one of the Pod's containers; it is not an app container to target.
  const appContainers: string[] = (isObject(spec) && Array.isArray(spec.containers) ? spec.containers : [])
    .map((c: any) => c.name).filter((n: string) => !(r.enabled && n === r.name));

  const target = optionalString('targetContainer', options.targetContainer, "Pass a container name such as 'app'.") ?? r.appContainer ?? appContainers[0];
  if (target === undefined || !appContainers.includes(target)) {
    fail('targetContainer', target, `is not a container of this Pod (it has ${appContainers.join(', ') || 'none'})`,
      'Name one of them, or omit it to target the first.', workload);
  }
  const name = optionalString('name', options.name, "Pass a container name such as 'debug'.") ?? defaultEphemeralName(r.name, taken);
  if (!isDnsLabel(name)) {
    fail('name', name, 'is not a valid container name', 'Use lowercase letters, digits and dashes, at most 63 characters.', workload);
  }
  if (taken.includes(name)) {
    fail('name', name, 'is already a container of this Pod', "Give the ephemeral container another name, such as 'debug-2'.", workload);
  }
  const ttl = ttlSeconds(options.ttl);
  if (ttl !== undefined && !isDefaultKeepAlive(r.command)) {
    fail('ttl', options.ttl!.toHumanString(), "needs the library's keep-alive command, and 'debug.command' replaces it",
      "Remove 'debug.command' to get a lifetime, or end your command yourself.", workload);
  }
  // The keep-alive that waits for the app needs the shared process namespace; an ephemeral container is removed with the Pod anyway.
  const command = ttl !== undefined ? ['/bin/sh', '-c', keepAliveFor(ttl)]
    : r.command.length === 3 && r.command[2] === EXIT_WITH_APP_SCRIPT ? ['/bin/sh', '-c', KEEP_ALIVE_SCRIPT] : r.command;
  const app = appFitOf(r, spec, workload, ephemeral, target);
  // Ephemeral containers may not have resources, ports, probes, lifecycle or volumes of their own; they may mount the Pod's.
  return sorted({
    name,
    image: r.image.reference,
    imagePullPolicy: r.imagePullPolicy,
    command,
    securityContext: securityContextOf(r, app.identity),
    targetContainerName: target,
    ...(app.volumeMounts.length > 0 ? { volumeMounts: app.volumeMounts } : {}),
  });
}

/**
 * What to do when the debug image needs pull secrets the Pod lacks: a
 * running Pod's imagePullSecrets cannot change (kubernetes/kubernetes#127835).
 */
function pullSecretAdvice(r: ResolvedDebug, spec: any): string | undefined {
  const own: string[] = (Array.isArray(spec.imagePullSecrets) ? spec.imagePullSecrets : []).map((s: any) => s?.name);
  const missing = r.imagePullSecrets.filter(name => !own.includes(name));
  if (missing.length === 0) return undefined;
  return problemText('debug.imagePullSecrets', missing, `${missing.length === 1 ? 'is' : 'are'} not in the Pod's imagePullSecrets (as the workload synthesizes now), `
    + 'and an ephemeral container cannot add any: Kubernetes sets them per Pod (kubernetes/kubernetes#127835), '
    + `so the kubelet may fail to pull '${r.image.reference}' (ErrImagePull)`,
  "Ways out: (1) nothing, if the Pod's ServiceAccount lists them (Kubernetes copied them into the Pod when it was created); "
    + "(2) debug a copy of the Pod instead, which gets them: kubectlDebug({ pod, copyTo: '<name>' }), or --copy-to <name> on the command line; "
    + '(3) add them to the workload (or its ServiceAccount) and roll out, then debug a new Pod; '
    + '(4) use a debug image the Pod can already pull.');
}

/** `KubectlDebugOptions` with their types checked and the defaults filled in. */
export interface CheckedKubectlOptions extends KubectlDebugOptions {
  readonly customFile: string;
  readonly sleepApp: boolean;
}

/** Checks the options every `kubectl debug` command takes, the copy's included. */
export function checkedKubectlOptions(workload: ApiObject, input: unknown): CheckedKubectlOptions {
  const options = optionalObject<KubectlDebugOptions>('options', input, "Pass an object such as { pod: 'web-7d9f8b6c5-x2x4q' }.", KUBECTL_DEBUG_KEYS);
  const pod = optionalString('pod', options?.pod, 'Pass the name of the running Pod, from kubectl get pods.');
  if (pod === undefined || !isDnsSubdomain(pod)) {
    fail('pod', pod, 'is not a Pod name', 'Pass the name of the running Pod, from kubectl get pods.', workload);
  }
  const namespace = optionalString('namespace', options!.namespace, "Pass a namespace such as 'shop'.") ?? workload.metadata.namespace;
  const customFile = optionalString('customFile', options!.customFile, "Pass a file name such as 'debug-custom.json'.") ?? 'debug-custom.json';
  if (customFile.trim() === '') fail('customFile', customFile, 'is empty', "Pass a file name such as 'debug-custom.json'.", workload);
  const copyTo = optionalString('copyTo', options!.copyTo, "Pass a name for the copy, such as 'web-debug'.");
  const sleepApp = optionalBoolean('sleepApp', options!.sleepApp);
  if (copyTo === undefined && sleepApp !== undefined) {
    fail('sleepApp', sleepApp, "applies to a debug copy only (a running Pod's command cannot change)", "Add 'copyTo' to debug a copy of the Pod, or remove 'sleepApp'.", workload);
  }
  return { ...options!, pod, namespace, customFile, copyTo, sleepApp: sleepApp ?? false };
}

/** The `kubectl debug` command that adds the ephemeral container, the `--custom` file's content, and what Pod Security will say. */
export function kubectlDebugCommand(workload: ApiObject, podSpecPath: string, r: ResolvedDebug, options: CheckedKubectlOptions): KubectlDebugCommand {
  const { pod, namespace, customFile } = options;
  const ec = planEphemeral(workload, podSpecPath, r, { targetContainer: options.targetContainer, name: options.name, ttl: options.ttl });

  const inNamespace = namespace === undefined ? [] : [`--namespace=${namespace}`];
  const args = ['debug', pod, ...inNamespace];
  args.push(
    `--image=${ec.image}`,
    `--image-pull-policy=${ec.imagePullPolicy}`,
    `--container=${ec.name}`,
    `--target=${ec.targetContainerName}`,
    // The narrowest profile that grants the capabilities; --custom then sets the exact securityContext over it.
    `--profile=${kubectlProfileFor(r).name}`,
    `--custom=${customFile}`,
    '--',
    ...ec.command,
  );

  const { spec, metadata } = podTemplateOf(workload, podSpecPath);
  const withEphemeral = { ...spec, ephemeralContainers: [...(spec.ephemeralContainers ?? []), ec] };
  const enforced = enforcedLevelOf(workload);
  const podSecurityLevelWithIt = podSecurityLevel(withEphemeral, metadata, enforced?.version ?? defaultVersionAt(workload));
  const refusal = enforced === undefined ? undefined : refusalOf(r, withEphemeral, metadata, ec.name, enforced, 'ephemeral');
  const record = debugRecordOf(r, ec.name, { ttlSeconds: ttlSeconds(options.ttl) });
  const advice = pullSecretAdvice(r, spec);
  return {
    args,
    // kubectl's --custom takes any container field but name, command, image, lifecycle and volumeDevices.
    customJson: JSON.stringify({ securityContext: ec.securityContext, volumeMounts: ec.volumeMounts }),
    podSecurityLevel: podSecurityLevelWithIt,
    minKubectlVersion: KUBECTL_CUSTOM_MIN_VERSION.name,
    labelArgs: ['label', 'pod', pod, ...inNamespace, '--overwrite', ...Object.entries(record.labels).map(([k, v]) => `${k}=${v}`)],
    annotateArgs: ['annotate', 'pod', pod, ...inNamespace, '--overwrite', ...Object.entries(record.annotations).map(([k, v]) => `${k}=${v}`)],
    ...(refusal === undefined ? {} : { refusal }),
    ...(advice === undefined ? {} : { pullSecretAdvice: advice }),
  };
}
