// Where debugging must not happen, the cluster refuses it: a
// ValidatingAdmissionPolicy and its binding, for namespaces chosen by label.

import { ApiObject, Chart, JsonPatch, Names } from 'cdk8s';
import { Construct } from 'constructs';
import { checkNamespaceSelector, guardPolicySpec } from './guard-policy';
import { NamespaceLabelSelector } from './namespace-selector';
import { fail } from '../errors';
import { optionalArray, optionalBoolean, optionalObject, optionalString } from '../input';
import { KubernetesVersion } from '../kubernetes-version';
import { isDnsSubdomain } from '../names';
import { GUARD_PROPS_KEYS } from '../option-keys';
import { BASELINE_ADDABLE_CAPABILITIES } from '../pod-security/evaluator/checks-baseline';
import { Capability } from '../privileges/capability';

/**
 * Props for `DebugGuard`.
 */
export interface DebugGuardProps {
  /**
   * The namespaces to guard, by their labels, such as
   * `{ matchLabels: { environment: 'production' } }`. A selector that
   * selects every namespace is an error.
   */
  readonly namespaceSelector: NamespaceLabelSelector;

  /**
   * The capabilities a container may add in a guarded namespace. A
   * container (regular, init or ephemeral) that adds any other is refused.
   *
   * @default - the capabilities Pod Security `baseline` allows to add:
   * AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,
   * NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT
   */
  readonly allowedCapabilities?: Capability[];

  /**
   * Whether ephemeral containers (`kubectl debug` on a running Pod) that
   * neither run privileged nor add a capability beyond
   * `allowedCapabilities` are admitted in a guarded namespace, when the Pod
   * does not carry the debug label. `false` refuses every new ephemeral
   * container there.
   *
   * @default true
   */
  readonly allowEphemeralContainers?: boolean;

  /**
   * The name of the ValidatingAdmissionPolicy and of its binding (both are
   * cluster-wide).
   *
   * @default - a name generated from the construct path, such as
   * `platform-guard-c8a1b2c3` (cdk8s `Names.toDnsLabel`)
   */
  readonly name?: string;
}

/**
 * A cluster-side guard that refuses debugging in the namespaces a label
 * selector picks (production, say), however it is attempted: the library's
 * debug Pods, a `kubectl debug` typed by hand, a manifest made elsewhere.
 *
 * It emits a ValidatingAdmissionPolicy and its binding
 * (`admissionregistration.k8s.io/v1`, Kubernetes 1.30 or later), on Pods and
 * on `pods/ephemeralcontainers`. In a guarded namespace it refuses:
 * - a Pod that carries the debug label (`DebugSidecar.POD_LABEL`), an
 *   ephemeral container added to one, and labelling a Pod with it;
 * - a container (regular, init or ephemeral) that runs privileged;
 * - a container that adds a capability beyond `allowedCapabilities`.
 *
 * Each refusal names the rule and the way out. The policy judges Pods: a
 * Deployment is admitted, and its ReplicaSet's Pods are refused (see the
 * ReplicaSet's events). Ephemeral containers added before the guard, and
 * Pods created before it, are not judged again.
 */
export class DebugGuard extends Construct {
  /** The ValidatingAdmissionPolicy. */
  public readonly policy: ApiObject;
  /** The ValidatingAdmissionPolicyBinding, with the namespace selector. */
  public readonly binding: ApiObject;
  /** The capabilities a container may add in a guarded namespace. */
  public readonly allowedCapabilities: string[];

  constructor(scope: Construct, id: string, props: DebugGuardProps) {
    super(scope, id);
    const propsFix = "Pass { namespaceSelector: { matchLabels: { environment: 'production' } } }.";
    if (optionalObject('props', props, propsFix, GUARD_PROPS_KEYS) === undefined) fail('props', props, 'is not an object', propsFix, this);
    const declared = KubernetesVersion._declaredAt(this);
    if (declared !== undefined && !declared.version.isAtLeast(KubernetesVersion.V1_30)) {
      fail(declared.source, declared.version.name,
        'is older than 1.30, and DebugGuard emits a ValidatingAdmissionPolicy of admissionregistration.k8s.io/v1, which is GA from 1.30',
        'Declare 1.30 or later. On 1.28 and 1.29 the policy exists only as v1beta1, behind the ValidatingAdmissionPolicy feature gate '
        + 'and --runtime-config, so this library does not emit it; use another admission controller there.', this);
    }
    const selector = checkNamespaceSelector(props.namespaceSelector, this);
    const name = optionalString('name', props.name, "Pass a name such as 'no-debug-in-production'.") ?? Names.toDnsLabel(this);
    if (!isDnsSubdomain(name)) {
      fail('name', name, 'is not a policy name', "Use lowercase letters, digits, dashes and dots, such as 'no-debug-in-production', or omit it.", this);
    }
    const capabilities = optionalArray('allowedCapabilities', props.allowedCapabilities,
      'Pass a list such as [Capability.NET_BIND_SERVICE].', (f, v) => Capability._nameOf(f, v));
    this.allowedCapabilities = [...new Set(capabilities ?? BASELINE_ADDABLE_CAPABILITIES)];
    const allowEphemeral = optionalBoolean('allowEphemeralContainers', props.allowEphemeralContainers) ?? true;

    this.policy = new ApiObject(this, 'Policy', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name },
      spec: guardPolicySpec(this.allowedCapabilities, allowEphemeral),
    } as any);
    this.binding = new ApiObject(this, 'Binding', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: this.policy.name },
      spec: {
        policyName: this.policy.name,
        validationActions: ['Deny'],
        matchResources: { namespaceSelector: selector },
      },
    } as any);
    // Both are cluster-wide: a Chart's namespace must not be written on them.
    // Stryker disable next-line ConditionalExpression: removing an absent /metadata/namespace is a no-op in cdk8s, so patching always gives the same manifest
    if (Chart.of(this).namespace !== undefined) {
      for (const o of [this.policy, this.binding]) o.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
  }
}
