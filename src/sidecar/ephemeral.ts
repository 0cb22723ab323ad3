// The same decided debug container, rendered for a Pod that is already
// running: an EphemeralContainer (pods/ephemeralcontainers), and the
// `kubectl debug` command that creates it with exactly the library's
// securityContext.

import { ApiObject } from 'cdk8s';
import { fail } from '../errors';
import { optionalObject, optionalString } from '../input';
import { EphemeralContainerOptions, KubectlDebugCommand, KubectlDebugOptions } from './ephemeral-options';
import { EXIT_WITH_APP_SCRIPT, KEEP_ALIVE_SCRIPT } from './keep-alive';
import { securityContextOf, sorted } from './plan';
import { kubectlProfileFor, refusalOf } from './pod-security-advice';
import { ResolvedDebug } from './resolve';
import { podSecurityLevel } from '../pod-security/checks';
import { PodSecurity } from '../pod-security/pod-security';
import { defaultVersionAt } from '../pod-security/policy-version';
import { isObject, metadataPathOf, pointer } from '../pod-spec';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The pod spec and template metadata of the workload, as synthesized (with the sidecar, when debug is on). */
function podOf(apiObject: ApiObject, podSpecPath: string): { spec: any; metadata: any } {
  const json = apiObject.toJson();
  const metaPath = metadataPathOf(podSpecPath);
  return { spec: pointer(json, podSpecPath), metadata: metaPath === undefined ? undefined : pointer(json, metaPath) };
}

/** The EphemeralContainer JSON, checked against the Pod it goes into. */
export function planEphemeral(apiObject: ApiObject, podSpecPath: string, r: ResolvedDebug, input: unknown): any {
  const options = optionalObject<EphemeralContainerOptions>('options', input, "Pass an object such as { targetContainer: 'app' }.") ?? {};
  const { spec } = podOf(apiObject, podSpecPath);
  const appContainers: string[] = (isObject(spec) && Array.isArray(spec.containers) ? spec.containers : [])
    .map((c: any) => c.name).filter((n: string) => n !== r.name);
  const taken = [...appContainers, ...[...(spec?.initContainers ?? []), ...(spec?.ephemeralContainers ?? [])].map((c: any) => c.name)];

  const target = optionalString('targetContainer', options.targetContainer, "Pass a container name such as 'app'.") ?? appContainers[0];
  if (target === undefined || !appContainers.includes(target)) {
    fail('targetContainer', target, `is not a container of this Pod (it has ${appContainers.join(', ') || 'none'})`,
      'Name one of them, or omit it to target the first.', apiObject);
  }
  // With debug on, the sidecar already has the name.
  const name = optionalString('name', options.name, "Pass a container name such as 'debug'.") ?? (taken.includes(r.name) || r.enabled ? `${r.name}-ephemeral` : r.name);
  if (!DNS_LABEL.test(name) || name.length > 63) {
    fail('name', name, 'is not a valid container name', 'Use lowercase letters, digits and dashes, at most 63 characters.', apiObject);
  }
  if (taken.includes(name)) {
    fail('name', name, 'is already a container of this Pod', "Give the ephemeral container another name, such as 'debug-2'.", apiObject);
  }
  // The keep-alive that waits for the app needs the shared process namespace; an ephemeral container is removed with the Pod anyway.
  const command = r.command.length === 3 && r.command[2] === EXIT_WITH_APP_SCRIPT ? ['/bin/sh', '-c', KEEP_ALIVE_SCRIPT] : r.command;
  // Ephemeral containers may not have resources, ports, probes, lifecycle or volumes of their own.
  return sorted({
    name,
    image: r.image,
    imagePullPolicy: r.imagePullPolicy,
    command,
    securityContext: securityContextOf(r),
    targetContainerName: target,
  });
}

/** The `kubectl debug` command, the `--custom` file's content, and what Pod Security will say. */
export function kubectlDebugCommand(apiObject: ApiObject, podSpecPath: string, r: ResolvedDebug, input: unknown): KubectlDebugCommand {
  const options = optionalObject<KubectlDebugOptions>('options', input, "Pass an object such as { pod: 'web-7d9f8b6c5-x2x4q' }.");
  const pod = optionalString('pod', options?.pod, 'Pass the name of the running Pod, from kubectl get pods.');
  if (pod === undefined || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(pod)) {
    fail('pod', pod, 'is not a Pod name', 'Pass the name of the running Pod, from kubectl get pods.', apiObject);
  }
  const namespace = optionalString('namespace', options!.namespace, "Pass a namespace such as 'shop'.") ?? apiObject.metadata.namespace;
  const customFile = optionalString('customFile', options!.customFile, "Pass a file name such as 'debug-custom.json'.") ?? 'debug-custom.json';
  if (customFile.trim() === '') fail('customFile', customFile, 'is empty', "Pass a file name such as 'debug-custom.json'.", apiObject);
  const ec = planEphemeral(apiObject, podSpecPath, r, { targetContainer: options!.targetContainer, name: options!.name });

  const args = ['debug', pod];
  if (namespace !== undefined) args.push(`--namespace=${namespace}`);
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

  const { spec, metadata } = podOf(apiObject, podSpecPath);
  const withEphemeral = { ...spec, ephemeralContainers: [...(spec.ephemeralContainers ?? []), ec] };
  const enforced = PodSecurity._enforcedLevel(apiObject);
  const podSecurityLevelWithIt = podSecurityLevel(withEphemeral, metadata, enforced?.version ?? defaultVersionAt(apiObject));
  const refusal = enforced === undefined ? undefined : refusalOf(r, withEphemeral, metadata, ec.name, enforced, true);
  return {
    args,
    customJson: JSON.stringify({ securityContext: ec.securityContext }),
    podSecurityLevel: podSecurityLevelWithIt,
    ...(refusal === undefined ? {} : { refusal }),
  };
}
