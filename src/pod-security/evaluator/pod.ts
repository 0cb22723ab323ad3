// The pod the checks read: plain Kubernetes JSON, with the containers in the
// order k8s.io/pod-security-admission visits them (policy/visitor.go), and
// the small readers every check shares. null counts as unset, as when the
// API server decodes it into a pointer.

import { PodSecurityLevel } from './level';
import { PodSecurityViolation } from './violation';

/** The value of a violation whose field is not set. */
export const UNSET = '(unset)';

/** A container with where it is in the pod spec. */
export interface VisitedContainer {
  readonly c: any;
  readonly name: string;
  /** e.g. `spec.initContainers[setup]` */
  readonly path: string;
}

/** What a check reads. */
export interface Pod {
  readonly spec: any;
  readonly metadata: any;
  readonly containers: VisitedContainer[];
  /** `spec.os.name: windows`: from v1.25 the restricted checks that Windows cannot satisfy pass it. */
  readonly windows: boolean;
  /** `spec.hostUsers: false` (a user namespace): from v1.35 runAsNonRoot, runAsUser and baseline procMount pass it. */
  readonly userNamespace: boolean;
}

export type CheckFn = (pod: Pod) => PodSecurityViolation[];

export function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

export function obj(v: any): any {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

export function list(v: any): any[] {
  return Array.isArray(v) ? v : [];
}

/** A string field as Go reads it: unset is "". */
export function str(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

export function show(v: unknown): string {
  if (v === undefined || v === null) return UNSET;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Init, regular, then ephemeral containers, as visitContainers (policy/visitor.go) walks them. */
function visit(spec: any): VisitedContainer[] {
  const out: VisitedContainer[] = [];
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of list(spec[key])) {
      const container = obj(c) ?? {};
      const name = str(container.name);
      out.push({ c: container, name, path: `spec.${key}[${name}]` });
    }
  }
  return out;
}

/** The pod the checks read, from a pod spec and its (template) metadata. Undefined when the spec is not an object. */
export function podOf(podSpec: any, podMetadata: any): Pod | undefined {
  const spec = obj(podSpec);
  if (!spec) return undefined;
  return {
    spec,
    metadata: obj(podMetadata) ?? {},
    containers: visit(spec),
    windows: obj(spec.os)?.name === 'windows',
    userNamespace: spec.hostUsers === false,
  };
}

/** A container's security context, when it is an object. */
export function sc(container: VisitedContainer): any {
  return obj(container.c.securityContext);
}

/** The pod's security context, when it is an object. */
export function podSc(pod: Pod): any {
  return obj(pod.spec.securityContext);
}

/** One violation in the Pod outside its containers (spec, security context, volumes, annotations). */
export function violation(level: PodSecurityLevel, check: string, field: string, value: string, message: string): PodSecurityViolation {
  return { level, check, field, value, message };
}

/** One violation in container `k`, at `containerField` relative to it (`securityContext.privileged`). */
export function containerViolation(
  level: PodSecurityLevel, check: string, k: VisitedContainer, containerField: string, value: string, message: string,
): PodSecurityViolation {
  return { level, check, container: k.name, containerField, field: `${k.path}.${containerField}`, value, message };
}

/** Violations for a profile (seccomp, AppArmor) whose type must be one of `allowed`, at pod level and on each container. */
export function profileTypes(
  pod: Pod, level: PodSecurityLevel, check: string, key: string, what: string, allowed: string[],
): PodSecurityViolation[] {
  const out: PodSecurityViolation[] = [];
  const bad = (profile: any) => profile !== undefined && !allowed.includes(profile.type);
  const allowedText = () => `only ${allowed.join(' and ')} are allowed`;
  const podProfile = obj(podSc(pod)?.[key]);
  if (bad(podProfile)) {
    out.push(violation(level, check, `spec.securityContext.${key}.type`, show(podProfile.type),
      `The Pod sets ${what} profile type ${show(podProfile.type)}; ${allowedText()}.`));
  }
  for (const k of pod.containers) {
    const profile = obj(sc(k)?.[key]);
    if (bad(profile)) {
      out.push(containerViolation(level, check, k, `securityContext.${key}.type`, show(profile.type),
        `Container '${k.name}' sets ${what} profile type ${show(profile.type)}; ${allowedText()}.`));
    }
  }
  return out;
}
