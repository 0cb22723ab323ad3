/**
 * Runs synthesized Kubernetes manifests in podman (`podman kube play --network none`)
 * so the end-to-end tests can prove facts with real processes and packets.
 *
 * Prerequisite: `bash test/e2e/setup.sh` (root; installs podman, writes
 * test/e2e/.podman/containers.conf, builds localhost/e2e-app:1, localhost/e2e-debug:1 and
 * localhost/e2e-base:1, the base of the images built from `DebugImage.recipe` with `buildImage()`).
 * Every podman call here sets CONTAINERS_CONF to that project-local file; /etc is not used.
 *
 * What `play()` changes in the copy it plays (podman 4.3 facts, see MEASURED.md):
 * - Deployment / StatefulSet / DaemonSet / ReplicaSet / Job / CronJob become one Pod
 *   (podman 4.3 refuses Job/CronJob: "YAML document does not contain any supported kube kind",
 *   and plays one Pod per Deployment replica).
 * - `ports` are removed (refused under --network none: "PortMappings can only be used with
 *   Bridge or slirp4netns networking").
 * - probes are removed unless `keepProbes` (podman turns them into healthchecks that need systemd).
 * - emptyDir volumes are renamed `<pod>-<volume>`: podman 4.3 creates a *named* volume per
 *   emptyDir, so two pods with a volume `tmp` would share it.
 * - ConfigMaps are kept; Services and other kinds are dropped.
 * It refuses (throws) rather than hides: `imagePullPolicy: Always` on a localhost/ image
 * (podman then tries to pull from https://localhost/v2/ and fails), and init containers with
 * `restartPolicy: Always` (native sidecars: podman 4.3 waits for them to exit, play never returns).
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';

/** Every pod and volume the harness creates starts with this; `cleanupLeftovers` removes them. */
export const E2E_PREFIX = 'e2e-';
export const APP_IMAGE = 'localhost/e2e-app:1';
export const DEBUG_IMAGE = 'localhost/e2e-debug:1';
/** Debian bookworm minbase and nothing else (apt's sources.list points at this machine's mirror). */
export const BASE_IMAGE = 'localhost/e2e-base:1';
/** Port nginx listens on in APP_IMAGE (root or non-root, read-only rootfs with an emptyDir at /tmp). */
export const APP_PORT = 8080;
export const CONTAINERS_CONF = process.env.E2E_CONTAINERS_CONF ?? path.join(__dirname, '.podman', 'containers.conf');
const PODMAN = process.env.E2E_PODMAN ?? 'podman';

export interface Availability {
  readonly ok: boolean;
  readonly reason?: string;
}

export interface ExecOptions {
  /** Kill the podman client after this long (default 30 s). The process inside the pod dies at teardown. */
  readonly timeoutMs?: number;
  /** Written to stdin. */
  readonly input?: string;
  /** `podman exec --user`. */
  readonly user?: string;
}

export interface ExecResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly ms: number;
}

export interface PlayOptions {
  /** Pod name; E2E_PREFIX is prepended when missing. Default: e2e-<workload name>-<random>. */
  readonly name?: string;
  /** Pick the workload when the manifest holds several (metadata.name). */
  readonly workload?: string;
  /** Keep liveness/readiness/startup probes (podman turns them into healthchecks; needs systemd). */
  readonly keepProbes?: boolean;
  /**
   * What to do with init containers that have `restartPolicy: Always` (native sidecars),
   * which podman 4.3 does not support: 'error' (default) or 'asContainers' (move them to
   * `containers`: network and PID sharing can be tested, completion semantics cannot).
   */
  readonly nativeSidecars?: 'error' | 'asContainers';
  /** Timeout of `podman kube play` (default 120 s). */
  readonly timeoutMs?: number;
}

/** The Pod manifest and extra documents `play()` would hand to podman (pure, no podman needed). */
export interface PodmanManifest {
  readonly podName: string;
  readonly pod: any;
  readonly extra: any[];
  /** Kubernetes container names, init containers first. */
  readonly containers: string[];
  /** Podman volume names created for emptyDir volumes. */
  readonly volumes: string[];
}

function podmanEnv(): NodeJS.ProcessEnv {
  return { ...process.env, CONTAINERS_CONF };
}

