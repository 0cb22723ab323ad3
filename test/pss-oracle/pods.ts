// Generated raw pods for comparing PodSecurity with the official evaluator:
// randomPods exercises every check with edge values; gatePods starts from a
// restricted pod and changes the fields whose rules changed between policy
// versions (the version gates of k8s.io/pod-security-admission).

export interface RawPod {
  readonly metadata: any;
  readonly spec: any;
}

/** Deterministic PRNG (Park-Miller minimal standard; exact in doubles). */
export function prng(seed: number): () => number {
  let state = (seed % 2147483646) + 1;
  return () => {
    state = (state * 48271) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

function pickers(random: () => number) {
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
  const maybe = <T>(p: number, f: () => T): T | undefined => (random() < p ? f() : undefined);
  return { pick, maybe };
}

const RESTRICTED_SC = () => ({
  allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
});
const restrictedContainer = (name: string) => ({ name, image: 'example.org/app:1', securityContext: RESTRICTED_SC() });

/** Raw pod specs drawn from values that exercise every check, including the edges (null, '', 0, Windows, ephemeral containers). */
export function randomPods(count: number, seed: number): RawPod[] {
  const random = prng(seed);
  const { pick, maybe } = pickers(random);
  const seccomp = () => pick<any>([null, {}, { type: 'RuntimeDefault' }, { type: 'Localhost', localhostProfile: 'p.json' }, { type: 'Unconfined' }]);
  const capsPool = ['NET_BIND_SERVICE', 'NET_RAW', 'CHOWN', 'SETUID', 'SYS_ADMIN', 'CAP_NET_BIND_SERVICE', 'ALL'];
  const seLinux = () => pick<any>([{}, { type: 'container_t' }, { type: 'spc_t' }, { type: 'container_engine_t' }, { user: 'u' }, { role: 'r' }, { level: 's0:c1' }]);
  const containerSc = () => {
    const sc: any = {};
    const set = (k: string, f: () => unknown) => { if (random() < 0.4) sc[k] = f(); };
    set('allowPrivilegeEscalation', () => pick([true, false, null]));
    set('privileged', () => pick([true, false, null]));
    set('runAsNonRoot', () => pick([true, false, null]));
    set('runAsUser', () => pick([0, 1000, null]));
    set('seccompProfile', seccomp);
    set('capabilities', () => pick<any>([null, {}, { drop: ['ALL'] }, { drop: ['NET_RAW'] },
      { drop: ['ALL'], add: capsPool.filter(() => random() < 0.3) }, { add: capsPool.filter(() => random() < 0.3) }]));
    set('procMount', () => pick(['Default', 'Unmasked', '', null]));
    set('seLinuxOptions', seLinux);
    set('appArmorProfile', () => pick<any>([{ type: 'RuntimeDefault' }, { type: 'Localhost', localhostProfile: 'p' }, { type: 'Unconfined' }]));
    set('windowsOptions', () => pick<any>([{ hostProcess: true }, { hostProcess: false }, {}]));
    return sc;
  };
  const container = (name: string) => ({
    name,
    image: 'example.org/app:1',
    ...(maybe(0.85, () => ({ securityContext: random() < 0.1 ? null : containerSc() })) ?? {}),
    ...(maybe(0.15, () => ({ ports: [{ containerPort: 8080, hostPort: pick([0, 8080]) }] })) ?? {}),
  });
  const volumes: any[] = [
    { name: 'e', emptyDir: {} }, { name: 'c', configMap: { name: 'x' } }, { name: 's', secret: { secretName: 'x' } },
    { name: 'p', persistentVolumeClaim: { claimName: 'x' } }, { name: 'pr', projected: { sources: [] } },
    { name: 'd', downwardAPI: { items: [] } }, { name: 'csi', csi: { driver: 'x' } }, { name: 'img', image: { reference: 'x:1' } },
    { name: 'h', hostPath: { path: '/var/log' } }, { name: 'n', nfs: { server: 'x', path: '/' } }, { name: 'g', gitRepo: { repository: 'x' } },
    { name: 'none' },
  ];
  /** One field of a restricted pod changed to a value drawn from the same pools. */
  const mutate = (spec: any, metadata: any) => {
    const all = [...spec.containers, ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])];
    const target = pick(all);
    const donor = containerSc();
    const keys = Object.keys(donor);
    if (keys.length > 0 && random() < 0.7) {
      const key = pick(keys);
      target.securityContext = { ...target.securityContext, [key]: donor[key] };
    } else if (random() < 0.5) {
      const key = pick(['allowPrivilegeEscalation', 'runAsNonRoot', 'capabilities', 'seccompProfile']);
      delete target.securityContext[key];
    } else {
      const key = pick(['runAsNonRoot', 'runAsUser', 'seccompProfile', 'os', 'volumes', 'hostUsers', 'sysctls', 'apparmor']);
      spec.securityContext = spec.securityContext ?? {};
      if (key === 'runAsNonRoot') spec.securityContext.runAsNonRoot = pick([true, false, null]);
      if (key === 'runAsUser') spec.securityContext.runAsUser = pick([0, 1000]);
      if (key === 'seccompProfile') spec.securityContext.seccompProfile = seccomp();
      if (key === 'os') spec.os = { name: pick(['windows', 'linux']) };
      if (key === 'volumes') spec.volumes = [pick(volumes)];
      if (key === 'hostUsers') spec.hostUsers = false;
      if (key === 'sysctls') spec.securityContext.sysctls = [{ name: pick(['net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_rmem']), value: '1' }];
      if (key === 'apparmor') metadata.annotations['container.apparmor.security.beta.kubernetes.io/app'] = pick(['runtime/default', 'unconfined']);
    }
  };
  const pods: RawPod[] = [];
  for (let i = 0; i < count; i++) {
    if (random() < 0.4) {
      // A restricted pod with up to two fields changed: the boundary between restricted and baseline.
      const spec: any = { containers: [restrictedContainer('app')] };
      if (random() < 0.3) spec.initContainers = [restrictedContainer('init')];
      if (random() < 0.2) spec.ephemeralContainers = [restrictedContainer('eph')];
      if (random() < 0.5) {
        spec.securityContext = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
        for (const c of spec.containers) { delete c.securityContext.runAsNonRoot; delete c.securityContext.seccompProfile; }
      }
      const metadata = { name: `pod-${i}`, annotations: {} };
      for (let m = Math.floor(random() * 3); m > 0; m--) mutate(spec, metadata);
      pods.push({ metadata, spec });
      continue;
    }
    const spec: any = { containers: [container('app'), ...(random() < 0.3 ? [container('side')] : [])] };
    if (random() < 0.3) spec.initContainers = [container('init')];
    if (random() < 0.2) spec.ephemeralContainers = [container('eph')];
    if (random() < 0.15) spec.hostNetwork = pick([true, false]);
    if (random() < 0.1) spec.hostPID = true;
    if (random() < 0.1) spec.hostIPC = true;
    if (random() < 0.1) spec.os = { name: pick(['windows', 'linux']) };
    if (random() < 0.3) spec.volumes = volumes.filter(() => random() < 0.2);
    if (random() < 0.7) {
      const psc: any = {};
      if (random() < 0.5) psc.runAsNonRoot = pick([true, false, null]);
      if (random() < 0.3) psc.runAsUser = pick([0, 1000]);
      if (random() < 0.5) psc.seccompProfile = seccomp();
      if (random() < 0.15) psc.seLinuxOptions = seLinux();
      if (random() < 0.15) psc.sysctls = [{ name: pick(['net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'kernel.shm_rmid_forced', 'kernel.msgmax']), value: '1' }];
      if (random() < 0.1) psc.appArmorProfile = { type: pick(['RuntimeDefault', 'Unconfined']) };
      if (random() < 0.05) psc.windowsOptions = { hostProcess: pick([true, false]) };
      spec.securityContext = psc;
    }
    const annotations: Record<string, string> = {};
    if (random() < 0.15) annotations['container.apparmor.security.beta.kubernetes.io/app'] = pick(['runtime/default', 'localhost/p', 'unconfined', '']);
    if (random() < 0.1) annotations['seccomp.security.alpha.kubernetes.io/pod'] = 'unconfined';
    pods.push({ metadata: { name: `pod-${i}`, annotations }, spec });
  }
  return pods;
}

/** Every sysctl some version allows (check_sysctls.go), and some no version allows. */
const SYSCTLS = [
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem',
  'net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat', 'kernel.msgmax', 'net.core.somaxconn', 'vm.swappiness',
];

/**
 * Restricted pods with one to three changes, each aimed at a rule that
 * changed between policy versions: host in probes and lifecycle handlers
 * (v1.34), sysctls (v1.27, v1.29, v1.32, v1.37), SELinux container_engine_t
 * (v1.31), `hostUsers: false` with runAsNonRoot, runAsUser and procMount
 * (v1.35), Windows pods without the Linux-only fields (v1.25), runAsUser 0
 * (v1.23), capabilities (v1.22), seccomp annotations and fields (v1.19),
 * allowPrivilegeEscalation (v1.8), and AppArmor fields and annotations.
 */
export function gatePods(count: number, seed: number): RawPod[] {
  const random = prng(seed);
  const { pick } = pickers(random);
  const HOSTS = ['10.0.0.1', 'localhost', 'example.org', '', null];
  const handler = (kind: string) => (kind === 'httpGet' ? { httpGet: { host: pick(HOSTS), path: '/', port: 8080 } } : { tcpSocket: { host: pick(HOSTS), port: 8080 } });
  const mutations: Array<(spec: any, metadata: any, target: any) => void> = [
    (_s, _m, c) => { c[pick(['livenessProbe', 'readinessProbe', 'startupProbe'])] = handler(pick(['httpGet', 'tcpSocket'])); },
    (_s, _m, c) => { c.lifecycle = { [pick(['postStart', 'preStop'])]: handler(pick(['httpGet', 'tcpSocket'])) }; },
    (s) => { (s.securityContext ??= {}).sysctls = SYSCTLS.filter(() => random() < 0.12).map(name => ({ name, value: '1' })); },
    (s) => { (s.securityContext ??= {}).sysctls = [{ name: pick(SYSCTLS), value: '1' }]; },
    (s, _m, c) => {
      const opts = { type: pick(['container_engine_t', 'container_t', 'container_kvm_t', 'spc_t', '']) };
      if (random() < 0.5) (s.securityContext ??= {}).seLinuxOptions = opts; else c.securityContext.seLinuxOptions = opts;
    },
    (s) => { s.hostUsers = pick([false, false, true, null]); },
    (s, _m, c) => {
      const field = pick(['runAsNonRoot', 'runAsUser', 'procMount', 'none']);
      if (field === 'runAsNonRoot') { if (random() < 0.5) c.securityContext.runAsNonRoot = false; else delete c.securityContext.runAsNonRoot; }
      if (field === 'runAsUser') { if (random() < 0.5) c.securityContext.runAsUser = 0; else (s.securityContext ??= {}).runAsUser = 0; }
      if (field === 'procMount') c.securityContext.procMount = pick(['Unmasked', 'Default', '']);
      s.hostUsers = pick([false, false, true]);
    },
    (s, _m, c) => { s.os = { name: pick(['windows', 'windows', 'linux']) }; delete c.securityContext[pick(['allowPrivilegeEscalation', 'capabilities', 'seccompProfile'])]; },
    (s, _m, c) => { if (random() < 0.5) c.securityContext.runAsUser = 0; else (s.securityContext ??= {}).runAsUser = pick([0, 1000]); },
    (_s, _m, c) => { c.securityContext.capabilities = pick<any>([{ drop: ['ALL'], add: [pick(['NET_RAW', 'CHOWN', 'NET_BIND_SERVICE', 'SYS_ADMIN'])] }, { add: ['CHOWN'] }, {}]); },
    (_s, m, c) => {
      const key = random() < 0.5 ? 'seccomp.security.alpha.kubernetes.io/pod' : `container.seccomp.security.alpha.kubernetes.io/${c.name}`;
      m.annotations[key] = pick(['runtime/default', 'docker/default', 'localhost/p.json', 'unconfined', '']);
    },
    (s, _m, c) => {
      if (random() < 0.5) delete c.securityContext.seccompProfile;
      else c.securityContext.seccompProfile = { type: pick(['Unconfined', 'Localhost', 'RuntimeDefault']) };
      if (random() < 0.3) (s.securityContext ??= {}).seccompProfile = { type: pick(['Unconfined', 'RuntimeDefault']) };
    },
    (_s, _m, c) => { if (random() < 0.5) delete c.securityContext.allowPrivilegeEscalation; else c.securityContext.allowPrivilegeEscalation = true; },
    (s, m, c) => {
      const type = pick(['RuntimeDefault', 'Localhost', 'Unconfined']);
      if (random() < 0.3) m.annotations[`container.apparmor.security.beta.kubernetes.io/${c.name}`] = pick(['runtime/default', 'localhost/p', 'unconfined']);
      else if (random() < 0.5) c.securityContext.appArmorProfile = { type, ...(type === 'Localhost' ? { localhostProfile: 'p' } : {}) };
      else (s.securityContext ??= {}).appArmorProfile = { type };
    },
  ];
  const pods: RawPod[] = [];
  for (let i = 0; i < count; i++) {
    const spec: any = { containers: [restrictedContainer('app')] };
    if (random() < 0.3) spec.initContainers = [restrictedContainer('init')];
    if (random() < 0.2) spec.ephemeralContainers = [restrictedContainer('eph')];
    const metadata: any = { name: `gate-${i}`, annotations: {} };
    const all = [...spec.containers, ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])];
    for (let m = 1 + Math.floor(random() * 3); m > 0; m--) pick(mutations)(spec, metadata, pick(all));
    pods.push({ metadata, spec });
  }
  return pods;
}
