// Kubernetes name grammars (k8s.io/apimachinery validation), written once.

/** An RFC 1123 label: container, volume and Service names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** An RFC 1123 subdomain: Pod, Secret, Namespace-scoped object names. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The longest DNS label Kubernetes accepts. */
export const DNS_LABEL_MAX = 63;

/** Whether `name` is a DNS label of at most `max` characters (a container or volume name). */
export function isDnsLabel(name: string, max: number = DNS_LABEL_MAX): boolean {
  return name.length <= max && DNS_LABEL.test(name);
}

/** Whether `name` is a DNS subdomain (a Pod or Secret name): labels joined by dots, at most 253 characters. */
export function isDnsSubdomain(name: string): boolean {
  return name.length <= 253 && DNS_SUBDOMAIN.test(name);
}
