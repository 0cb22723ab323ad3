import { Chart, Testing } from 'cdk8s';
import { DebugAccess, DebugAccessProps } from '../src';
import { errorOf } from './support/errors';
import { only, validateSchema } from './support/manifests';

/*
 * DebugAccess emits a Role with exactly the debug path's verbs and a
 * RoleBinding to the named subjects; bad input fails with the field, the
 * value and the fix. The real server's answers (kubectl auth can-i, kubectl
 * debug --as) are in test/apiserver/access.apiserver.test.ts.
 */

const core = (resource: string, ...verbs: string[]) => ({ apiGroups: [''], resources: [resource], verbs });
const DEFAULT_RULES = [
  core('pods', 'get', 'list', 'watch'),
  core('pods/ephemeralcontainers', 'patch'),
  core('pods/exec', 'create'),
  core('pods/log', 'get'),
];

function synthOf(props: DebugAccessProps, chartNamespace?: string): { role: any; binding: any; objects: any[] } {
  const chart = new Chart(Testing.app(), 'shop', { namespace: chartNamespace });
  new DebugAccess(chart, 'debug-access', props);
  const objects = Testing.synth(chart);
  return { role: only(objects, 'Role'), binding: only(objects, 'RoleBinding'), objects };
}

describe('DebugAccess: the Role', () => {
  test('has exactly the debug path\'s verbs: read pods, add ephemeral containers, exec, logs', () => {
    // WHEN
    const { role } = synthOf({ namespace: 'shop', users: ['alice@example.com'] });
    // THEN
    expect(role.apiVersion).toBe('rbac.authorization.k8s.io/v1');
    expect(role.metadata).toEqual({ name: expect.stringMatching(/^shop-debug-access-c8[0-9a-f]{6}$/), namespace: 'shop' });
    expect(role.rules).toEqual(DEFAULT_RULES);
  });

  test.each([
    [{ allowAttach: true }, [...DEFAULT_RULES.slice(0, 3), core('pods/attach', 'create'), DEFAULT_RULES[3]]],
    [{ allowCopy: true }, [core('pods', 'get', 'list', 'watch', 'create'), ...DEFAULT_RULES.slice(1)]],
    [{ allowRecord: true }, [core('pods', 'get', 'list', 'watch', 'patch'), ...DEFAULT_RULES.slice(1)]],
    [{ allowAttach: false, allowCopy: false, allowRecord: false }, DEFAULT_RULES],
  ])('%p adds exactly its verb', (options, rules) => {
    expect(synthOf({ namespace: 'shop', groups: ['sre'], ...options }).role.rules).toEqual(rules);
  });

  test('no option combination grants Secrets, Deployments, delete, or anything outside Pods', () => {
    for (const allowAttach of [false, true]) {
      for (const allowCopy of [false, true]) {
        for (const allowRecord of [false, true]) {
          const { role } = synthOf({ namespace: 'shop', users: ['alice'], allowAttach, allowCopy, allowRecord });
          const granted = role.rules.flatMap((r: any) => r.resources.flatMap((res: string) => r.verbs.map((v: string) => `${v} ${res}`)));
          expect(role.rules.every((r: any) => r.apiGroups.length === 1 && r.apiGroups[0] === '')).toBe(true);
          expect(granted.filter((g: string) => !/^(get|list|watch|create|patch) pods(\/(ephemeralcontainers|exec|attach|log))?$/.test(g))).toEqual([]);
          expect(granted.filter((g: string) => /^(delete|deletecollection|update|escalate|bind|impersonate|\*)/.test(g))).toEqual([]);
        }
      }
    }
  });

  test('the Role and RoleBinding go to the given namespace, not the Chart\'s, and take the given name', () => {
    const { role, binding } = synthOf({ namespace: 'payments', users: ['alice'], name: 'debuggers' }, 'shop');
    expect(role.metadata).toEqual({ name: 'debuggers', namespace: 'payments' });
    expect(binding.metadata).toEqual({ name: 'debuggers', namespace: 'payments' });
  });
});

