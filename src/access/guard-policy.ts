// The ValidatingAdmissionPolicy of DebugGuard: its CEL, and the check of the
// namespace selector its binding carries. The policy judges what reaches the
// API server, however it was made: a debug Pod synthesized by this library,
// a `kubectl debug` typed by hand, a manifest from elsewhere.

import { IConstruct } from 'constructs';
import { NamespaceLabelRequirement, NamespaceLabelSelector } from './namespace-selector';
import { fail } from '../errors';
import { optionalArray, optionalObject, optionalString } from '../input';
import { isDnsSubdomain } from '../names';
import { DebugSidecar } from '../sidecar/debug-sidecar';

/** The name part of a label key, and a label value when not empty (k8s.io/apimachinery validation). */
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** The rules the policy refuses by, as its messages name them. */
export const GUARD_RULES = {
  debugLabel: 'debug-label',
  privileged: 'privileged',
  capabilities: 'capabilities',
  ephemeralContainers: 'ephemeral-containers',
} as const;

function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  // Stryker disable next-line EqualityOperator: slash <= 0 differs only for a key starting with '/', refused either way (an empty prefix, or a name holding '/')
  const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  // An empty prefix ('/tier') is not a DNS subdomain.
  return (prefix === undefined || isDnsSubdomain(prefix)) && name.length <= 63 && LABEL_NAME.test(name);
}

function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && LABEL_NAME.test(value));
}

/** The selector as the binding carries it, after checking every key, value and operator. */
export function checkNamespaceSelector(input: unknown, where: IConstruct): NamespaceLabelSelector {
  const field = 'namespaceSelector';
  const example = "Pass { matchLabels: { environment: 'production' } }.";
  const selector = optionalObject<NamespaceLabelSelector>(field, input, example);
  if (selector === undefined) fail(field, input, 'is missing', example, where);
  const labels = optionalObject<Record<string, unknown>>(`${field}.matchLabels`, selector.matchLabels, example);
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (!isLabelKey(key)) {
      fail(`${field}.matchLabels`, key, 'has a key that is not a label key',
        "Write a key such as 'environment' or 'example.com/tier' (an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.').", where);
    }
    if (typeof value !== 'string' || !isLabelValue(value)) {
      fail(`${field}.matchLabels.${key}`, value, 'is not a label value',
        "Write a string of at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, such as 'production'.", where);
    }
  }
  const expressions = optionalArray(`${field}.matchExpressions`, selector.matchExpressions,
    "Pass a list such as [{ key: 'environment', operator: 'In', values: ['production'] }].", (f, v) => requirement(f, v, where)) ?? [];
  if (Object.keys(labels ?? {}).length === 0 && expressions.length === 0) {
    fail(field, input, 'selects every namespace (it has neither matchLabels nor matchExpressions), kube-system included',
      "Select the namespaces to guard, such as { matchLabels: { environment: 'production' } }. To guard every namespace on purpose, "
      + "write { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'Exists' }] }.", where);
  }
  return {
    ...(labels === undefined || Object.keys(labels).length === 0 ? {} : { matchLabels: { ...labels } as Record<string, string> }),
    ...(expressions.length === 0 ? {} : { matchExpressions: expressions }),
  };
}

function requirement(field: string, input: unknown, where: IConstruct): NamespaceLabelRequirement {
  const r = optionalObject<NamespaceLabelRequirement>(field, input, "Pass { key: 'environment', operator: 'In', values: ['production'] }.");
  const key = optionalString(`${field}.key`, r?.key, "Pass a label key such as 'environment'.");
  if (key === undefined || !isLabelKey(key)) {
    fail(`${field}.key`, key, 'is not a label key', "Write a key such as 'environment' or 'example.com/tier'.", where);
  }
  const operator = optionalString(`${field}.operator`, r!.operator, `Use one of ${OPERATORS.join(', ')}.`);
  // Stryker disable next-line ConditionalExpression: OPERATORS.includes(undefined) is false too, so a missing operator is refused alike; the check narrows the type
  if (operator === undefined || !OPERATORS.includes(operator)) {
    fail(`${field}.operator`, operator, 'is not a label selector operator', `Use one of ${OPERATORS.join(', ')} (spelled as in Kubernetes).`, where);
  }
  const values = optionalArray(`${field}.values`, r!.values, "Pass a list such as ['production'].", (f, v) => {
    const s = optionalString(f, v, "Pass a label value such as 'production'.");
    if (s === undefined || !isLabelValue(s)) fail(f, s, 'is not a label value', "Write a label value such as 'production'.", where);
    return s;
  });
  const needsValues = operator === 'In' || operator === 'NotIn';
  if (needsValues && (values === undefined || values.length === 0)) {
    fail(`${field}.values`, values, `is empty, and ${operator} needs at least one value`, "Pass the values, such as ['production'].", where);
  }
  if (!needsValues && values !== undefined && values.length > 0) {
    fail(`${field}.values`, values, `is set, and ${operator} takes no values`, 'Remove the values.', where);
  }
  return { key, operator, ...(needsValues ? { values: [...values!] } : {}) };
}

/** A CEL string literal. */
function cel(text: string): string {
  // Stryker disable next-line StringLiteral,Regex: no text given to cel() has a backslash (fixed messages, Linux capability names); it keeps cel() right for any text
  const escaped = text.replace(/\\/g, '\\\\');
  return `'${escaped.replace(/'/g, "\\'")}'`;
}

const SC = 'c.securityContext';
const IS_PRIVILEGED = `has(${SC}) && has(${SC}.privileged) && ${SC}.privileged`;
const EXTRA_CAPABILITIES = `${SC}.capabilities.add.filter(a, !(a in variables.allowedCapabilities))`;
const ADDS_EXTRA = `has(${SC}) && has(${SC}.capabilities) && has(${SC}.capabilities.add)`
  + ` && ${SC}.capabilities.add.exists(a, !(a in variables.allowedCapabilities))`;

