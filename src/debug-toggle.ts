import { IConstruct } from 'constructs';
import { setContextBeforeChildren } from './context';
import { environmentVariable } from './environment';
import { fail } from './errors';
import { NOW_CONTEXT_KEY, NOW_ENV_VAR } from './expiry';
import { optionalBoolean } from './input';

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off', ''];
const PRODUCTION_WORDS = ['production', 'prod'];

/**
 * Where the decision to enable or disable a debug sidecar came from.
 */
export enum DebugToggleSource {
  /** `DebugOptions.enabled`. */
  PROP = 'prop',
  /** The construct context `cdk8s-debuggable/enabled` (`DebugToggle.setEnabled`). */
  CONTEXT = 'context',
  /** The environment variable `CDK8S_DEBUG`. */
  ENVIRONMENT_VARIABLE = 'env',
  /** Nothing said: off. */
  DEFAULT = 'default',
  /** Switched on, but `DebugOptions.until` has passed: off, with a warning. */
  EXPIRED = 'expired',
}

function parseBoolean(source: string, raw: unknown): boolean | undefined {
  if (raw === undefined || raw === null) return undefined;
  // A boolean reads as its own word ('true', 'false').
  const word = String(raw).trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  return fail(source, raw, 'is not a boolean', `Use one of ${[...TRUE_WORDS, ...FALSE_WORDS.filter(w => w)].join(', ')}.`);
}

function isProduction(name: unknown): boolean {
  return typeof name === 'string' && PRODUCTION_WORDS.includes(name.trim().toLowerCase());
}

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
 * variable `CDK8S_ENVIRONMENT` is `production` or `prod` (either one is
 * enough: the stricter declaration wins), an enabled sidecar is an error
 * unless `DebugOptions.allowInProduction` is true.
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
  /** Context key that sets the time `DebugOptions.until` is compared with (ISO 8601; for tests and reproducible builds). */
  public static readonly NOW_CONTEXT_KEY = NOW_CONTEXT_KEY;
  /** Environment variable that sets the time `DebugOptions.until` is compared with (ISO 8601), when the context does not. */
  public static readonly NOW_ENV_VAR = NOW_ENV_VAR;

  /**
   * Switch debug on or off for everything under `scope`. Call it before the
   * scope has children (constructs only accept context then).
   */
  public static setEnabled(scope: IConstruct, enabled: boolean): void {
    const value = optionalBoolean('enabled', enabled);
    if (value === undefined) fail('enabled', enabled, 'is not a boolean', 'Write true or false.');
    setContextBeforeChildren(scope, DebugToggle.ENABLED_CONTEXT_KEY, value, 'DebugToggle.setEnabled');
  }

  /**
   * Declare the environment of everything under `scope`, for example
   * `production`. Call it before the scope has children.
   */
  public static setEnvironment(scope: IConstruct, environment: string): void {
    if (typeof environment !== 'string' || environment.trim() === '') {
      fail('environment', environment, 'is not an environment name', "Pass a name such as 'dev', 'staging' or 'production'.");
    }
    setContextBeforeChildren(scope, DebugToggle.ENVIRONMENT_CONTEXT_KEY, environment, 'DebugToggle.setEnvironment');
  }

  /**
   * Decides whether the sidecar at `scope` is on, and applies the production
   * guard. The prop is checked at run time: `'false'` (a string from
   * JavaScript or Python) is an error, never truthy.
   * @internal
   */
  public static _decide(scope: IConstruct, enabledProp: unknown, allowInProduction: unknown): {
    readonly enabled: boolean; readonly source: DebugToggleSource; readonly production: boolean;
  } {
    const prop = optionalBoolean('debug.enabled', enabledProp);
    const allow = optionalBoolean('debug.allowInProduction', allowInProduction) ?? false;
    let enabled = false;
    let source = DebugToggleSource.DEFAULT;
    if (prop !== undefined) {
      [enabled, source] = [prop, DebugToggleSource.PROP];
    } else {
      const fromContext = parseBoolean(`context ${DebugToggle.ENABLED_CONTEXT_KEY}`, scope.node.tryGetContext(DebugToggle.ENABLED_CONTEXT_KEY));
      const fromEnv = fromContext !== undefined ? undefined
        : parseBoolean(`environment variable ${DebugToggle.ENABLED_ENV_VAR}`, environmentVariable(scope, DebugToggle.ENABLED_ENV_VAR));
      if (fromContext !== undefined) [enabled, source] = [fromContext, DebugToggleSource.CONTEXT];
      else if (fromEnv !== undefined) [enabled, source] = [fromEnv, DebugToggleSource.ENVIRONMENT_VARIABLE];
    }

    // Either declaration of production arms the guard: a context of 'dev' must not hide CDK8S_ENVIRONMENT=production.
    const byContext = scope.node.tryGetContext(DebugToggle.ENVIRONMENT_CONTEXT_KEY);
    const byEnv = environmentVariable(scope, DebugToggle.ENVIRONMENT_ENV_VAR);
    const production = isProduction(byContext) || isProduction(byEnv);
    if (enabled && production && !allow) {
      const declared = isProduction(byContext) ? `context ${DebugToggle.ENVIRONMENT_CONTEXT_KEY} = '${byContext}'`
        : `environment variable ${DebugToggle.ENVIRONMENT_ENV_VAR} = '${byEnv}'`;
      const by = source === DebugToggleSource.PROP ? "the 'enabled' prop"
        : source === DebugToggleSource.CONTEXT ? `context ${DebugToggle.ENABLED_CONTEXT_KEY}` : DebugToggle.ENABLED_ENV_VAR;
      fail('debug.enabled', true, `turns the debug sidecar on where the environment is production (${declared}; enabled by ${by})`,
        "Set 'debug.allowInProduction: true' to do it deliberately, or switch debug off for this environment.", scope);
    }
    return { enabled, source, production };
  }

  private constructor() {}
}
