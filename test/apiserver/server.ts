import { ChildProcess, spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/*
 * A real kube-apiserver + etcd on 127.0.0.1 for tests: full server-side
 * validation (defaulting, strict field validation) and admission (PodSecurity
 * at any enforce-version). No scheduler, kubelet or controller-manager runs:
 * Pods stay Pending, Namespaces are never finalized, and no ServiceAccount is
 * created by itself (createNamespace adds `default`).
 *
 * The binaries come from build.sh (Go modules, cached outside the repo).
 */

const BUILD_SCRIPT = path.join(__dirname, 'build.sh');

export interface ServerAvailability {
  readonly ok: boolean;
  readonly reason?: string;
  /** Directory holding kube-apiserver, kubectl and etcd, when ok. */
  readonly binDir?: string;
}

let availability: ServerAvailability | undefined;

/**
 * Builds the binaries if needed (once per process; a cache hit takes
 * milliseconds, a cold build several minutes) and reports whether a server
 * can be started.
 */
export function serverAvailable(): ServerAvailability {
  if (availability) return availability;
  const run = spawnSync('bash', [BUILD_SCRIPT], { encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const binDir = run.stdout?.trim().split('\n').pop() ?? '';
  if (run.error) {
    availability = { ok: false, reason: `cannot run build.sh: ${run.error.message}` };
  } else if (run.status === 3) {
    availability = { ok: false, reason: `Go not installed: ${run.stderr.trim()}` };
  } else if (run.status !== 0) {
    const lastLines = `${run.stderr}${run.stdout}`.trim().split('\n').slice(-15).join('\n');
    availability = { ok: false, reason: `building kube-apiserver failed (exit ${run.status ?? run.signal}):\n${lastLines}` };
  } else {
    const missing = ['kube-apiserver', 'kubectl', 'etcd'].filter(b => !existsSync(path.join(binDir, b)));
    availability = missing.length > 0
      ? { ok: false, reason: `build.sh succeeded but ${missing.join(', ')} missing in '${binDir}'` }
      : { ok: true, binDir };
  }
  return availability;
}

export interface KubectlResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface KubectlOptions {
  /** Written to kubectl's standard input (for `-f -`). */
  readonly input?: string;
}

export interface StartOptions {
  /** How long to wait for /readyz. @default 60 s */
  readonly readyTimeoutMs?: number;
  /** Extra kube-apiserver flags, e.g. ['--feature-gates=...']. */
  readonly apiserverArgs?: string[];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf-8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Every live server of this process, killed on exit if a test forgot stop(). */
const live = new Set<ApiServer>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const server of live) server.killNow();
  });
}

