// Who may debug: a Role with exactly the verbs the library's debug path uses
// (kubectl debug with an ephemeral container, exec, logs), bound to named
// users, groups and service accounts in one namespace.

import { ApiObject, Names } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { fail } from '../errors';
import { optionalArray, optionalBoolean, optionalObject, optionalString } from '../input';
import { isDnsLabel, isDnsSubdomain } from '../names';
import { ACCESS_PROPS_KEYS } from '../option-keys';

/**
 * Props for `DebugAccess`.
 */
export interface DebugAccessProps {
  /** The namespace whose Pods may be debugged; the Role and RoleBinding are created there. */
  readonly namespace: string;

  /**
   * Users who may debug, as the cluster's authenticator names them
   * (`alice@example.com`).
   *
   * @default - no user; at least one user, group or service account is required
   */
  readonly users?: string[];

  /**
   * Groups whose members may debug (`sre`).
   *
   * @default - no group; at least one user, group or service account is required
   */
  readonly groups?: string[];

  /**
   * Service accounts that may debug: `name` for one in `namespace`, or
   * `namespace/name` for one in another namespace (`ci/deployer`).
   *
   * @default - no service account; at least one user, group or service account is required
   */
  readonly serviceAccounts?: string[];

  /**
   * Also grant `create` on `pods/attach`, for `kubectl debug -it` and
   * `kubectl attach`. The command `kubectlDebug()` emits does not attach
   * (it has no `-i` or `-t`): the debug container keeps itself alive, and you
   * enter it with `kubectl exec`, which is granted.
   *
   * @default false
   */
  readonly allowAttach?: boolean;

  /**
   * Also grant `create` on `pods`, for `kubectl debug --copy-to`, which
   * creates a copy of the Pod. Creating Pods lets a subject run any image
   * under any service account of the namespace and mount its Secrets, so
   * grant it only where that is acceptable.
   *
   * @default false
   */
  readonly allowCopy?: boolean;

  /**
   * Also grant `patch` on `pods`, for the `kubectl label` and
   * `kubectl annotate` commands that `kubectlDebug()` gives (`labelArgs`,
   * `annotateArgs`) to record the debug container on the Pod. Patching a
   * Pod also lets a subject change its labels and its containers' images.
   *
   * @default false - the subjects cannot label or annotate the Pod; someone
   * with patch rights runs those commands
   */
  readonly allowRecord?: boolean;

  /**
   * The name of the Role and of the RoleBinding.
   *
   * @default - a name generated from the construct path, such as
   * `shop-debug-access-c8a1b2c3` (cdk8s `Names.toDnsLabel`)
   */
  readonly name?: string;
}

/** One RBAC rule on the core API group. */
interface Rule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/**
 * Grants debugging in one namespace to named users, groups or service
 * accounts: a Role and a RoleBinding with exactly what the library's debug
 * path needs, and nothing more.
 *
 * - `get`, `list`, `watch` on `pods` (kubectl debug reads the Pod);
 * - `patch` on `pods/ephemeralcontainers` (kubectl debug adds the container);
 * - `create` on `pods/exec` (kubectl exec into it) and `get` on `pods/log`;
 * - `create` on `pods/attach` with `allowAttach`, `create` on `pods` with
 *   `allowCopy`, `patch` on `pods` with `allowRecord`.
 *
 * No Secrets, no Deployments, no delete. The grant is the same with debug on
 * or off: it is for Pods that are already running.
 */