describe('DebugAccess: the RoleBinding', () => {
  test('binds the Role to every user, group and service account; a bare service account name is in the namespace', () => {
    // WHEN
    const { role, binding } = synthOf({
      namespace: 'shop',
      users: ['alice@example.com', 'bob'],
      groups: ['sre'],
      serviceAccounts: ['debugger', 'ci/deployer'],
    });
    // THEN
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
    expect(binding.metadata).toEqual(role.metadata);
    expect(binding.subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice@example.com' },
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bob' },
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'sre' },
      { kind: 'ServiceAccount', name: 'debugger', namespace: 'shop' },
      { kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' },
    ]);
  });

  test('a construct exposes its objects and namespace', () => {
    const chart = Testing.chart();
    const access = new DebugAccess(chart, 'access', { namespace: 'shop', users: ['alice'] });
    expect([access.role.kind, access.roleBinding.kind, access.namespace]).toEqual(['Role', 'RoleBinding', 'shop']);
  });

  test('every option combination passes the Kubernetes 1.33 schema (strict)', () => {
    const objects = [false, true].flatMap(flag => synthOf({
      namespace: 'shop',
      users: ['alice'],
      groups: ['sre'],
      serviceAccounts: ['debugger', 'ci/deployer'],
      allowAttach: flag,
      allowCopy: flag,
      allowRecord: flag,
    }).objects);
    expect(objects).toHaveLength(4);
    expect(validateSchema(objects, '1.33')).toEqual([]);
  });
});

describe('DebugAccess: bad input fails with the field, the value and the fix', () => {
  const make = (props: unknown) => () => new DebugAccess(Testing.chart(), 'access', props as DebugAccessProps);

  test('fails without any subject', () => {
    expect(make({ namespace: 'shop' })).toThrow(
      "test/access: 'users' is empty, and so are groups and serviceAccounts: DebugAccess would grant to nobody (got undefined). "
      + "Name at least one subject, such as users: ['alice@example.com'], groups: ['sre'] or serviceAccounts: ['debugger'].");
    expect(make({ namespace: 'shop', users: [], groups: [], serviceAccounts: [] })).toThrow(/'users' is empty, and so are groups and serviceAccounts/);
  });

  test.each([['Shop'], [''], ['shop.prod'], ['a'.repeat(64)], [42], [undefined]])('fails on the namespace %p', namespace => {
    expect(make({ namespace, users: ['alice'] })).toThrow(/'namespace' is (not a namespace name|not a string) \(got .*\)\. Pass /);
  });

  test('fails on props that are not an object (JavaScript)', () => {
    expect(make(undefined)).toThrow("'props' is not an object (got undefined). Pass { namespace: 'shop', users: ['alice@example.com'] }.");
  });

  test.each([
    ['a/b/c', /'serviceAccounts\[0\]' is not a service account \(got "a\/b\/c"\)\. Write 'name' for a service account in 'shop', or 'namespace\/name'/],
    ['Debugger', /'serviceAccounts\[0\]' is not a service account \(got "Debugger"\)/],
    ['/debugger', /'serviceAccounts\[0\]' is not a service account/],
    ['system:serviceaccount:ci:deployer', /Drop the 'system:serviceaccount:' prefix and write 'namespace\/name'\.$/],
  ])('fails on the service account %p', (account, error) => {
    expect(make({ namespace: 'shop', serviceAccounts: [account] })).toThrow(error);
  });

  test.each([['users', ''], ['users', ' alice'], ['groups', 'sre ']])('fails on the %s name %p', (field, name) => {
    expect(make({ namespace: 'shop', [field]: [name] }))
      .toThrow(new RegExp(`'${field}\\[0\\]' is not a (user|group) name \\(got "${name}"\\)\\. Write the name as the cluster's authenticator gives it`));
  });

  test('fails on a list given as a string (JavaScript)', () => {
    expect(make({ namespace: 'shop', users: 'alice' })).toThrow("'users' is not a list (got \"alice\"). Pass a list of user names, such as ['alice@example.com'].");
  });

  test('fails on a subject listed twice', () => {
    expect(make({ namespace: 'shop', users: ['alice', 'alice'] })).toThrow("test/access: 'users' names the same User twice (got \"alice\"). List each subject once.");
    expect(make({ namespace: 'shop', serviceAccounts: ['debugger', 'shop/debugger'] })).toThrow(/'serviceAccounts' names the same ServiceAccount twice/);
  });

  test('a user and a group of the same name are two subjects', () => {
    expect(make({ namespace: 'shop', users: ['sre'], groups: ['sre'] })).not.toThrow();
  });

  test.each(['allowAttach', 'allowCopy', 'allowRecord'])('fails on %s given as a string (JavaScript)', field => {
    expect(make({ namespace: 'shop', users: ['alice'], [field]: 'false' })).toThrow(`'${field}' is not a boolean (got "false"). Write true or false without quotes.`);
  });

  test('fails on a name that is not a Role name', () => {
    expect(make({ namespace: 'shop', users: ['alice'], name: 'Debuggers!' })).toThrow(/'name' is not a Role name \(got "Debuggers!"\)/);
  });
});


