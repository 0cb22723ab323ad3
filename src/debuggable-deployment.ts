import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DebugOptions } from './sidecar/debug-options';
import { DebugSidecar } from './sidecar/debug-sidecar';

/**
 * Props for `DebuggableDeployment`.
 */
export interface DebuggableDeploymentProps extends kplus.DeploymentProps {
  /**
   * The debug sidecar. Whether it is added is decided by `debug.enabled`,
   * then the construct context, then `CDK8S_DEBUG` (see `DebugToggle`).
   *
   * @default - options all at their defaults: no sidecar unless the context
   * or CDK8S_DEBUG enables it
   */
  readonly debug?: DebugOptions;
}

/**
 * A cdk8s-plus Deployment that can carry a debug sidecar in its Pod, sharing
 * the Pod's network namespace, with privileges derived from its tools.
 *
 * With debug off it synthesizes byte-identical YAML to a `kplus.Deployment`
 * with the same props.
 */
export class DebuggableDeployment extends kplus.Deployment {
  /** The debug sidecar: what was decided, whether or not it is enabled. */
  public readonly debug: DebugSidecar;

  constructor(scope: Construct, id: string, props: DebuggableDeploymentProps = {}) {
    super(scope, id, props);
    this.debug = DebugSidecar.attach(this, props.debug ?? {});
  }
}
