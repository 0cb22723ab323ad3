import { Chart, Testing } from 'cdk8s';
import { Capability, DebugGuard, DebugGuardProps, DebugSidecar, KubernetesVersion } from '../src';
import { errorOf } from './support/errors';
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


/**
 * What the API server shows for a messageExpression, for the form the policy
 * uses: CEL string literals ('...', with \\ and \' escapes) and lists joined
 * into text (variables.NAME.join('sep'), or .map(c, c.name).join('sep') over
 * containers), added with +. `lists` gives each list as the strings it joins.
 */
function shownBy(expression: string, lists: Record<string, string[]>): string {
  let out = '';
  let rest = expression;
  for (;;) {
    if (rest.startsWith("'")) {
      let i = 1;
      for (; rest[i] !== "'"; i++) {
        if (i >= rest.length) throw new Error(`unterminated CEL string in ${expression}`);
        if (rest[i] === '\\') {
          i++;
          if (rest[i] !== '\\' && rest[i] !== "'") throw new Error(`unexpected escape \\${rest[i]} in ${expression}`);
        }
        out += rest[i];
      }
      rest = rest.slice(i + 1);
    } else {
      const list = /^variables\.([A-Za-z]+)(\.map\(c, c\.name\))?\.join\('([^']*)'\)/.exec(rest);
      if (list === null) throw new Error(`unexpected CEL at: ${rest}`);
      out += lists[list[1]].join(list[3]);
      rest = rest.slice(list[0].length);
    }
    if (rest === '') return out;
    if (!rest.startsWith(' + ')) throw new Error(`expected ' + ' at: ${rest}`);
    rest = rest.slice(3);
  }
}

const WAY_OUT_ELSEWHERE = 'or debug in a namespace this guard does not select.';

describe('DebugGuard: what each rule refuses, and the message a user gets', () => {
  // Synthesized in each test, not once here: code run outside a test is not checked by mutation testing.
  const guarded = () => synthOf({ namespaceSelector: PRODUCTION, allowedCapabilities: [Capability.NET_BIND_SERVICE, Capability.of('BPF')], allowEphemeralContainers: false }).policy;
  const validation = (rule: string) => guarded().spec.validations.find((v: any) => v.message.startsWith(`Refused by DebugGuard rule "${rule}": `));

  test('debug-label: a Pod is refused when it is a debug Pod (variables.debugPod), with the way out', () => {
    expect(validation('debug-label')).toEqual({
      expression: '!variables.debugPod',
      message: `Refused by DebugGuard rule "debug-label": the Pod carries the label ${DebugSidecar.POD_LABEL}, and debug Pods, and ephemeral containers `
        + 'added to them, are not admitted in this namespace. Way out: synthesize the manifests for this namespace with debug off '
        + `(CDK8S_DEBUG=false or DebugToggle), ${WAY_OUT_ELSEWHERE}`,
      reason: 'Forbidden',
    });
  });

  test('privileged: refused while any judged container runs privileged; the message names them', () => {
    const v = validation('privileged');
    expect(v.expression).toBe('size(variables.privilegedContainers) == 0');
    expect(v.reason).toBe('Forbidden');
    const text = 'runs privileged, which is not admitted in this namespace. Way out: debug with only the capabilities the tools need '
      + `(not DebugProfile.SYSADMIN, not kubectl debug --profile=sysadmin), ${WAY_OUT_ELSEWHERE}`;
    expect(v.message).toBe(`Refused by DebugGuard rule "privileged": a container ${text}`);
    // WHEN the API server fills in the containers' names
    expect(shownBy(v.messageExpression, { privilegedContainers: ['debug', 'init-net'] }))
      .toBe(`Refused by DebugGuard rule "privileged": container debug, init-net ${text}`);
  });

  test('capabilities: refused while any judged container adds one not allowed; the message names it and what is allowed', () => {
    const v = validation('capabilities');
    expect(v.expression).toBe('size(variables.extraCapabilities) == 0');
    expect(v.reason).toBe('Forbidden');
    // The allowed list is the given one (and the apostrophes survive CEL quoting).
    const text = 'beyond what this namespace allows to add (NET_BIND_SERVICE, BPF). Way out: choose tools that need no other capability '
      + `(kubectl debug --profile=baseline), have the cluster's administrator add it to the guard's allowedCapabilities, ${WAY_OUT_ELSEWHERE}`;
    expect(v.message).toBe(`Refused by DebugGuard rule "capabilities": a container adds capabilities ${text}`);
    expect(shownBy(v.messageExpression, { extraCapabilities: ['debug adds SYS_ADMIN, NET_ADMIN', 'init adds SYS_TIME'] }))
      .toBe(`Refused by DebugGuard rule "capabilities": container debug adds SYS_ADMIN, NET_ADMIN; init adds SYS_TIME, ${text}`);
  });

  test('ephemeral-containers (allowEphemeralContainers: false): refused while any ephemeral container is new; the message names them', () => {
    const v = validation('ephemeral-containers');
    expect(v.expression).toBe('size(variables.newEphemeralContainers) == 0');
    expect(v.reason).toBe('Forbidden');
    const text = 'is refused: no ephemeral container (kubectl debug) is admitted in this namespace. Way out: '
      + `debug a copy of the Pod in another namespace, ${WAY_OUT_ELSEWHERE}`;
    expect(v.message).toBe(`Refused by DebugGuard rule "ephemeral-containers": an ephemeral container ${text}`);
    expect(shownBy(v.messageExpression, { newEphemeralContainers: ['debugger-x7k2p', 'debugger-q9z4m'] }))
      .toBe(`Refused by DebugGuard rule "ephemeral-containers": ephemeral container debugger-x7k2p, debugger-q9z4m ${text}`);
  });

  test('with allowEphemeralContainers (the default), no rule refuses an ephemeral container for being one', () => {
    const byDefault = synthOf({ namespaceSelector: PRODUCTION }).policy;
    expect(byDefault.spec.validations.map((v: any) => v.expression))
      .toEqual(['!variables.debugPod', 'size(variables.privilegedContainers) == 0', 'size(variables.extraCapabilities) == 0']);
  });

  test('every variable is defined before the variables and rules that use it (CEL reads them in order)', () => {
    const policy = guarded();
    const names = policy.spec.variables.map((v: any) => v.name);
    expect(names).toEqual(['allowedCapabilities', 'subResource', 'podCreate', 'debugPod', 'newEphemeralContainers', 'privilegedContainers', 'extraCapabilities']);
    const used = (expression: string) => [...expression.matchAll(/variables\.([A-Za-z]+)/g)].map(m => m[1]);
    policy.spec.variables.forEach((v: any, i: number) => {
      for (const name of used(v.expression)) expect(names.slice(0, i)).toContain(name);
    });
    for (const v of policy.spec.validations) {
      for (const name of [...used(v.expression), ...used(v.messageExpression ?? '')]) expect(names).toContain(name);
    }
  });
});

