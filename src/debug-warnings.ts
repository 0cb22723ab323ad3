import { IConstruct } from 'constructs';
import { environmentVariable } from './environment';
import { fail } from './errors';

/** Warnings recorded per app (construct tree root), in order. */
const RECORDED = new WeakMap<IConstruct, Array<{ path: string; message: string }>>();

/**
 * The one channel for the library's warnings: problems that are not errors,
 * such as a mutable debug image tag outside production, or network
 * capabilities on a `hostNetwork` Pod.
 *
 * Every warning is recorded on the app, where `DebugWarnings.of` reads it
 * (for your tests and tooling), and printed to stderr as
 * `[cdk8s-debuggable] warning: <construct path>: <message>`, unless printing
 * is switched off with `DebugWarnings.silence(scope)`, the context key
 * `cdk8s-debuggable/warnings` set to `silent`, or the environment variable
 * `CDK8S_DEBUGGABLE_WARNINGS=silent`. Silenced warnings are still recorded.
 */
export class DebugWarnings {
  /** Context key that silences the printing of warnings for a subtree (`silent`). */
  public static readonly CONTEXT_KEY = 'cdk8s-debuggable/warnings';
  /** Environment variable that silences the printing of warnings (`silent`). */
  public static readonly ENV_VAR = 'CDK8S_DEBUGGABLE_WARNINGS';

  /**
   * The warnings recorded for constructs under `scope` (or at it), each as
   * `<construct path>: <message>`, in the order they were raised.
   */
  public static of(scope: IConstruct): string[] {
    if (typeof scope?.node?.path !== 'string') fail('scope', scope, 'is not a construct', 'Pass the app, a chart or any construct.');
    const prefix = scope.node.path;
    return (RECORDED.get(scope.node.root) ?? [])
      .filter(w => prefix === '' || w.path === prefix || w.path.startsWith(`${prefix}/`))
      .map(w => `${w.path}: ${w.message}`);
  }

  /**
   * Stop printing warnings raised under `scope` (they are still recorded).
   * Call it before the scope has children.
   */
  public static silence(scope: IConstruct): void {
    scope.node.setContext(DebugWarnings.CONTEXT_KEY, 'silent');
  }

  /**
   * Records a warning for `scope`, and prints it unless silenced. The same
   * warning for the same construct is recorded once (synth may serialize an
   * object more than once).
   * @internal
   */
  public static _warn(scope: IConstruct, message: string): void {
    const root = scope.node.root;
    let list = RECORDED.get(root);
    if (list === undefined) {
      list = [];
      RECORDED.set(root, list);
    }
    if (list.some(w => w.path === scope.node.path && w.message === message)) return;
    list.push({ path: scope.node.path, message });
    const silent = String(scope.node.tryGetContext(DebugWarnings.CONTEXT_KEY) ?? environmentVariable(scope, DebugWarnings.ENV_VAR) ?? '').toLowerCase() === 'silent';
    if (!silent) process.stderr.write(`[cdk8s-debuggable] warning: ${scope.node.path}: ${message}\n`);
  }

  private constructor() {}
}
