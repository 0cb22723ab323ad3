import { Chart, Testing } from 'cdk8s';
import { Capability, DebugGuard, DebugGuardProps, DebugSidecar, KubernetesVersion } from '../src';
import { only, validateSchema, withEnv } from './support/manifests';
import { BASELINE_ADDABLE_CAPABILITIES } from '../src/pod-security/evaluator/checks-baseline';

/*
 * DebugGuard emits a ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1)
 * and its binding; bad input fails with the field, the value and the fix.
 * What the policy's CEL admits and refuses is proven on the real server in
 * test/apiserver/guard.apiserver.test.ts.
 */

const PRODUCTION = { matchLabels: { environment: 'production' } };

function synthOf(props: DebugGuardProps, chartNamespace?: string): { policy: any; binding: any; objects: any[] } {
  const chart = new Chart(Testing.app(), 'platform', { namespace: chartNamespace });
  new DebugGuard(chart, 'guard', props);
  const objects = Testing.synth(chart);
  return { policy: only(objects, 'ValidatingAdmissionPolicy'), binding: only(objects, 'ValidatingAdmissionPolicyBinding'), objects };
}

const variable = (policy: any, name: string): string => policy.spec.variables.find((v: any) => v.name === name).expression;

describe('DebugGuard: the policy and its binding', () => {
  test('the policy matches Pods and pods/ephemeralcontainers on CREATE and UPDATE, and fails closed', () => {
    // WHEN
    const { policy } = synthOf({ namespaceSelector: PRODUCTION });
    // THEN
    expect(policy.apiVersion).toBe('admissionregistration.k8s.io/v1');
    expect(policy.metadata).toEqual({ name: expect.stringMatching(/^platform-guard-c8[0-9a-f]{6}$/) });
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(policy.spec.matchConstraints).toEqual({
      resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers'] }],
    });
  });

  test('the binding names the policy, denies, and carries the namespace selector', () => {
    const selector = { matchLabels: { environment: 'production' }, matchExpressions: [{ key: 'example.com/tier', operator: 'NotIn', values: ['sandbox'] }] };
    const { policy, binding } = synthOf({ namespaceSelector: selector });
    expect(binding.apiVersion).toBe('admissionregistration.k8s.io/v1');
    expect(binding.metadata).toEqual(policy.metadata);
    expect(binding.spec).toEqual({ policyName: policy.metadata.name, validationActions: ['Deny'], matchResources: { namespaceSelector: selector } });
  });

  test('three rules, each refusing with a message that names it and the way out; the fourth with allowEphemeralContainers: false', () => {
    const rulesOf = (p: any) => p.spec.validations.map((v: any) => /^Refused by DebugGuard rule "([a-z-]+)": /.exec(v.message)?.[1]);
    const { policy } = synthOf({ namespaceSelector: PRODUCTION });
    expect(rulesOf(policy)).toEqual(['debug-label', 'privileged', 'capabilities']);
    expect(rulesOf(synthOf({ namespaceSelector: PRODUCTION, allowEphemeralContainers: false }).policy))
      .toEqual(['debug-label', 'privileged', 'capabilities', 'ephemeral-containers']);
    for (const v of policy.spec.validations) {
      expect(v.message).toContain('Way out: ');
      expect(v.message).toContain('or debug in a namespace this guard does not select.');
      expect(v.reason).toBe('Forbidden');
      // The messageExpression (the same, with the containers' names) names the same rule and way out.
      if (v.messageExpression !== undefined) {
        expect(v.messageExpression).toContain(v.message.slice(0, v.message.indexOf(':') + 1));
        expect(v.messageExpression).toContain('Way out: ');
      }
    }
  });

  test('the debug label is DebugSidecar.POD_LABEL, and only a new label is judged on an update of the Pod itself', () => {
    const debugPod = variable(synthOf({ namespaceSelector: PRODUCTION }).policy, 'debugPod');
    expect(debugPod).toBe(`has(object.metadata.labels) && '${DebugSidecar.POD_LABEL}' in object.metadata.labels && (request.operation == 'CREATE' `
      + `|| variables.subResource == 'ephemeralcontainers' || !(has(oldObject.metadata.labels) && '${DebugSidecar.POD_LABEL}' in oldObject.metadata.labels))`);
  });

  test('regular and init containers are judged on CREATE, ephemeral containers when they are new', () => {
    const { policy } = synthOf({ namespaceSelector: PRODUCTION });
    for (const name of ['privilegedContainers', 'extraCapabilities']) {
      const expression = variable(policy, name);
      expect(expression).toMatch(/^\(variables\.podCreate \? object\.spec\.containers\.filter\(.*\(has\(object\.spec\.initContainers\) \? object\.spec\.initContainers\.filter\(/);
      expect(expression).toContain(' + variables.newEphemeralContainers.filter(');
    }
    expect(variable(policy, 'newEphemeralContainers')).toContain('!oldObject.spec.ephemeralContainers.exists(o, o.name == c.name)');
  });

  test('the allowed capabilities are the Pod Security baseline list by default, or exactly the given ones', () => {
    const byDefault = synthOf({ namespaceSelector: PRODUCTION });
    expect(variable(byDefault.policy, 'allowedCapabilities')).toBe(`[${BASELINE_ADDABLE_CAPABILITIES.map(c => `'${c}'`).join(', ')}]`);
    const chart = Testing.chart();
    const guard = new DebugGuard(chart, 'guard', { namespaceSelector: PRODUCTION, allowedCapabilities: [Capability.NET_BIND_SERVICE, Capability.of('BPF'), Capability.NET_BIND_SERVICE] });
    expect(guard.allowedCapabilities).toEqual(['NET_BIND_SERVICE', 'BPF']);
    expect(variable(only(Testing.synth(chart), 'ValidatingAdmissionPolicy'), 'allowedCapabilities')).toBe("['NET_BIND_SERVICE', 'BPF']");
    const none = synthOf({ namespaceSelector: PRODUCTION, allowedCapabilities: [] }).policy;
    expect(variable(none, 'allowedCapabilities')).toBe('[]');
    expect(none.spec.validations[2].message).toContain('beyond what this namespace allows to add (none)');
  });

  test('a Chart\'s namespace is not written on the cluster-wide objects; a given name is used for both', () => {
    const { objects } = synthOf({ namespaceSelector: PRODUCTION, name: 'no-debug-in-production' }, 'shop');
    expect(objects.map(o => o.metadata)).toEqual([{ name: 'no-debug-in-production' }, { name: 'no-debug-in-production' }]);
  });

  test('the manifests pass the Kubernetes 1.33 schema (strict)', () => {
    const objects = [
      ...synthOf({ namespaceSelector: PRODUCTION }).objects,
      ...synthOf({ namespaceSelector: { matchExpressions: [{ key: 'environment', operator: 'Exists' }] }, allowEphemeralContainers: false }, 'shop').objects,
    ];
    expect(validateSchema(objects, '1.33')).toEqual([]);
  });
});

describe('DebugGuard: the cluster version', () => {
  test.each(['1.30', '1.33', '1.37'])('is emitted for a cluster declared %s', version => {
    const chart = Testing.chart();
    KubernetesVersion.set(chart, KubernetesVersion.of(version));
    expect(() => new DebugGuard(chart, 'guard', { namespaceSelector: PRODUCTION })).not.toThrow();
  });

  test('fails for a cluster declared older than 1.30, by context or environment variable', () => {
    const chart = Testing.chart();
    KubernetesVersion.set(chart, KubernetesVersion.V1_29);
    expect(() => new DebugGuard(chart, 'guard', { namespaceSelector: PRODUCTION })).toThrow(
      "test/guard: 'context cdk8s-debuggable/kubernetes-version' is older than 1.30, and DebugGuard emits a ValidatingAdmissionPolicy of "
      + 'admissionregistration.k8s.io/v1, which is GA from 1.30 (got "1.29"). Declare 1.30 or later. On 1.28 and 1.29 the policy exists only as v1beta1');
    withEnv({ CDK8S_KUBERNETES_VERSION: '1.28' }, () => {
      expect(() => new DebugGuard(Testing.chart(), 'guard', { namespaceSelector: PRODUCTION }))
        .toThrow(/'environment variable CDK8S_KUBERNETES_VERSION' is older than 1\.30.*\(got "1\.28"\)/);
    });
  });
});

describe('DebugGuard: bad input fails with the field, the value and the fix', () => {
  const make = (props: unknown) => () => new DebugGuard(Testing.chart(), 'guard', props as DebugGuardProps);

  test('fails without a selector, or with one that selects every namespace', () => {
    expect(make({})).toThrow("test/guard: 'namespaceSelector' is missing (got undefined). Pass { matchLabels: { environment: 'production' } }.");
    for (const selector of [{}, { matchLabels: {} }, { matchExpressions: [] }]) {
      expect(make({ namespaceSelector: selector })).toThrow(
        /'namespaceSelector' selects every namespace \(it has neither matchLabels nor matchExpressions\), kube-system included .*To guard every namespace on purpose, write/);
    }
    expect(make(undefined)).toThrow(/'props' is not an object/);
  });

  test.each([
    [{ matchLabels: { 'Environment Name': 'production' } }, /'namespaceSelector.matchLabels' has a key that is not a label key \(got "Environment Name"\)/],
    [{ matchLabels: { 'example.com/': 'x' } }, /has a key that is not a label key \(got "example.com\/"\)/],
    [{ matchLabels: { 'Example_com/tier': 'x' } }, /has a key that is not a label key/],
    [{ matchLabels: { environment: 'production!' } }, /'namespaceSelector.matchLabels.environment' is not a label value \(got "production!"\)/],
    [{ matchLabels: { environment: true } }, /'namespaceSelector.matchLabels.environment' is not a label value \(got true\)/],
    [{ matchLabels: 'environment=production' }, /'namespaceSelector.matchLabels' is not an object/],
    [{ matchExpressions: [{ key: 'environment', operator: 'in', values: ['production'] }] },
      /'namespaceSelector.matchExpressions\[0\].operator' is not a label selector operator \(got "in"\)\. Use one of In, NotIn, Exists, DoesNotExist/],
    [{ matchExpressions: [{ key: 'environment', operator: 'In' }] }, /'namespaceSelector.matchExpressions\[0\].values' is empty, and In needs at least one value/],
    [{ matchExpressions: [{ key: 'environment', operator: 'NotIn', values: [] }] }, /is empty, and NotIn needs at least one value/],
    [{ matchExpressions: [{ key: 'environment', operator: 'Exists', values: ['x'] }] }, /'namespaceSelector.matchExpressions\[0\].values' is set, and Exists takes no values/],
    [{ matchExpressions: [{ key: '-env', operator: 'Exists' }] }, /'namespaceSelector.matchExpressions\[0\].key' is not a label key/],
    [{ matchExpressions: [{ key: 'environment', operator: 'In', values: ['a b'] }] }, /'namespaceSelector.matchExpressions\[0\].values\[0\]' is not a label value/],
  ])('fails on the selector %j', (namespaceSelector, error) => {
    expect(make({ namespaceSelector })).toThrow(error);
  });

  test('accepts label keys with a DNS prefix, 63-character names and values, and empty values', () => {
    const key = `example.com/${'k'.repeat(63)}`;
    expect(make({ namespaceSelector: { matchLabels: { [key]: 'v'.repeat(63), team: '' } } })).not.toThrow();
    expect(make({ namespaceSelector: { matchLabels: { ['k'.repeat(64)]: 'x' } } })).toThrow(/is not a label key/);
  });

  test('fails on an unknown or CAP_-prefixed capability, and on a string where a Capability is expected', () => {
    expect(make({ namespaceSelector: PRODUCTION, allowedCapabilities: [Capability.of('NETRAW')] }))
      .toThrow(/'allowedCapabilities\[0\]' is not a Linux capability \(got "NETRAW"\)\. Use a static member of Capability/);
    expect(make({ namespaceSelector: PRODUCTION, allowedCapabilities: [Capability.NET_BIND_SERVICE, Capability.of('CAP_NET_RAW')] }))
      .toThrow(/'allowedCapabilities\[1\]' has the CAP_ prefix, which Kubernetes does not accept \(got "CAP_NET_RAW"\)\. Write 'NET_RAW'/);
    expect(make({ namespaceSelector: PRODUCTION, allowedCapabilities: ['NET_RAW'] }))
      .toThrow(/'allowedCapabilities\[0\]' is not a Capability \(got "NET_RAW"\)\. Use a static member such as Capability.NET_RAW/);
  });

  test('fails on allowEphemeralContainers given as a string, and on a bad name', () => {
    expect(make({ namespaceSelector: PRODUCTION, allowEphemeralContainers: 'false' }))
      .toThrow("'allowEphemeralContainers' is not a boolean (got \"false\"). Write true or false without quotes.");
    expect(make({ namespaceSelector: PRODUCTION, name: 'No Debug' })).toThrow(/'name' is not a policy name \(got "No Debug"\)/);
  });
});