describe('DebugGuard: the CEL that decides which containers are judged', () => {
  // The meaning of each expression is proven on a real API server in
  // test/apiserver/guard.apiserver.test.ts; here each is pinned to its text,
  // with what it must do.
  const policy = () => synthOf({ namespaceSelector: PRODUCTION }).policy;

  test('subResource is empty on the Pod itself (the request has no subResource there, not an empty one)', () => {
    expect(variable(policy(), 'subResource')).toBe("has(request.subResource) ? request.subResource : ''");
  });

  test('podCreate: regular and init containers are judged on the creation of the Pod itself, not on pods/ephemeralcontainers', () => {
    expect(variable(policy(), 'podCreate')).toBe("request.operation == 'CREATE' && variables.subResource == ''");
  });

  test('newEphemeralContainers: an ephemeral container is new when the old Pod has none of its name (any, on CREATE)', () => {
    expect(variable(policy(), 'newEphemeralContainers')).toBe('has(object.spec.ephemeralContainers) ? object.spec.ephemeralContainers.filter(c, oldObject == null '
      + '|| !has(oldObject.spec.ephemeralContainers) || !oldObject.spec.ephemeralContainers.exists(o, o.name == c.name)) : []');
  });

  const judged = (filter: string, map: string) => `(variables.podCreate ? object.spec.containers.filter(c, ${filter}).map(c, ${map})`
    + ` + (has(object.spec.initContainers) ? object.spec.initContainers.filter(c, ${filter}).map(c, ${map}) : []) : [])`
    + ` + variables.newEphemeralContainers.filter(c, ${filter}).map(c, ${map})`;

  test('privilegedContainers: the names of the judged containers with securityContext.privileged: true', () => {
    expect(variable(policy(), 'privilegedContainers')).toBe(judged(
      'has(c.securityContext) && has(c.securityContext.privileged) && c.securityContext.privileged', 'c.name'));
  });

  test('extraCapabilities: "<name> adds <capabilities>" for each judged container that adds one not allowed', () => {
    expect(variable(policy(), 'extraCapabilities')).toBe(judged(
      'has(c.securityContext) && has(c.securityContext.capabilities) && has(c.securityContext.capabilities.add)'
      + ' && c.securityContext.capabilities.add.exists(a, !(a in variables.allowedCapabilities))',
      "c.name + ' adds ' + c.securityContext.capabilities.add.filter(a, !(a in variables.allowedCapabilities)).join(', ')"));
  });
});

