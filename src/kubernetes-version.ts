import { IConstruct } from 'constructs';
import { setContextBeforeChildren } from './context';
import { environmentVariable } from './environment';
import { fail } from './errors';
import { NEWEST_KNOWN_MINOR, OLDEST_KNOWN_MINOR } from './pod-security/evaluator/policy-version';

/** Versions already parsed, by the text they were given as (read once per workload, from context or the environment). */
const PARSED = new Map<string, KubernetesVersion>();

/**
 * A Kubernetes version (1.23 to 1.37), for the cluster the manifests are for.
 *
 * Set it once for an app or a subtree with `KubernetesVersion.set`, the
 * construct context `cdk8s-debuggable/kubernetes-version`, or the
 * environment variable `CDK8S_KUBERNETES_VERSION` (`1.35`). It decides:
 * - the Pod Security policy version used when a namespace does not say
 *   (`pod-security.kubernetes.io/enforce-version`);
 * - how a debug sidecar joins a Job or CronJob: `SidecarForm.NATIVE_SIDECAR`
 *   from 1.29 on, `SidecarForm.EXIT_WITH_APP` below;
 * - which fields may be emitted: `NATIVE_SIDECAR` below 1.29 is an error.
 *
 * When it is not set, Pod Security is evaluated at `latest` and Jobs get
 * `EXIT_WITH_APP`, which works on every version.
 */
export class KubernetesVersion {
  /** Context key that declares the cluster's Kubernetes version for a subtree (`1.35`). */
  public static readonly CONTEXT_KEY = 'cdk8s-debuggable/kubernetes-version';
  /** Environment variable that declares the cluster's Kubernetes version at synth (`1.35`). */
  public static readonly ENV_VAR = 'CDK8S_KUBERNETES_VERSION';

  /** Kubernetes 1.23, the oldest version the library knows. */
  public static readonly V1_23 = new KubernetesVersion(23);
  /** Kubernetes 1.24. */
  public static readonly V1_24 = new KubernetesVersion(24);
  /** Kubernetes 1.25: Pod Security admission and ephemeral containers stable. */
  public static readonly V1_25 = new KubernetesVersion(25);
  /** Kubernetes 1.26. */
  public static readonly V1_26 = new KubernetesVersion(26);
  /** Kubernetes 1.27. */
  public static readonly V1_27 = new KubernetesVersion(27);
  /** Kubernetes 1.28. */
  public static readonly V1_28 = new KubernetesVersion(28);
  /** Kubernetes 1.29: native sidecars (beta, on by default). */
  public static readonly V1_29 = new KubernetesVersion(29);
  /** Kubernetes 1.30. */
  public static readonly V1_30 = new KubernetesVersion(30);
  /** Kubernetes 1.31. */
  public static readonly V1_31 = new KubernetesVersion(31);
  /** Kubernetes 1.32. */
  public static readonly V1_32 = new KubernetesVersion(32);
  /** Kubernetes 1.33: native sidecars stable. */
  public static readonly V1_33 = new KubernetesVersion(33);
  /** Kubernetes 1.34. */
  public static readonly V1_34 = new KubernetesVersion(34);
  /** Kubernetes 1.35. */
  public static readonly V1_35 = new KubernetesVersion(35);
  /** Kubernetes 1.36. */
  public static readonly V1_36 = new KubernetesVersion(36);
  /** Kubernetes 1.37, the newest version the library knows. */
  public static readonly V1_37 = new KubernetesVersion(37);

  /**
   * A version by name: `1.35`, `v1.35` or a patch release such as `1.35.2`.
   * Versions from 1.23 to 1.37 are known; anything else is an error.
   *
   * @param version the version
   * @param field what the version was read from, for the error message
   */
  public static of(version: string, field: string = 'version'): KubernetesVersion {
    const known = PARSED.get(version);
    if (known !== undefined) return known;
    const match = typeof version === 'string' ? /^v?1\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?$/.exec(version.trim()) : null;
    if (match === null) {
      fail(field, version, 'is not a Kubernetes version', "Write it as '1.35' (major.minor, optionally with a patch release).");
    }
    const minor = Number(match[1]);
    if (minor < OLDEST_KNOWN_MINOR || minor > NEWEST_KNOWN_MINOR) {
      fail(field, version, `is not a Kubernetes version this library knows (1.${OLDEST_KNOWN_MINOR} to 1.${NEWEST_KNOWN_MINOR})`,
        // Stryker disable next-line EqualityOperator: the newest minor itself is known, so it never reaches this message
        minor > NEWEST_KNOWN_MINOR ? `Use '1.${NEWEST_KNOWN_MINOR}' until a release of cdk8s-debuggable knows 1.${minor}.`
          : `Kubernetes 1.${minor} is out of support; use '1.${OLDEST_KNOWN_MINOR}' or later.`);
    }
    const parsed = new KubernetesVersion(minor);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the memo's bound only caps its memory; a miss parses again to the same version
    if (PARSED.size < 1000) PARSED.set(version, parsed);
    return parsed;
  }

  /**
   * Declares the Kubernetes version of the cluster everything under `scope`
   * is for. Call it before the scope has children (constructs only accept
   * context then).
   */
  public static set(scope: IConstruct, version: KubernetesVersion): void {
    if (!(version instanceof KubernetesVersion)) {
      fail('version', version, 'is not a KubernetesVersion', "Pass KubernetesVersion.V1_35 or KubernetesVersion.of('1.35').");
    }
    setContextBeforeChildren(scope, KubernetesVersion.CONTEXT_KEY, version.name, 'KubernetesVersion.set');
  }

  /**
   * The version declared where `scope` is (context, then environment
   * variable), and where it was read from; undefined when none is declared.
   * @internal
   */
  public static _declaredAt(scope: IConstruct): { readonly version: KubernetesVersion; readonly source: string } | undefined {
    const fromContext = scope.node.tryGetContext(KubernetesVersion.CONTEXT_KEY);
    if (fromContext !== undefined) {
      const source = `context ${KubernetesVersion.CONTEXT_KEY}`;
      return { version: KubernetesVersion.of(String(fromContext), source), source };
    }
    const fromEnv = environmentVariable(scope, KubernetesVersion.ENV_VAR);
    if (fromEnv !== undefined && fromEnv.trim() !== '') {
      const source = `environment variable ${KubernetesVersion.ENV_VAR}`;
      return { version: KubernetesVersion.of(fromEnv, source), source };
    }
    return undefined;
  }

  /** The minor version (35 for 1.35). */
  public readonly minor: number;
  /** The version as Kubernetes writes it in docs: `1.35`. */
  public readonly name: string;

  private constructor(minor: number) {
    this.minor = minor;
    this.name = `1.${minor}`;
  }

  /** Whether this version is `other` or newer. */
  public isAtLeast(other: KubernetesVersion): boolean {
    return this.minor >= other.minor;
  }

  /** The version as Kubernetes writes it in docs: `1.35`. */
  public toString(): string {
    return this.name;
  }
}