/** A running etcd + kube-apiserver pair. Create with `ApiServer.start()`; always `stop()`. */
export class ApiServer {
  /**
   * Starts etcd and kube-apiserver (builds them first if needed) and waits for /readyz.
   * Throws if the binaries are unavailable or the server does not become ready.
   */
  public static async start(options: StartOptions = {}): Promise<ApiServer> {
    const available = serverAvailable();
    if (!available.ok) throw new Error(`kube-apiserver unavailable: ${available.reason}`);
    const server = new ApiServer(available.binDir!);
    try {
      await server.boot(options);
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  /** Directory of the server's certificates, keys, kubeconfig, logs and etcd data; removed by stop(). */
  public readonly dir: string;
  /** Path of a kubeconfig (user `admin`, group system:masters) for this server. */
  public readonly kubeconfig: string;
  /** https://127.0.0.1:<port> */
  public url = '';
  /** Milliseconds from spawning etcd to /readyz answering ok. */
  public startToReadyMs = 0;

  private readonly token = randomBytes(24).toString('hex');
  private readonly processes: ChildProcess[] = [];
  private stopped = false;

  private constructor(private readonly binDir: string) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'cdk8s-apiserver-'));
    this.kubeconfig = path.join(this.dir, 'kubeconfig');
    live.add(this);
    installExitHook();
  }

  /** The built kubectl, with this server's kubeconfig and a private discovery cache. Synchronous. */
  public kubectl(args: string[], options: KubectlOptions = {}): KubectlResult {
    const run = spawnSync(path.join(this.binDir, 'kubectl'),
      ['--kubeconfig', this.kubeconfig, '--cache-dir', path.join(this.dir, 'kube-cache'), ...args], {
        input: options.input, encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, KUBECONFIG: this.kubeconfig },
      });
    if (run.error) throw new Error(`kubectl ${args.join(' ')}: ${run.error.message}`);
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  /** Like kubectl(), but throws with stderr unless it exits 0. */
  public kubectlOk(args: string[], options: KubectlOptions = {}): string {
    const r = this.kubectl(args, options);
    if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  /**
   * Creates a Namespace with labels, and its `default` ServiceAccount (no
   * controller-manager runs to do it; Pods are refused without it). Names
   * cannot be reused on one server: Namespaces are never finalized.
   */
  public createNamespace(name: string, labels: Record<string, string> = {}): void {
    const objects = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } },
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: name } },
      ],
    };
    this.kubectlOk(['create', '-f', '-'], { input: JSON.stringify(objects) });
  }

  /** Kills both processes and removes the temp directory. Safe to call twice. */
  public async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // apiserver first, then etcd.
    for (const child of [...this.processes].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>(resolve => { timer = setTimeout(() => resolve(true), 10_000); }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    live.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** @internal synchronous last resort at process exit. */
  public killNow(): void {
    for (const child of this.processes) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private spawnLogged(name: string, args: string[]): ChildProcess {
    const log = openSync(path.join(this.dir, `${name}.log`), 'a');
    const child = spawn(path.join(this.binDir, name), args, { stdio: ['ignore', log, log], cwd: this.dir });
    closeSync(log);
    this.processes.push(child);
    return child;
  }

  private async boot(options: StartOptions): Promise<void> {
    const d = (f: string) => path.join(this.dir, f);
    // Service-account signing key pair.
    for (const args of [
      ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', d('sa.key')],
      ['pkey', '-in', d('sa.key'), '-pubout', '-out', d('sa.pub')],
    ]) {
      const r = spawnSync('openssl', args, { encoding: 'utf-8' });
      if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.error?.message ?? r.stderr}`);
    }
    writeFileSync(d('tokens.csv'), `${this.token},admin,admin,"system:masters"\n`, { mode: 0o600 });

    const [etcdClient, etcdPeer, securePort] = [await freePort(), await freePort(), await freePort()];
    const started = Date.now();
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    this.spawnLogged('etcd', [
      '--name=test', `--data-dir=${d('etcd')}`,
      `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`, `--initial-advertise-peer-urls=${peerUrl}`, `--initial-cluster=test=${peerUrl}`,
      '--unsafe-no-fsync', '--log-level=warn',
    ]);
    this.spawnLogged('kube-apiserver', [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${securePort}`,
      // 1.37 refuses a loopback advertise address for the `kubernetes` Service's endpoints; nothing here needs them.
      '--endpoint-reconciler-type=none',
      `--cert-dir=${d('certs')}`,
      `--token-auth-file=${d('tokens.csv')}`, '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${d('sa.pub')}`, `--service-account-signing-key-file=${d('sa.key')}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      '--profiling=false',
      ...(options.apiserverArgs ?? []),
    ]);
    this.url = `https://127.0.0.1:${securePort}`;
    // kube-apiserver writes a self-signed serving certificate (with its CA) into --cert-dir.
    const cert = d('certs/apiserver.crt');
    writeFileSync(this.kubeconfig, [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: test\n  cluster:\n    server: ${this.url}\n    certificate-authority: ${cert}`,
      'users:',
      `- name: admin\n  user:\n    token: ${this.token}`,
      'contexts:',
      '- name: test\n  context:\n    cluster: test\n    user: admin',
      'current-context: test',
      '',
    ].join('\n'), { mode: 0o600 });

    const deadline = started + (options.readyTimeoutMs ?? 60_000);
    let last = 'not tried';
    while (Date.now() < deadline) {
      const dead = this.processes.find(p => p.exitCode !== null || p.signalCode !== null);
      if (dead) {
        const name = path.basename(dead.spawnfile);
        throw new Error(`${name} exited (${dead.exitCode ?? dead.signalCode}) before /readyz:\n${tail(d(`${name}.log`))}`);
      }
      if (existsSync(cert)) {
        last = await this.get('/readyz', readFileSync(cert)).catch((e: Error) => e.message);
        if (last === 'ok') {
          this.startToReadyMs = Date.now() - started;
          return;
        }
      }
      await sleep(200);
    }
    throw new Error(`kube-apiserver not ready after ${options.readyTimeoutMs ?? 60_000} ms (last /readyz: ${last}):\n`
      + `${tail(d('kube-apiserver.log'))}\netcd:\n${tail(d('etcd.log'), 10)}`);
  }

  private get(urlPath: string, ca: Buffer): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = https.get(`${this.url}${urlPath}`, { ca, headers: { Authorization: `Bearer ${this.token}` }, timeout: 2000 }, res => {
        let body = '';
        res.setEncoding('utf-8');
        res.on('data', c => { body += c; });
        res.on('end', () => resolve(res.statusCode === 200 ? body.trim() : `HTTP ${res.statusCode}: ${body.trim().slice(0, 300)}`));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
    });
  }
}

/** Starts a server (see ApiServer.start). */
export function startServer(options: StartOptions = {}): Promise<ApiServer> {
  return ApiServer.start(options);
}
