/**
 * How the debug sidecar is added to the Pod.
 */
export enum SidecarForm {
  /**
   * A regular container next to the application's, kept alive until the Pod
   * stops. Right for Deployments, StatefulSets, DaemonSets and Pods that
   * restart always. Works on every Kubernetes version.
   */
  CONTAINER = 'container',

  /**
   * A regular container whose keep-alive exits once the application's
   * processes have exited, so a Job or CronJob still completes. It watches
   * the application through the shared process namespace, so it sets
   * `shareProcessNamespace: true`. Works on every Kubernetes version.
   */
  EXIT_WITH_APP = 'exit-with-app',

  /**
   * A Kubernetes native sidecar: an init container with
   * `restartPolicy: Always`, which the kubelet stops when the application's
   * containers have finished. Needs Kubernetes 1.29 or later (beta, on by
   * default; stable in 1.33); older API servers drop the field and the Pod
   * never starts its application.
   */
  NATIVE_SIDECAR = 'native-sidecar',
}