/** Runs podman synchronously with CONTAINERS_CONF set. */
export function podman(args: string[], opts: ExecOptions = {}): ExecResult {
  const start = Date.now();
  const r = spawnSync(PODMAN, args, {
    env: podmanEnv(),
    input: opts.input,
    encoding: 'utf-8',
    timeout: opts.timeoutMs ?? 30_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  if (r.error && !timedOut) {
    return { code: null, stdout: '', stderr: String(r.error), timedOut: false, ms: Date.now() - start };
  }
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', timedOut, ms: Date.now() - start };
}

function podmanOk(args: string[], opts: ExecOptions = {}): ExecResult {
  const r = podman(args, opts);
  if (r.code !== 0) {
    throw new Error(`podman ${args.join(' ')} failed (code ${r.code}${r.timedOut ? ', timed out' : ''}): ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return r;
}

/**
 * `describe` when podman and `images` are there; otherwise `describe.skip`,
 * and a test that names what is missing and fails under E2E_REQUIRED=1 (set
 * by run.sh, so CI never skips in silence).
 */
export function describeWithPodman(what: string, images: string[] = [APP_IMAGE, DEBUG_IMAGE]): jest.Describe {
  const available = podmanAvailable(images);
  if (!available.ok) {
    test(`${what} e2e prerequisites (${available.reason})`, () => {
      if (process.env.E2E_REQUIRED === '1') throw new Error(`E2E_REQUIRED=1 but ${available.reason}`);
    });
  }
  return available.ok ? describe : describe.skip;
}

/** Whether the e2e tests can run here: root, podman, the project-local config and both images. */
export function podmanAvailable(images: string[] = [APP_IMAGE, DEBUG_IMAGE]): Availability {
  if (process.platform !== 'linux') return { ok: false, reason: `platform ${process.platform} (needs Linux)` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'not root (the harness uses rootful podman)' };
  if (!fs.existsSync(CONTAINERS_CONF)) return { ok: false, reason: `${CONTAINERS_CONF} missing: run bash test/e2e/setup.sh` };
  const v = podman(['version', '--format', '{{.Client.Version}}'], { timeoutMs: 15_000 });
  if (v.code !== 0) return { ok: false, reason: `podman not usable: ${v.stderr.trim() || 'not installed'}` };
  for (const image of images) {
    if (podman(['image', 'exists', image], { timeoutMs: 15_000 }).code !== 0) {
      return { ok: false, reason: `image ${image} missing: run bash test/e2e/setup.sh` };
    }
  }
  return { ok: true };
}

function parseManifest(manifest: string | any[]): any[] {
  if (Array.isArray(manifest)) return JSON.parse(JSON.stringify(manifest));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-parse-'));
  try {
    const file = path.join(dir, 'in.yaml');
    fs.writeFileSync(file, manifest);
    return Yaml.load(file).filter((d: any) => d != null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The pod template of a workload document, or undefined for other kinds. */
function podTemplateOf(doc: any): { metadata?: any; spec: any } | undefined {
  switch (doc?.kind) {
    case 'Pod': return { metadata: doc.metadata, spec: doc.spec };
    case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'ReplicaSet': case 'Job':
      return doc.spec?.template;
    case 'CronJob': return doc.spec?.jobTemplate?.spec?.template;
    default: return undefined;
  }
}

function sanitize(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
}

/** Converts a synthesized manifest into what `play()` hands to podman. Pure; exported for unit tests. */
export function toPodmanManifest(manifest: string | any[], opts: PlayOptions = {}): PodmanManifest {
  const docs = parseManifest(manifest);
  let workloads = docs.filter(d => podTemplateOf(d) !== undefined);
  if (opts.workload) workloads = workloads.filter(d => d.metadata?.name === opts.workload);
  if (workloads.length !== 1) {
    const names = workloads.map(d => `${d.kind}/${d.metadata?.name}`).join(', ') || 'none';
    throw new Error(`expected exactly one workload to play, found ${workloads.length} (${names}); pass opts.workload`);
  }
  const workload = workloads[0];
  const template = podTemplateOf(workload)!;
  const spec = JSON.parse(JSON.stringify(template.spec ?? {}));

  // p<pid> in the default name: cleanupLeftovers() of another test process on the same machine leaves these pods alone while this process lives.
  let podName = opts.name ? sanitize(opts.name)
    : `p${process.pid}-${sanitize(workload.metadata?.name ?? 'pod').slice(0, 30)}-${Math.random().toString(36).slice(2, 8)}`;
  if (!podName.startsWith(E2E_PREFIX)) podName = E2E_PREFIX + podName;

  const inits: any[] = spec.initContainers ?? [];
  const native = inits.filter(c => c.restartPolicy === 'Always');
  if (native.length > 0) {
    if ((opts.nativeSidecars ?? 'error') === 'error') {
      throw new Error(`init containers with restartPolicy Always (${native.map(c => c.name).join(', ')}): podman 4.3 runs init containers to completion, `
        + 'so kube play never returns. Pass nativeSidecars: "asContainers" to play them as regular containers.');
    }
    spec.initContainers = inits.filter(c => c.restartPolicy !== 'Always');
    if (spec.initContainers.length === 0) delete spec.initContainers;
    spec.containers = [...native.map(c => { const { restartPolicy, ...rest } = c; void restartPolicy; return rest; }), ...(spec.containers ?? [])];
  }

  const all: any[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  for (const c of all) {
    delete c.ports;
    if (!opts.keepProbes) {
      delete c.livenessProbe;
      delete c.readinessProbe;
      delete c.startupProbe;
    }
    const image: string = c.image ?? '';
    const tag = image.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : 'latest';
    const policy = c.imagePullPolicy ?? (tag === 'latest' ? 'Always' : 'IfNotPresent');
    if (image.startsWith('localhost/') && policy === 'Always') {
      throw new Error(`container ${c.name}: image ${image} with imagePullPolicy ${c.imagePullPolicy ?? '(default) Always'}: `
        + 'podman would try to pull it from https://localhost/v2/ and fail. Set Never or IfNotPresent.');
    }
  }

  const volumes: string[] = [];
  const renamed = new Map<string, string>();
  for (const v of spec.volumes ?? []) {
    if (v.emptyDir !== undefined) {
      const n = `${podName}-${v.name}`;
      renamed.set(v.name, n);
      volumes.push(n);
      v.name = n;
    }
  }
  for (const c of all) {
    for (const m of c.volumeMounts ?? []) {
      if (renamed.has(m.name)) m.name = renamed.get(m.name);
    }
  }

  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName,
      ...(template.metadata?.labels ? { labels: template.metadata.labels } : {}),
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
    },
    spec,
  };
  const extra = docs.filter(d => d?.kind === 'ConfigMap');
  return { podName, pod, extra, containers: all.map(c => c.name), volumes };
}

/** A command started in the background (`podman exec` client kept running). */
export class BackgroundExec {
  public readonly child: ChildProcess;
  public stdout = '';
  public stderr = '';
  private readonly started = Date.now();
  private readonly done: Promise<ExecResult>;

  constructor(args: string[]) {
    this.child = spawn(PODMAN, args, { env: podmanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf-8').on('data', (d: string) => { this.stdout += d; });
    this.child.stderr!.setEncoding('utf-8').on('data', (d: string) => { this.stderr += d; });
    this.done = new Promise(resolve => {
      this.child.on('close', code => resolve({ code, stdout: this.stdout, stderr: this.stderr, timedOut: false, ms: Date.now() - this.started }));
      this.child.on('error', err => resolve({ code: null, stdout: this.stdout, stderr: this.stderr + String(err), timedOut: false, ms: Date.now() - this.started }));
    });
  }

  /** Resolves when stdout or stderr matches; rejects after timeoutMs or if the command ends first. */
  public async waitForOutput(re: RegExp, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let ended = false;
    void this.done.then(() => { ended = true; });
    while (!re.test(this.stdout) && !re.test(this.stderr)) {
      if (ended) throw new Error(`command ended before output ${re}: ${this.stderr.trim()}`);
      if (Date.now() > deadline) throw new Error(`no output ${re} after ${timeoutMs} ms: ${this.stderr.trim()}`);
      await sleep(50);
    }
  }

  /** Waits for the command; kills the podman client after timeoutMs (timedOut: true). */
  public async wait(timeoutMs = 30_000): Promise<ExecResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ExecResult | undefined>(resolve => { timer = setTimeout(() => resolve(undefined), timeoutMs); });
    const r = await Promise.race([this.done, timeout]);
    clearTimeout(timer);
    if (r) return r;
    this.child.kill('SIGKILL');
    return { ...(await this.done), timedOut: true };
  }
}

/** `podman exec` in a container given by its podman name (`<pod>-<container>`). */
export function exec(container: string, argv: string[], opts: ExecOptions = {}): ExecResult {
  const args = ['exec', ...(opts.input !== undefined ? ['-i'] : []), ...(opts.user ? ['--user', opts.user] : []), container, ...argv];
  return podman(args, opts);
}

/** Starts `podman exec` in the background (e.g. a capture while another container sends traffic). */
export function execInBackground(container: string, argv: string[], opts: { user?: string } = {}): BackgroundExec {
  return new BackgroundExec(['exec', ...(opts.user ? ['--user', opts.user] : []), container, ...argv]);
}

export interface BuildResult {
  readonly image: string;
  /** sha256 (16 hex) of the Containerfile text and the id of its FROM image; the image's label `e2e.key`. */
  readonly key: string;
  /** false when the image already carried the key (nothing was built). */
  readonly built: boolean;
  readonly ms: number;
  /** podman build's output (empty when nothing was built). */
  readonly log: string;
}

/**
 * Builds a Containerfile given as text into `image` with `podman build --network host --pull=never`
 * (the FROM image must be local; apt inside reaches the mirror of the base's sources.list through the
 * host's network). Cached: when `image` already carries the label `e2e.key` of this text and of the
 * FROM image's id, nothing is built. E2E_FORCE=1 rebuilds. The image it replaces is removed.
 */
export function buildImage(image: string, containerfile: string, opts: { timeoutMs?: number } = {}): BuildResult {
  const start = Date.now();
  const from = /^FROM\s+(\S+)/m.exec(containerfile)?.[1];
  if (from === undefined) throw new Error(`no FROM line in the Containerfile for ${image}`);
  const fromId = podman(['image', 'inspect', '--format', '{{.Id}}', from], { timeoutMs: 30_000 });
  if (fromId.code !== 0) throw new Error(`FROM image ${from} is not present locally (run bash test/e2e/setup.sh): ${fromId.stderr.trim()}`);
  const key = createHash('sha256').update(`${containerfile}\n${fromId.stdout.trim()}`).digest('hex').slice(0, 16);
  const have = podman(['image', 'inspect', '--format', '{{index .Labels "e2e.key"}}|{{.Id}}', image], { timeoutMs: 30_000 });
  const [haveKey, oldId] = have.code === 0 ? have.stdout.trim().split('|') : ['', ''];
  if (haveKey === key && !process.env.E2E_FORCE) return { image, key, built: false, ms: Date.now() - start, log: '' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-build-'));
  try {
    const file = path.join(dir, 'Containerfile');
    fs.writeFileSync(file, containerfile);
    const r = podmanOk(['build', '--network', 'host', '--pull=never', '--label', `e2e.key=${key}`, '--tag', image, '--file', file, dir],
      { timeoutMs: opts.timeoutMs ?? 900_000 });
    const newId = podman(['image', 'inspect', '--format', '{{.Id}}', image]).stdout.trim();
    if (oldId && oldId !== newId) podman(['rmi', oldId], { timeoutMs: 60_000 });
    return { image, key, built: true, ms: Date.now() - start, log: r.stdout + r.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** An image's size in bytes as podman reports it (`podman image inspect --format {{.Size}}`: uncompressed). */
export function imageSize(image: string): number {
  return Number(podmanOk(['image', 'inspect', '--format', '{{.Size}}', image]).stdout.trim());
}

/** `podman image inspect --format <format>` of an image. */
export function imageInspect(image: string, format: string): string {
  return podmanOk(['image', 'inspect', '--format', format, image]).stdout.trim();
}

/** `podman run --rm --network none [flags] image argv...`: a throwaway container outside any pod. */
export function runImage(image: string, argv: string[], flags: string[] = [], opts: ExecOptions = {}): ExecResult {
  return podman(['run', '--rm', '--network', 'none', '--pull=never', ...flags, image, ...argv], opts);
}

/**
 * The podman flags that give a container exactly the privileges of a Kubernetes container
 * securityContext. Throws on a field it cannot translate, so nothing is dropped silently.
 * - runAsUser/runAsGroup: `--user uid[:gid]`; runAsNonRoot: true with user 0 throws (the kubelet
 *   refuses to start it; podman would not).
 * - capabilities: `--cap-drop` each (ALL included), `--cap-add` each.
 * - privileged: true: `--privileged`; allowPrivilegeEscalation: false: `--security-opt no-new-privileges`.
 * - readOnlyRootFilesystem: true: `--read-only --read-only-tmpfs=false` (podman would otherwise mount
 *   writable tmpfs on /tmp, /var/tmp and /run; an ephemeral container has no volumes of its own).
 * - seccompProfile RuntimeDefault: podman's default profile (no flag); Unconfined: `seccomp=unconfined`.
 */
export function securityContextFlags(sc: any): string[] {
  const flags: string[] = [];
  const known = new Set(['runAsUser', 'runAsGroup', 'runAsNonRoot', 'capabilities', 'privileged', 'allowPrivilegeEscalation', 'readOnlyRootFilesystem', 'seccompProfile']);
  for (const k of Object.keys(sc ?? {})) {
    if (!known.has(k)) throw new Error(`securityContext.${k} has no podman translation here`);
  }
  if (sc?.runAsUser !== undefined) flags.push('--user', sc.runAsGroup !== undefined ? `${sc.runAsUser}:${sc.runAsGroup}` : String(sc.runAsUser));
  else if (sc?.runAsGroup !== undefined) throw new Error('securityContext.runAsGroup without runAsUser has no podman translation here');
  if (sc?.runAsNonRoot === true && (sc.runAsUser ?? 0) === 0) throw new Error('runAsNonRoot: true with user 0: the kubelet would refuse to start this container');
  for (const k of Object.keys(sc?.capabilities ?? {})) {
    if (k !== 'add' && k !== 'drop') throw new Error(`securityContext.capabilities.${k} has no podman translation here`);
  }
  for (const c of sc?.capabilities?.drop ?? []) flags.push('--cap-drop', String(c));
  for (const c of sc?.capabilities?.add ?? []) flags.push('--cap-add', String(c));
  if (sc?.privileged === true) flags.push('--privileged');
  if (sc?.allowPrivilegeEscalation === false) flags.push('--security-opt', 'no-new-privileges');
  if (sc?.readOnlyRootFilesystem === true) flags.push('--read-only', '--read-only-tmpfs=false');
  const seccomp = sc?.seccompProfile?.type;
  if (seccomp === 'Unconfined') flags.push('--security-opt', 'seccomp=unconfined');
  else if (seccomp !== undefined && seccomp !== 'RuntimeDefault') throw new Error(`seccompProfile ${seccomp} has no podman translation here`);
  return flags;
}

const played = new Set<PlayedPod>();

export class PlayedPod {
  public readonly name: string;
  /** Kubernetes container names (init containers first). */
  public readonly containers: string[];
  /** What was played (after the changes listed at the top of this file). */
  public readonly manifest: PodmanManifest;
  public readonly yamlFile: string;
  public readonly playMs: number;
  private downed = false;

  constructor(m: PodmanManifest, yamlFile: string, playMs: number) {
    this.manifest = m;
    this.name = m.podName;
    this.containers = m.containers;
    this.yamlFile = yamlFile;
    this.playMs = playMs;
  }

  /** The podman name of a container: `<pod>-<container>`. */
  public podmanName(container: string): string {
    if (!this.containers.includes(container)) {
      throw new Error(`no container ${container} in pod ${this.name} (has ${this.containers.join(', ')})`);
    }
    return `${this.name}-${container}`;
  }

  public exec(container: string, argv: string[], opts: ExecOptions = {}): ExecResult {
    return exec(this.podmanName(container), argv, opts);
  }

  public execInBackground(container: string, argv: string[], opts: { user?: string } = {}): BackgroundExec {
    return execInBackground(this.podmanName(container), argv, opts);
  }

  /**
   * Adds an EphemeralContainer (as `DebugSidecar.ephemeralContainer()` returns it) to the running
   * pod, the closest podman 4.3 gets to `pods/ephemeralcontainers`: `podman run --pod <pod>` joins
   * the pod's network (and uts/ipc) namespaces, `--pid container:<pod>-<target>` the target
   * container's PID namespace (`targetContainerName`), with the privileges of its securityContext
   * translated by `securityContextFlags`. Returns the podman container name; `exec()` takes it.
   * (`--network container:X` from outside the pod is refused by podman 4.3: "containers not in pods
   * cannot depend on containers in pods".)
   */
  public runEphemeral(ec: any): string {
    const known = new Set(['name', 'image', 'imagePullPolicy', 'command', 'args', 'securityContext', 'targetContainerName', 'volumeMounts']);
    for (const k of Object.keys(ec)) {
      if (!known.has(k)) throw new Error(`ephemeral container field ${k} has no podman translation here`);
    }
    // A mount of one of the Pod's emptyDir volumes: the podman volume play() made for it (`<pod>-<volume>`).
    const volumes = (ec.volumeMounts ?? []).flatMap((m: any) => {
      const unknown = Object.keys(m).filter(k => !['name', 'mountPath', 'readOnly'].includes(k));
      const volume = `${this.name}-${m.name}`;
      if (unknown.length > 0 || !this.manifest.volumes.includes(volume)) {
        throw new Error(`volumeMount ${JSON.stringify(m)} has no podman translation here (emptyDir volumes only, no ${unknown.join(', ') || 'other volume'})`);
      }
      return ['--volume', `${volume}:${m.mountPath}${m.readOnly ? ':ro' : ''}`];
    });
    const pull: Record<string, string> = { Never: 'never', IfNotPresent: 'missing', Always: 'always' };
    const name = `${this.name}-${ec.name}`;
    const args = ['run', '--detach', '--name', name, '--pod', this.name,
      ...(ec.targetContainerName ? ['--pid', `container:${this.podmanName(ec.targetContainerName)}`] : []),
      `--pull=${pull[ec.imagePullPolicy ?? 'IfNotPresent']}`,
      ...securityContextFlags(ec.securityContext),
      ...volumes,
      ...(ec.command ? ['--entrypoint', JSON.stringify(ec.command)] : []),
      ec.image, ...(ec.args ?? [])];
    podmanOk(args, { timeoutMs: 60_000 });
    return name;
  }

  /** Container state from `podman inspect`. */
  public state(container: string): { status: string; running: boolean; exitCode: number } {
    const r = podmanOk(['inspect', '--format', '{{.State.Status}} {{.State.Running}} {{.State.ExitCode}}', this.podmanName(container)]);
    const [status, running, exitCode] = r.stdout.trim().split(' ');
    return { status, running: running === 'true', exitCode: Number(exitCode) };
  }

  /** Polls until the container is no longer running; returns its exit code. */
  public async waitForExit(container: string, timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = this.state(container);
      if (!s.running && s.status !== 'created' && s.status !== 'initialized') return s.exitCode;
      if (Date.now() > deadline) throw new Error(`${this.podmanName(container)} still ${s.status} after ${timeoutMs} ms`);
      await sleep(200);
    }
  }

  public logs(container: string): string {
    const r = podman(['logs', this.podmanName(container)]);
    return r.stdout + r.stderr;
  }

  /** `podman pod stop -t <graceSeconds>`; returns how long it took. */
  public stop(graceSeconds = 30): number {
    const start = Date.now();
    podmanOk(['pod', 'stop', '-t', String(graceSeconds), this.name], { timeoutMs: (graceSeconds + 30) * 1000 });
    return Date.now() - start;
  }

  /** Removes the pod, its containers and its emptyDir volumes. Idempotent, never throws. */
  public down(): void {
    if (this.downed) return;
    this.downed = true;
    played.delete(this);
    // A graceful stop (the keep-alive exits on TERM) then rm takes ~0.3 s; `pod rm -f -t 0`
    // and `podman kube down` (no timeout option in 4.3) took 0.3-3.5 s, measured.
    podman(['pod', 'stop', '--ignore', '-t', '2', this.name], { timeoutMs: 60_000 });
    podman(['pod', 'rm', '--force', '--ignore', '-t', '0', this.name], { timeoutMs: 60_000 });
    if (this.manifest.volumes.length) podman(['volume', 'rm', '--force', ...this.manifest.volumes], { timeoutMs: 60_000 });
    fs.rmSync(path.dirname(this.yamlFile), { recursive: true, force: true });
  }
}

/** Plays a manifest (YAML text or parsed documents, e.g. `Testing.synth(chart)`) with `podman kube play --network none`. */
export function play(manifest: string | any[], opts: PlayOptions = {}): PlayedPod {
  const m = toPodmanManifest(manifest, opts);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${m.podName}-`));
  const file = path.join(dir, 'pod.yaml');
  fs.writeFileSync(file, [...m.extra, m.pod].map(d => JSON.stringify(d, undefined, 1)).join('\n---\n') + '\n');
  const start = Date.now();
  const r = podman(['kube', 'play', '--network', 'none', file], { timeoutMs: opts.timeoutMs ?? 120_000 });
  const pod = new PlayedPod(m, file, Date.now() - start);
  played.add(pod);
  if (r.code !== 0) {
    const msg = `podman kube play failed (code ${r.code}${r.timedOut ? ', timed out' : ''}): ${r.stderr.trim()}\nmanifest: ${file}`;
    pod.down();
    throw new Error(msg);
  }
  return pod;
}

/** Plays the manifest, runs fn, and always tears the pod down. */
export async function withPod<T>(manifest: string | any[], fn: (pod: PlayedPod) => T | Promise<T>, opts: PlayOptions = {}): Promise<T> {
  const pod = play(manifest, opts);
  try {
    return await fn(pod);
  } finally {
    pod.down();
  }
}

/** Removes the pods played by this process that are still up. */
export function downAll(): void {
  for (const p of [...played]) p.down();
}

/** Whether a name was made by another test process that is still running (`e2e-p<pid>-...`, see toPodmanManifest). */
function ownedByAnotherLiveProcess(name: string): boolean {
  const pid = Number(/^e2e-p(\d+)-/.exec(name)?.[1]);
  if (!pid || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes every pod, container outside a pod and volume whose name starts with prefix (leftovers of
 * crashed runs), except those of another test process that is still running (several runs of the
 * suite on one machine must not remove each other's pods). Returns the pod names.
 */
export function cleanupLeftovers(prefix: string = E2E_PREFIX): string[] {
  const mine = (n: string) => n.startsWith(prefix) && !ownedByAnotherLiveProcess(n);
  const pods = podman(['pod', 'ls', '--format', '{{.Name}}']).stdout.split('\n').filter(mine);
  if (pods.length) podman(['pod', 'rm', '--force', '--ignore', '-t', '0', ...pods], { timeoutMs: 120_000 });
  const loose = podman(['ps', '--all', '--format', '{{.Names}}|{{.Pod}}']).stdout.split('\n')
    .map(l => l.split('|')).filter(([n, pod]) => n && mine(n) && !pod).map(([n]) => n);
  if (loose.length) podman(['rm', '--force', '--ignore', '-t', '0', ...loose], { timeoutMs: 120_000 });
  const vols = podman(['volume', 'ls', '--format', '{{.Name}}']).stdout.split('\n').filter(mine);
  if (vols.length) podman(['volume', 'rm', '--force', ...vols], { timeoutMs: 60_000 });
  return pods;
}

/** Tears down on normal exit of the test process too (synchronous calls only). */
process.once('exit', downAll);

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** Capability names per file in `getcap` output (`/usr/bin/ping cap_net_raw=ep`, or the older `file = cap_x+ep`), upper case without `cap_`. */
export function getcapCapabilities(output: string): Map<string, string[]> {
  const files = new Map<string, string[]>();
  for (const line of output.split('\n').map(l => l.trim()).filter(l => l !== '')) {
    const [file, ...rest] = line.split(/\s+/);
    const caps = rest.join(' ').replace(/^=\s*/, '').replace(/[=+][a-z]*$/i, '');
    files.set(file, caps.split(',').map(c => c.trim().replace(/^cap_/i, '').toUpperCase()).filter(c => c !== ''));
  }
  return files;
}