describe('DebugGuard: the namespace selector', () => {
  const make = (props: unknown) => () => new DebugGuard(Testing.chart(), 'guard', props as DebugGuardProps);
  const EXISTS = { key: 'kubernetes.io/metadata.name', operator: 'Exists' };

  test('the binding carries only the parts of the selector that select: no empty matchLabels or matchExpressions', () => {
    expect(synthOf({ namespaceSelector: PRODUCTION }).binding.spec.matchResources.namespaceSelector).toEqual(PRODUCTION);
    expect(synthOf({ namespaceSelector: { matchExpressions: [EXISTS] } }).binding.spec.matchResources.namespaceSelector)
      .toEqual({ matchExpressions: [EXISTS] });
    expect(synthOf({ namespaceSelector: { matchLabels: {}, matchExpressions: [EXISTS] } }).binding.spec.matchResources.namespaceSelector)
      .toEqual({ matchExpressions: [EXISTS] });
    expect(synthOf({ namespaceSelector: { ...PRODUCTION, matchExpressions: [] } }).binding.spec.matchResources.namespaceSelector).toEqual(PRODUCTION);
  });

  test('accepts label keys without a prefix as Kubernetes does: capitals, underscores, one character', () => {
    // GIVEN keys whose name part is valid but is not a DNS name
    const namespaceSelector = { matchLabels: { Environment: 'production', cost_center: 'A1', x: 'y' } };
    // THEN the binding carries them
    expect(synthOf({ namespaceSelector }).binding.spec.matchResources.namespaceSelector).toEqual(namespaceSelector);
  });

  test('Exists with an empty list of values is accepted, and written without values', () => {
    const { binding } = synthOf({ namespaceSelector: { matchExpressions: [{ key: 'environment', operator: 'Exists', values: [] }] } });
    expect(binding.spec.matchResources.namespaceSelector).toEqual({ matchExpressions: [{ key: 'environment', operator: 'Exists' }] });
  });

  test('a label value longer than 63 characters is refused', () => {
    expect(errorOf(make({ namespaceSelector: { matchLabels: { environment: 'p'.repeat(64) } } })))
      .toMatch(/^test\/guard: 'namespaceSelector\.matchLabels\.environment' is not a label value \(got "p{64}"\)/);
  });

  test.each([
    ['a key that is not a label key', { matchLabels: { 'Environment Name': 'production' } },
      "test/guard: 'namespaceSelector.matchLabels' has a key that is not a label key (got \"Environment Name\"). Write a key such as 'environment' or "
      + "'example.com/tier' (an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.')."],
    ['a list as a label value (JavaScript)', { matchLabels: { environment: ['production'] } },
      "test/guard: 'namespaceSelector.matchLabels.environment' is not a label value (got [\"production\"]). Write a string of at most 63 letters, "
      + "digits, '-', '_' or '.', starting and ending with a letter or digit, such as 'production'."],
    ['matchExpressions that is not a list', { matchExpressions: { key: 'environment', operator: 'Exists' } },
      "'namespaceSelector.matchExpressions' is not a list (got {\"key\":\"environment\",\"operator\":\"Exists\"}). "
      + "Pass a list such as [{ key: 'environment', operator: 'In', values: ['production'] }]."],
    ['a requirement written as a string', { matchExpressions: ['environment=production'] },
      "'namespaceSelector.matchExpressions[0]' is not an object (got \"environment=production\"). "
      + "Pass { key: 'environment', operator: 'In', values: ['production'] }."],
    ['a requirement that is undefined (JavaScript)', { matchExpressions: [undefined] },
      "test/guard: 'namespaceSelector.matchExpressions[0].key' is not a label key (got undefined). Write a key such as 'environment' or 'example.com/tier'."],
    ['a requirement without a key', { matchExpressions: [{ operator: 'Exists' }] },
      "test/guard: 'namespaceSelector.matchExpressions[0].key' is not a label key (got undefined). Write a key such as 'environment' or 'example.com/tier'."],
    ['a key that is not a string', { matchExpressions: [{ key: 42, operator: 'Exists' }] },
      "'namespaceSelector.matchExpressions[0].key' is not a string (got 42). Pass a label key such as 'environment'."],
    ['an operator that is not a string', { matchExpressions: [{ key: 'environment', operator: 1 }] },
      "'namespaceSelector.matchExpressions[0].operator' is not a string (got 1). Use one of In, NotIn, Exists, DoesNotExist."],
    ['an operator spelled in lowercase', { matchExpressions: [{ key: 'environment', operator: 'in', values: ['production'] }] },
      "test/guard: 'namespaceSelector.matchExpressions[0].operator' is not a label selector operator (got \"in\"). "
      + 'Use one of In, NotIn, Exists, DoesNotExist (spelled as in Kubernetes).'],
    ['values that are not a list', { matchExpressions: [{ key: 'environment', operator: 'In', values: 'production' }] },
      "'namespaceSelector.matchExpressions[0].values' is not a list (got \"production\"). Pass a list such as ['production']."],
    ['a value that is not a string', { matchExpressions: [{ key: 'environment', operator: 'In', values: [1] }] },
      "'namespaceSelector.matchExpressions[0].values[0]' is not a string (got 1). Pass a label value such as 'production'."],
    ['a value that is not a label value', { matchExpressions: [{ key: 'environment', operator: 'In', values: ['a b'] }] },
      "test/guard: 'namespaceSelector.matchExpressions[0].values[0]' is not a label value (got \"a b\"). Write a label value such as 'production'."],
    ['a value that is undefined (JavaScript)', { matchExpressions: [{ key: 'environment', operator: 'In', values: [undefined] }] },
      "test/guard: 'namespaceSelector.matchExpressions[0].values[0]' is not a label value (got undefined). Write a label value such as 'production'."],
    ['In without values', { matchExpressions: [{ key: 'environment', operator: 'In' }] },
      "test/guard: 'namespaceSelector.matchExpressions[0].values' is empty, and In needs at least one value (got undefined). "
      + "Pass the values, such as ['production']."],
    ['Exists with values', { matchExpressions: [{ key: 'environment', operator: 'Exists', values: ['x'] }] },
      "test/guard: 'namespaceSelector.matchExpressions[0].values' is set, and Exists takes no values (got [\"x\"]). Remove the values."],
  ])('fails on %s, with the whole message', (_what, namespaceSelector, message) => {
    expect(errorOf(make({ namespaceSelector }))).toBe(message);
  });
});

