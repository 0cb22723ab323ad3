// The keys of each options object of the public API, for refusing the ones
// the library does not know: plain JavaScript, and every language that
// passes a map, would otherwise drop a misspelt or renamed key without a word.
// Plain lists, so that this file imports nothing (every reader imports it);
// test/option-keys.test.ts checks each list equals the keys of its interface
// in the TypeScript declarations, neither more nor fewer.

type Keys = readonly string[];

export const DEBUG_OPTION_KEYS: Keys = [
  'enabled', 'allowInProduction', 'image', 'imagePullPolicy', 'command', 'tools', 'profile', 'securityContext', 'resources',
  'name', 'shareProcessNamespace', 'scratchSizeLimit', 'form', 'until', 'reason', 'owner', 'openShiftScc', 'imagePullSecrets',
  'requireDigestInProduction', 'appContainer', 'appVolumes', 'runAsAppUser',
];
export const APP_VOLUMES_KEYS: Keys = ['names', 'readOnly'];
export const WORKLOAD_FILTER_KEYS: Keys = ['kinds', 'names', 'labels'];
export const SECURITY_CONTEXT_KEYS: Keys = [
  'user', 'group', 'ensureNonRoot', 'capabilities', 'privileged', 'allowPrivilegeEscalation', 'readOnlyRootFilesystem',
];
export const EPHEMERAL_KEYS: Keys = ['targetContainer', 'name', 'ttl'];
export const KUBECTL_DEBUG_KEYS: Keys = [...EPHEMERAL_KEYS, 'pod', 'namespace', 'customFile', 'copyTo', 'sleepApp'];
export const RECIPE_KEYS: Keys = ['tools', 'family', 'baseImage', 'style'];
export const POD_SECURITY_KEYS: Keys = ['version'];
export const TOOL_PROPS_KEYS: Keys = [
  'name', 'capabilities', 'alpineCapabilities', 'debianCapabilities', 'packages', 'alpinePackages', 'debianPackages',
  'binaries', 'alpineBinaries', 'debianBinaries', 'needsShareProcessNamespace', 'needsRoot',
];
export const ACCESS_PROPS_KEYS: Keys = [
  'namespace', 'users', 'groups', 'serviceAccounts', 'allowAttach', 'allowCopy', 'allowRecord', 'name',
];
export const GUARD_PROPS_KEYS: Keys = ['namespaceSelector', 'allowedCapabilities', 'allowEphemeralContainers', 'name'];
/** Container resources (kplus.ContainerResources) and each of its request/limit pairs. */
export const RESOURCES_KEYS: Keys = ['cpu', 'memory', 'ephemeralStorage'];
export const RESOURCE_PAIR_KEYS: Keys = ['request', 'limit'];

/** Keys an earlier release took, with the name that replaced them. */
export const RENAMED_KEYS: Readonly<Record<string, string>> = {
  runAsNonRoot: 'ensureNonRoot',
  runAsUser: 'user',
  runAsGroup: 'group',
  imageFamily: 'image (DebugImage.of(reference, family))',
  needsProcessNamespace: 'needsShareProcessNamespace',
  sharesProcessNamespace: 'shareProcessNamespace',
};
