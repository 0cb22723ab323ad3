/**
 * Which workloads `DebugSidecar.attachAll` picks. A workload must pass every
 * filter that is set.
 */
export interface WorkloadFilter {
  /**
   * Only workloads of these kinds (`Deployment`, `CronJob`, ...), spelled as
   * in the manifest.
   *
   * @default - every kind that carries a pod template
   */
  readonly kinds?: string[];

  /**
   * Only workloads with one of these names: `metadata.name`, or the id or
   * path of the workload's construct (the cdk8s-plus workload or the
   * ApiObject). The command line's `<workload>` takes the same names.
   *
   * @default - any name
   */
  readonly names?: string[];

  /**
   * Only workloads whose `metadata.labels` include all of these.
   *
   * @default - any labels
   */
  readonly labels?: { [key: string]: string };
}