describe('DebugGuard: bad props fail with the whole message', () => {
  const make = (props: unknown) => () => new DebugGuard(Testing.chart(), 'guard', props as DebugGuardProps);
  const propsFix = "Pass { namespaceSelector: { matchLabels: { environment: 'production' } } }.";

  test.each([
    ['props that are undefined (JavaScript)', undefined, `test/guard: 'props' is not an object (got undefined). ${propsFix}`],
    ['props given as a string (JavaScript)', 'production', `'props' is not an object (got "production"). ${propsFix}`],
    ['a name that is not a string', { namespaceSelector: PRODUCTION, name: 42 },
      "'name' is not a string (got 42). Pass a name such as 'no-debug-in-production'."],
    ['a name that is not a policy name', { namespaceSelector: PRODUCTION, name: 'No Debug' },
      "test/guard: 'name' is not a policy name (got \"No Debug\"). Use lowercase letters, digits, dashes and dots, such as 'no-debug-in-production', or omit it."],
    ['allowedCapabilities given as one string', { namespaceSelector: PRODUCTION, allowedCapabilities: 'NET_BIND_SERVICE' },
      "'allowedCapabilities' is not a list (got \"NET_BIND_SERVICE\"). Pass a list such as [Capability.NET_BIND_SERVICE]."],
  ])('fails on %s', (_what, props, message) => {
    expect(errorOf(make(props))).toBe(message);
  });

  test('a cluster older than 1.30 gets the whole reason and what to do instead', () => {
    const chart = Testing.chart();
    KubernetesVersion.set(chart, KubernetesVersion.V1_29);
    expect(errorOf(() => new DebugGuard(chart, 'guard', { namespaceSelector: PRODUCTION }))).toBe(
      "test/guard: 'context cdk8s-debuggable/kubernetes-version' is older than 1.30, and DebugGuard emits a ValidatingAdmissionPolicy of "
      + 'admissionregistration.k8s.io/v1, which is GA from 1.30 (got "1.29"). Declare 1.30 or later. On 1.28 and 1.29 the policy exists only as v1beta1, '
      + 'behind the ValidatingAdmissionPolicy feature gate and --runtime-config, so this library does not emit it; use another admission controller there.');
  });
});