export class DebugAccess extends Construct {
  /** The Role. */
  public readonly role: ApiObject;
  /** The RoleBinding of the Role to the subjects. */
  public readonly roleBinding: ApiObject;
  /** The namespace of the grant. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: DebugAccessProps) {
    super(scope, id);
    const propsFix = "Pass { namespace: 'shop', users: ['alice@example.com'] }.";
    if (optionalObject('props', props, propsFix, ACCESS_PROPS_KEYS) === undefined) fail('props', props, 'is not an object', propsFix, this);
    const namespace = optionalString('namespace', props.namespace, "Pass the namespace's name, such as 'shop'.");
    if (namespace === undefined || !isDnsLabel(namespace)) {
      fail('namespace', namespace, 'is not a namespace name',
        "Pass the name of the namespace whose Pods may be debugged, such as 'shop' (lowercase letters, digits and dashes, at most 63 characters).", this);
    }
    this.namespace = namespace;
    const name = optionalString('name', props.name, "Pass a name such as 'debuggers'.") ?? Names.toDnsLabel(this);
    if (!isDnsSubdomain(name)) {
      fail('name', name, 'is not a Role name', "Use lowercase letters, digits, dashes and dots, such as 'debuggers', or omit it.", this);
    }

    const subjects = [
      ...names('users', props.users, 'User', this).map(n => ({ apiGroup: RBAC_GROUP, kind: 'User', name: n })),
      ...names('groups', props.groups, 'Group', this).map(n => ({ apiGroup: RBAC_GROUP, kind: 'Group', name: n })),
      ...serviceAccounts(props.serviceAccounts, namespace, this),
    ];
    if (subjects.length === 0) {
      fail('users', props.users, 'is empty, and so are groups and serviceAccounts: DebugAccess would grant to nobody',
        "Name at least one subject, such as users: ['alice@example.com'], groups: ['sre'] or serviceAccounts: ['debugger'].", this);
    }
    const seen = new Set<string>();
    for (const s of subjects) {
      const key = `${s.kind}:${'namespace' in s ? `${s.namespace}/` :
        // Stryker disable next-line StringLiteral: users and groups have no namespace; any text here keeps their keys apart, as the kind starts the key
        ''}${s.name}`;
      if (seen.has(key)) {
        fail(fieldOf(s.kind), s.name, `names the same ${s.kind} twice`, 'List each subject once.', this);
      }
      seen.add(key);
    }

    const rules = rulesFor(
      optionalBoolean('allowAttach', props.allowAttach) ?? false,
      optionalBoolean('allowCopy', props.allowCopy) ?? false,
      optionalBoolean('allowRecord', props.allowRecord) ?? false,
    );
    this.role = new ApiObject(this, 'Role', {
      apiVersion: `${RBAC_GROUP}/v1`,
      kind: 'Role',
      metadata: { name, namespace },
      rules,
    } as any);
    this.roleBinding = new ApiObject(this, 'RoleBinding', {
      apiVersion: `${RBAC_GROUP}/v1`,
      kind: 'RoleBinding',
      metadata: { name: this.role.name, namespace },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: this.role.name },
      subjects,
    } as any);
  }
}

/** The Role's rules: the debug path's verbs, and those the options add. */
function rulesFor(attach: boolean, copy: boolean, record: boolean): Rule[] {
  const core = (resource: string, ...verbs: string[]): Rule => ({ apiGroups: [''], resources: [resource], verbs });
  const podVerbs = ['get', 'list', 'watch', ...(copy ? ['create'] : []), ...(record ? ['patch'] : [])];
  return [
    core('pods', ...podVerbs),
    core('pods/ephemeralcontainers', 'patch'),
    core('pods/exec', 'create'),
    ...(attach ? [core('pods/attach', 'create')] : []),
    core('pods/log', 'get'),
  ];
}

function fieldOf(kind: string): string {
  return kind === 'User' ? 'users' : kind === 'Group' ? 'groups' : 'serviceAccounts';
}

/** The names of users or groups: non-empty strings without surrounding spaces. */
function names(field: string, value: unknown, kind: string, where: IConstruct): string[] {
  const fix = `Pass a list of ${kind.toLowerCase()} names, such as ['${kind === 'User' ? 'alice@example.com' : 'sre'}'].`;
  return optionalArray(field, value, fix, (f, v) => {
    const n = optionalString(f, v, fix);
    if (n === undefined || n === '' || n !== n.trim()) {
      return fail(f, n, `is not a ${kind.toLowerCase()} name`, "Write the name as the cluster's authenticator gives it, without surrounding spaces.", where);
    }
    return n;
  }) ?? [];
}

/** Service account subjects: `name` (in `namespace`) or `namespace/name`. */
function serviceAccounts(value: unknown, namespace: string, where: IConstruct): Array<{ kind: string; name: string; namespace: string }> {
  const fix = `Write 'name' for a service account in '${namespace}', or 'namespace/name' for one in another namespace.`;
  return optionalArray('serviceAccounts', value, fix, (f, v) => {
    const text = optionalString(f, v, fix);
    // A missing entry reads as '', which is no name.
    // Stryker disable next-line StringLiteral: any other text read for a missing entry is refused as well
    const parts = (text ?? '')
      .split('/');
    const [ns, name] = parts.length === 1 ? [namespace, parts[0]] : parts;
    if (parts.length > 2 || !isDnsLabel(ns) || !isDnsSubdomain(name)) {
      return fail(f, text, 'is not a service account', `${fix} ${text?.startsWith('system:serviceaccount:')
        ? "Drop the 'system:serviceaccount:' prefix and write 'namespace/name'." : ''}`.trim(), where);
    }
    return { kind: 'ServiceAccount', name, namespace: ns };
  }) ?? [];
}
