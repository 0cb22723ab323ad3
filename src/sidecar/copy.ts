// A debug copy of a running Pod, for an app that crash-loops:
// `kubectl debug <pod> --copy-to=<name> --share-processes ...` with the
// library's debug container as a regular container of the copy, its exact
// securityContext through `--custom`, and kubectl's own dropping of the
// app's labels, annotations and probes.

import { ApiObject } from 'cdk8s';
import { fail } from '../errors';
import { KubernetesVersion } from '../kubernetes-version';
import { isDnsSubdomain } from '../names';
import { defaultVersionAt } from '../pod-security/cluster-version';
import { enforcedLevelOf } from '../pod-security/enforcement';
import { podSecurityLevel } from '../pod-security/evaluator/checks';
import { podTemplateOf } from '../pod-spec';
import { mergedPullSecrets } from './apply';
import { CheckedKubectlOptions, planDebugContainer, ttlSeconds } from './ephemeral';
import { KubectlDebugCommand } from './ephemeral-options';
import { KEEP_ALIVE_SCRIPT } from './keep-alive';
import { sorted } from './plan';
import { kubectlProfileFor, refusalOf } from './pod-security-advice';
import { debugRecordOf } from './record';
import { ResolvedDebug } from './resolve';

/**
 * The oldest kubectl that makes the copy as documented: `--custom` (on by
 * default from 1.31, see KUBECTL_CUSTOM_MIN_VERSION), and the 1.31 change
 * that makes every profile but `legacy` drop the copy's labels, annotations
 * and probes (the `--keep-*` flags, kubernetes/kubernetes#123149; before it,
 * a copy made with the netadmin, sysadmin or restricted profile kept the
 * app's probes). Read from k8s.io/kubectl's pkg/cmd/debug, and run with the
 * 1.37 kubectl against the test API server.
 */
export const KUBECTL_COPY_MIN_VERSION = KubernetesVersion.V1_31;

/**
 * The copy as Pod Security sees it: the Pod's spec as kubectl's copy leaves
 * it, probes dropped (the 1.34 checks read their host), with the debug
 * container added. The rest the copy changes (processes shared, the app
 * asleep, pull secrets) is no field Pod Security reads.
 */
function copiedSpec(spec: any, container: any): any {
  const containers = (spec.containers ?? []).map((c: any) => {
    const { livenessProbe: _l, readinessProbe: _r, startupProbe: _s, ...rest } = c;
    return rest;
  });
  const { ephemeralContainers: _e, ...copy } = spec;
  return { ...copy, containers: [...containers, container] };
}

/** The `kubectl debug --copy-to` command, the `--custom` file's content, and what Pod Security will say of the copy. */
export function kubectlDebugCopy(workload: ApiObject, podSpecPath: string, r: ResolvedDebug, options: CheckedKubectlOptions): KubectlDebugCommand {
  const { pod, namespace, customFile, sleepApp } = options;
  const copyTo = options.copyTo!;
  if (!isDnsSubdomain(copyTo) || copyTo === pod) {
    fail('copyTo', copyTo, copyTo === pod ? 'is the name of the Pod it copies' : 'is not a Pod name',
      `Name the copy differently from the Pod, in lowercase letters, digits, dashes and dots, such as '${isDnsSubdomain(`${pod}-debug`) ? `${pod}-debug` : 'web-debug'}'.`, workload);
  }
  // Planned as an ephemeral container, then made a regular one: it may mount a subPath, and has the sidecar's resources.
  const planned = planDebugContainer(workload, podSpecPath, r,
    { targetContainer: options.targetContainer, name: options.name, ttl: options.ttl }, false);
  const { targetContainerName: app, ...rest } = planned;
  const container = sorted({ ...rest, resources: r.resources });

  const { spec } = podTemplateOf(workload, podSpecPath);
  const pullSecrets = mergedPullSecrets(spec.imagePullSecrets, r.imagePullSecrets);
  const inNamespace = namespace === undefined ? [] : [`--namespace=${namespace}`];
  // What kubectl's flags cannot change is patched into the Pod, locally, before the copy is made.
  const patch = {
    ...(sleepApp ? { containers: [{ name: app, command: ['/bin/sh', '-c', KEEP_ALIVE_SCRIPT], args: null }] } : {}),
    // A strategic merge: the Pod's own pull secrets stay, each name once.
    ...(pullSecrets === undefined ? {} : { imagePullSecrets: r.imagePullSecrets.map(name => ({ name })) }),
  };
  const piped = Object.keys(patch).length > 0;
  const args = [
    'debug', ...(piped ? ['-f', '-'] : [pod]), ...inNamespace,
    `--copy-to=${copyTo}`,
    // Explicit: kubectl's profiles share processes only where the Pod says nothing, and cdk8s-plus 33 says false.
    '--share-processes',
    `--image=${container.image}`,
    `--image-pull-policy=${container.imagePullPolicy}`,
    `--container=${container.name}`,
    `--profile=${kubectlProfileFor(r).name}`,
    `--custom=${customFile}`,
    '--',
    ...container.command,
  ];

  const copy = copiedSpec(spec, container);
  // kubectl drops the Pod's labels and annotations in the copy.
  const metadata = {};
  const enforced = enforcedLevelOf(workload);
  const refusal = enforced === undefined ? undefined : refusalOf(r, copy, metadata, container.name, enforced, 'copy');
  const record = debugRecordOf(r, container.name, { ttlSeconds: ttlSeconds(options.ttl) });
  const { name: _n, image: _i, imagePullPolicy: _p, command: _c, ...custom } = container;
  return {
    args,
    // kubectl's --custom takes any container field but name, command, image, lifecycle and volumeDevices.
    customJson: JSON.stringify(custom),
    podSecurityLevel: podSecurityLevel(copy, metadata, enforced?.version ?? defaultVersionAt(workload)),
    minKubectlVersion: KUBECTL_COPY_MIN_VERSION.name,
    labelArgs: ['label', 'pod', copyTo, ...inNamespace, '--overwrite', ...Object.entries(record.labels).map(([k, v]) => `${k}=${v}`)],
    annotateArgs: ['annotate', 'pod', copyTo, ...inNamespace, '--overwrite', ...Object.entries(record.annotations).map(([k, v]) => `${k}=${v}`)],
    ...(refusal === undefined ? {} : { refusal }),
    ...(piped ? {
      pipedFrom: [
        ['get', 'pod', pod, ...inNamespace, '--output=json'],
        ['patch', '--local', '--filename=-', '--type=strategic', `--patch=${JSON.stringify({ spec: patch })}`, '--output=json'],
      ],
    } : {}),
  };
}
