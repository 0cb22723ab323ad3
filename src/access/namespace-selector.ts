/**
 * A Kubernetes label selector for namespaces, written as in YAML:
 * `{ matchLabels: { environment: 'production' } }`. A namespace matches when
 * it has every label of `matchLabels` and meets every requirement of
 * `matchExpressions`.
 */
export interface NamespaceLabelSelector {
  /**
   * Labels a namespace must have, with these values.
   *
   * @default - no label is required; `matchExpressions` must then select
   */
  readonly matchLabels?: { [key: string]: string };

  /**
   * Requirements on a namespace's labels, such as
   * `{ key: 'environment', operator: 'In', values: ['production', 'staging'] }`.
   *
   * @default - no requirement; `matchLabels` must then select
   */
  readonly matchExpressions?: NamespaceLabelRequirement[];
}

/**
 * One requirement of a `NamespaceLabelSelector`, as Kubernetes writes it.
 */
export interface NamespaceLabelRequirement {
  /** The label key, such as `environment` or `example.com/tier`. */
  readonly key: string;

  /**
   * How the label is compared: `In`, `NotIn`, `Exists` or `DoesNotExist`
   * (spelled as in Kubernetes).
   */
  readonly operator: string;

  /**
   * The values, for `In` and `NotIn` (at least one). `Exists` and
   * `DoesNotExist` take none.
   *
   * @default - none
   */
  readonly values?: string[];
}
