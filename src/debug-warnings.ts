import { IConstruct } from 'constructs';
import { environmentVariable } from './environment';
import { fail } from './errors';

/** The construct metadata type a warning is recorded under. */
const METADATA_TYPE = 'cdk8s-debuggable/warning';

/**
 * The one channel for the library's warnings: problems that are not errors,
 * such as a mutable debug image tag outside production, or network
 * capabilities on a `hostNetwork` Pod.
 *
 * Every warning is recorded on the construct it is about (as construct
 * metadata of type `cdk8s-debuggable/warning`), where `DebugWarnings.of` reads it
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
   * The warnings recorded so far for `scope` and the constructs under it,
   * each as `<construct path>: <message>`, in tree order (a construct's own
   * in the order they were raised). Warnings about the final Pod, such as
   * `hostNetwork`, are raised at synth: read them after `app.synth()`.
   */
  public static of(scope: IConstruct): string[] {
    if (typeof scope?.node?.findAll !== 'function') fail('scope', scope, 'is not a construct', 'Pass the app, a chart or any construct.');
    return scope.node.findAll().flatMap(c => c.node.metadata
      .filter(m => m.type === METADATA_TYPE)
      .map(m => `${c.node.path}: ${m.data}`));
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
    if (scope.node.metadata.some(m => m.type === METADATA_TYPE && m.data === message)) return;
    scope.node.addMetadata(METADATA_TYPE, message);
    const silent = String(scope.node.tryGetContext(DebugWarnings.CONTEXT_KEY) ?? environmentVariable(scope, DebugWarnings.ENV_VAR) ?? '').toLowerCase() === 'silent';
    if (!silent) process.stderr.write(`[cdk8s-debuggable] warning: ${scope.node.path}: ${message}\n`);
  }

  private constructor() {}
}