/**
 * The containers to judge, mapped to a string each: on CREATE of a Pod its
 * containers and init containers; on any operation the ephemeral
 * containers that are new (the ephemeralcontainers subresource's UPDATE
 * carries the whole list, earlier ones included).
 */
function judged(filter: string, map: string): string {
  const of = (list: string) => `${list}.filter(c, ${filter}).map(c, ${map})`;
  return `(variables.podCreate ? ${of('object.spec.containers')} + (has(object.spec.initContainers) ? ${of('object.spec.initContainers')} : []) : [])`
    + ` + ${of('variables.newEphemeralContainers')}`;
}

const WAY_OUT_ELSEWHERE = 'or debug in a namespace this guard does not select';

/** The spec of the ValidatingAdmissionPolicy. */
export function guardPolicySpec(allowedCapabilities: string[], allowEphemeralContainers: boolean): any {
  const label = DebugSidecar.POD_LABEL;
  const allowedText = allowedCapabilities.length === 0 ? 'none' : allowedCapabilities.join(', ');
  const labelled = (o: string) => `has(${o}.metadata.labels) && ${cel(label)} in ${o}.metadata.labels`;
  const rule = (name: string) => `Refused by DebugGuard rule "${name}": `;

  const labelMessage = `${rule(GUARD_RULES.debugLabel)}the Pod carries the label ${label}, and debug Pods, and ephemeral containers `
    + 'added to them, are not admitted in this namespace. Way out: synthesize the manifests for this namespace with debug off '
    + `(CDK8S_DEBUG=false or DebugToggle), ${WAY_OUT_ELSEWHERE}.`;
  const privilegedText = 'runs privileged, which is not admitted in this namespace. Way out: debug with only the capabilities the tools need '
    + `(not DebugProfile.SYSADMIN, not kubectl debug --profile=sysadmin), ${WAY_OUT_ELSEWHERE}.`;
  const capabilitiesText = `beyond what this namespace allows to add (${allowedText}). Way out: choose tools that need no other capability `
    + `(kubectl debug --profile=baseline), have the cluster's administrator add it to the guard's allowedCapabilities, ${WAY_OUT_ELSEWHERE}.`;
  const ephemeralText = 'is refused: no ephemeral container (kubectl debug) is admitted in this namespace. Way out: '
    + `debug a copy of the Pod in another namespace, ${WAY_OUT_ELSEWHERE}.`;

  const validations: any[] = [
    { expression: '!variables.debugPod', message: labelMessage, reason: 'Forbidden' },
    {
      expression: 'size(variables.privilegedContainers) == 0',
      message: `${rule(GUARD_RULES.privileged)}a container ${privilegedText}`,
      messageExpression: `${cel(`${rule(GUARD_RULES.privileged)}container `)} + variables.privilegedContainers.join(', ') + ${cel(` ${privilegedText}`)}`,
      reason: 'Forbidden',
    },
    {
      expression: 'size(variables.extraCapabilities) == 0',
      message: `${rule(GUARD_RULES.capabilities)}a container adds capabilities ${capabilitiesText}`,
      messageExpression: `${cel(`${rule(GUARD_RULES.capabilities)}container `)} + variables.extraCapabilities.join('; ') + ${cel(`, ${capabilitiesText}`)}`,
      reason: 'Forbidden',
    },
  ];
  if (!allowEphemeralContainers) {
    validations.push({
      expression: 'size(variables.newEphemeralContainers) == 0',
      message: `${rule(GUARD_RULES.ephemeralContainers)}an ephemeral container ${ephemeralText}`,
      messageExpression: `${cel(`${rule(GUARD_RULES.ephemeralContainers)}ephemeral container `)}`
        + ` + variables.newEphemeralContainers.map(c, c.name).join(', ') + ${cel(` ${ephemeralText}`)}`,
      reason: 'Forbidden',
    });
  }

  return {
    failurePolicy: 'Fail',
    matchConstraints: {
      resourceRules: [{
        apiGroups: [''],
        apiVersions: ['v1'],
        operations: ['CREATE', 'UPDATE'],
        resources: ['pods', 'pods/ephemeralcontainers'],
      }],
    },
    variables: [
      { name: 'allowedCapabilities', expression: `[${allowedCapabilities.map(cel).join(', ')}]` },
      // request.subResource is absent, not empty, on the Pod itself.
      { name: 'subResource', expression: "has(request.subResource) ? request.subResource : ''" },
      { name: 'podCreate', expression: "request.operation == 'CREATE' && variables.subResource == ''" },
      // Labelled now; on an UPDATE of the Pod itself, only when the label is new (a Pod labelled before the guard can still be updated).
      {
        name: 'debugPod',
        expression: `${labelled('object')} && (request.operation == 'CREATE' || variables.subResource == 'ephemeralcontainers' || !(${labelled('oldObject')}))`,
      },
      {
        name: 'newEphemeralContainers',
        expression: 'has(object.spec.ephemeralContainers) ? object.spec.ephemeralContainers.filter(c, oldObject == null '
          + '|| !has(oldObject.spec.ephemeralContainers) || !oldObject.spec.ephemeralContainers.exists(o, o.name == c.name)) : []',
      },
      { name: 'privilegedContainers', expression: judged(IS_PRIVILEGED, 'c.name') },
      { name: 'extraCapabilities', expression: judged(ADDS_EXTRA, `c.name + ' adds ' + ${EXTRA_CAPABILITIES}.join(', ')`) },
    ],
    validations,
  };
}
