import { IConstruct } from 'constructs';

/**
 * The names that switch the debug sidecar per environment, and helpers to
 * set them on a subtree.
 *
 * Whether a sidecar is enabled is decided in this order:
 * 1. `DebugOptions.enabled`, when set;
 * 2. the construct context `cdk8s-debuggable/enabled` (inherited by the
 *    whole subtree, so one chart can be switched);
 * 3. the environment variable `CDK8S_DEBUG`, read at synth
 *    (`CDK8S_DEBUG=true cdk8s synth`; the cdk8s CLI has no `--context`);
 * 4. otherwise off.
 *
 * Production guard: where the context `cdk8s-debuggable/environment` or the
 * variable `CDK8S_ENVIRONMENT` is `production` or `prod`, an enabled sidecar
 * is an error unless `DebugOptions.allowInProduction` is true.
 */
export class DebugToggle {
  /** Context key that enables or disables debug for a subtree (`true`/`false`). */
  public static readonly ENABLED_CONTEXT_KEY = 'cdk8s-debuggable/enabled';
  /** Environment variable that enables or disables debug at synth (`true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`). */
  public static readonly ENABLED_ENV_VAR = 'CDK8S_DEBUG';
  /** Context key that names the environment of a subtree (`production` and `prod` arm the guard). */
  public static readonly ENVIRONMENT_CONTEXT_KEY = 'cdk8s-debuggable/environment';
  /** Environment variable that names the environment at synth. */
  public static readonly ENVIRONMENT_ENV_VAR = 'CDK8S_ENVIRONMENT';

  /**
   * Switch debug on or off for everything under `scope`. Call it before the
   * scope has children (constructs only accept context then).
   */
  public static setEnabled(scope: IConstruct, enabled: boolean): void {
    scope.node.setContext(DebugToggle.ENABLED_CONTEXT_KEY, enabled);
  }

  /**
   * Declare the environment of everything under `scope`, for example
   * `production`. Call it before the scope has children.
   */
  public static setEnvironment(scope: IConstruct, environment: string): void {
    scope.node.setContext(DebugToggle.ENVIRONMENT_CONTEXT_KEY, environment);
  }

  private constructor() {}
}