describe('DebugAccess: subjects', () => {
  test('service accounts of the same name in different namespaces are two subjects', () => {
    // GIVEN 'deployer' in the Role's namespace, and 'deployer' in ci
    const { binding } = synthOf({ namespace: 'shop', serviceAccounts: ['deployer', 'ci/deployer', 'staging/deployer'] });
    // THEN all three are bound
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'deployer', namespace: 'shop' },
      { kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' },
      { kind: 'ServiceAccount', name: 'deployer', namespace: 'staging' },
    ]);
  });
});

describe('DebugAccess: bad input fails with the whole message', () => {
  const make = (props: unknown) => () => new DebugAccess(Testing.chart(), 'access', props as DebugAccessProps);
  const saFix = "Write 'name' for a service account in 'shop', or 'namespace/name' for one in another namespace.";
  const nameFix = "Write the name as the cluster's authenticator gives it, without surrounding spaces.";

  test.each([
    ['props given as a string (JavaScript)', 'shop',
      "'props' is not an object (got \"shop\"). Pass { namespace: 'shop', users: ['alice@example.com'] }."],
    ['a name that is not a string', { namespace: 'shop', users: ['alice'], name: 42 },
      "'name' is not a string (got 42). Pass a name such as 'debuggers'."],
    ['a name that is not a Role name', { namespace: 'shop', users: ['alice'], name: 'Debuggers!' },
      "test/access: 'name' is not a Role name (got \"Debuggers!\"). Use lowercase letters, digits, dashes and dots, such as 'debuggers', or omit it."],
    ['a group listed twice', { namespace: 'shop', groups: ['sre', 'sre'] },
      "test/access: 'groups' names the same Group twice (got \"sre\"). List each subject once."],
    ['a service account listed twice, once with its namespace', { namespace: 'shop', serviceAccounts: ['debugger', 'shop/debugger'] },
      "test/access: 'serviceAccounts' names the same ServiceAccount twice (got \"debugger\"). List each subject once."],
    ['groups given as one string (JavaScript)', { namespace: 'shop', groups: 'sre' },
      "'groups' is not a list (got \"sre\"). Pass a list of group names, such as ['sre']."],
    ['a user that is undefined (JavaScript)', { namespace: 'shop', users: [undefined] },
      `test/access: 'users[0]' is not a user name (got undefined). ${nameFix}`],
    ['a group of spaces only', { namespace: 'shop', groups: ['   '] },
      `test/access: 'groups[0]' is not a group name (got "   "). ${nameFix}`],
    ['a service account that is undefined (JavaScript)', { namespace: 'shop', serviceAccounts: [undefined] },
      `test/access: 'serviceAccounts[0]' is not a service account (got undefined). ${saFix}`],
    ['a service account name in capitals', { namespace: 'shop', serviceAccounts: ['Debugger'] },
      `test/access: 'serviceAccounts[0]' is not a service account (got "Debugger"). ${saFix}`],
    ['a service account written as the API server names it', { namespace: 'shop', serviceAccounts: ['system:serviceaccount:ci:deployer'] },
      `test/access: 'serviceAccounts[0]' is not a service account (got "system:serviceaccount:ci:deployer"). ${saFix} `
      + "Drop the 'system:serviceaccount:' prefix and write 'namespace/name'."],
  ])('fails on %s', (_what, props, message) => {
    expect(errorOf(make(props))).toBe(message);
  });
});
