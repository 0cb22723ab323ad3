/**
 * Measures the minimal capability set of each debug tool in localhost/e2e-debug:1
 * (root, drop ALL + add, allowPrivilegeEscalation false, read-only rootfs, emptyDir /tmp),
 * and the error each tool prints when one capability of that set is missing.
 * One Pod, one debug container per capability set, app = nginx as uid 25000.
 *
 *   bash test/e2e/setup.sh && npx ts-node --transpile-only test/e2e/measure-caps.ts
 *
 * Prints a Markdown table (the source of MEASURED.md) and the raw results. ~1 minute.
 */
import { execSync } from 'child_process';
import { APP_IMAGE, APP_PORT, DEBUG_IMAGE, podman, podmanAvailable, withPod } from './podman';

interface ToolCase {
  readonly tool: string;
  /** Shell command run in the debug container; NGINX_PID is set. */
  readonly cmd: string;
  readonly minimal: string[];
  /** Judges the output: true when the tool did its job. */
  readonly ok: (code: number | null, out: string) => boolean;
  readonly note?: string;
}

const CAPTURE = (tool: string) =>
  `timeout 8 ${tool} >/tmp/o 2>/tmp/e & sleep 2; curl -s 127.0.0.1:${APP_PORT}/ >/dev/null; wait $!; rc=$?; `
  + 'echo "packets=$(grep -c 127.0.0.1 /tmp/o)"; cat /tmp/e; exit $rc';

const CASES: ToolCase[] = [
  {
    tool: 'tcpdump -i lo',
    cmd: CAPTURE(`tcpdump -i lo -nn -c 2 tcp port ${APP_PORT}`),
    minimal: ['NET_RAW', 'SETUID', 'SETGID'],
    ok: (c, o) => c === 0 && /packets=2/.test(o),
  },
  {
    tool: 'tcpdump -Z root -i lo',
    cmd: CAPTURE(`tcpdump -Z root -i lo -nn -c 2 tcp port ${APP_PORT}`),
    minimal: ['NET_RAW', 'SETGID'],
    ok: (c, o) => c === 0 && /packets=2/.test(o),
  },
  { tool: 'tcpdump -D', cmd: 'tcpdump -D', minimal: [], ok: (c, o) => c === 0 && /\blo\b/.test(o) },
  {
    tool: 'tshark -i lo',
    cmd: CAPTURE(`tshark -i lo -c 2 -f "tcp port ${APP_PORT}"`),
    minimal: ['NET_RAW'],
    ok: (c, o) => c === 0 && /packets=[1-9]/.test(o),
    note: 'captures, but without NET_ADMIN dumpcap prints `cap_set_proc() fail return: Operation not permitted` (twice)',
  },
  {
    tool: 'tshark -i lo (no warning)',
    cmd: CAPTURE(`tshark -i lo -c 2 -f "tcp port ${APP_PORT}"`),
    minimal: ['NET_RAW', 'NET_ADMIN'],
    ok: (c, o) => c === 0 && /packets=[1-9]/.test(o) && !/cap_set_proc/.test(o),
  },
  {
    tool: 'dumpcap -i lo',
    cmd: CAPTURE(`dumpcap -i lo -c 2 -f "tcp port ${APP_PORT}" -w /tmp/c.pcapng`),
    minimal: ['NET_RAW'],
    ok: c => c === 0,
    note: 'same cap_set_proc() warning as tshark without NET_ADMIN',
  },
  {
    tool: 'strace -p <nginx master, uid 25000>',
    cmd: 'timeout 2 strace -p $NGINX_PID -o /dev/null; rc=$?; [ $rc = 124 ] && exit 0; exit $rc',
    minimal: ['SYS_PTRACE'],
    ok: (c, o) => c === 0 && /attached/.test(o),
    note: 'without KILL, detaching prints `strace: detach: tkill(PID,0): Operation not permitted`',
  },
  {
    tool: 'strace -p (no warning)',
    cmd: 'timeout 2 strace -p $NGINX_PID -o /dev/null; rc=$?; [ $rc = 124 ] && exit 0; exit $rc',
    minimal: ['SYS_PTRACE', 'KILL'],
    ok: (c, o) => c === 0 && /attached/.test(o) && !/not permitted/.test(o),
  },
  {
    tool: 'ss -tlnp (process names)',
    cmd: 'ss -tlnp',
    minimal: ['SYS_PTRACE', 'DAC_READ_SEARCH'],
    ok: (c, o) => c === 0 && /nginx/.test(o),
    note: 'without them ss succeeds but shows no process column (silent)',
  },
  { tool: 'ping -c1 127.0.0.1', cmd: 'ping -c1 -W1 127.0.0.1', minimal: ['NET_RAW'], ok: c => c === 0 },
  {
    tool: 'dig @127.0.0.1',
    cmd: 'dig +tries=1 +time=1 @127.0.0.1 example.test',
    minimal: [],
    ok: (_c, o) => /connection refused/.test(o) && !/not permitted/i.test(o),
    note: 'no DNS server under --network none: the query is sent and refused (no permission error)',
  },
  { tool: 'curl http://127.0.0.1', cmd: `curl -sS http://127.0.0.1:${APP_PORT}/`, minimal: [], ok: (c, o) => c === 0 && /e2e-app ok/.test(o) },
  { tool: 'ps -e (sees nginx)', cmd: 'ps -e', minimal: [], ok: (c, o) => c === 0 && /nginx/.test(o) },
];

const SHORT: Record<string, string> = {
  NET_RAW: 'raw', SETUID: 'uid', SETGID: 'gid', NET_ADMIN: 'adm', SYS_PTRACE: 'ptr', KILL: 'kill', DAC_READ_SEARCH: 'dac',
};
const setName = (caps: string[]) => 'caps-' + ([...caps].sort().map(c => SHORT[c]).join('-') || 'none');

function variants(c: ToolCase): string[][] {
  return [c.minimal, ...c.minimal.map(drop => c.minimal.filter(x => x !== drop))];
}

const KEEP_ALIVE = ['/bin/sh', '-c', "trap 'exit 0' TERM INT; while true; do sleep 3600 & wait $!; done"];

function manifest(): any[] {
  const sets = new Map<string, string[]>();
  for (const c of CASES) for (const v of variants(c)) sets.set(setName(v), [...v].sort());
  const debug = [...sets].map(([name, caps]) => ({
    name,
    image: DEBUG_IMAGE,
    imagePullPolicy: 'Never',
    command: KEEP_ALIVE,
    securityContext: {
      runAsUser: 0,
      runAsNonRoot: false,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: caps },
    },
    volumeMounts: [{ name: `tmp-${name}`, mountPath: '/tmp' }],
  }));
  const app = {
    name: 'app',
    image: APP_IMAGE,
    imagePullPolicy: 'Never',
    securityContext: {
      runAsUser: 25000,
      runAsGroup: 26000,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [{ name: 'tmp-app', mountPath: '/tmp' }],
  };
  const containers = [app, ...debug];
  return [{
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'measure-caps' },
    spec: {
      shareProcessNamespace: true,
      restartPolicy: 'Never',
      containers,
      volumes: containers.map(c => ({ name: `tmp-${c.name}`, emptyDir: {} })),
    },
  }];
}

/** The lines of output that explain a failure (noise of successful runs removed). */
function errorText(out: string): string {
  return out.split('\n')
    .filter(l => l.trim() && !/^packets=|^listening on|packets (captured|received|dropped)|^Capturing on|Running as user|^File:|\[Main MESSAGE\]/.test(l))
    .join(' / ').slice(0, 200);
}

async function main(): Promise<void> {
  const avail = podmanAvailable();
  if (!avail.ok) throw new Error(avail.reason);
  const versions = {
    podman: podman(['version', '--format', '{{.Client.Version}}']).stdout.trim(),
    runc: execSync('runc --version').toString().split('\n')[0],
    kernel: execSync('uname -r').toString().trim(),
  };
  const rows: string[] = [];
  const raw: string[] = [];
  await withPod(manifest(), async pod => {
    console.error(`played ${pod.name} (${pod.containers.length} containers) in ${pod.playMs} ms`);
    const tools = pod.exec('caps-none', ['sh', '-c', 'tcpdump --version 2>&1 | head -1; tshark --version | head -1; strace -V | head -1; ping -V; dig -v 2>&1; curl --version | head -1; cat /etc/debian_version']);
    raw.push('tool versions: ' + tools.stdout.trim().split('\n').join(' | '));
    const nginxPid = pod.exec('app', ['cat', '/tmp/nginx.pid']).stdout.trim();
    for (const c of CASES) {
      const results = variants(c).map(v => {
        const r = pod.exec(setName(v), ['sh', '-c', `NGINX_PID=${nginxPid}; ${c.cmd}`], { timeoutMs: 20_000 });
        const out = r.stdout + r.stderr;
        const ok = c.ok(r.code, out);
        raw.push(`${c.tool} [${v.join(',') || 'none'}] code=${r.code} ok=${ok} :: ${out.trim().split('\n').join(' | ').slice(0, 300)}`);
        return { caps: v, code: r.code, ok, err: errorText(out) };
      });
      const [min, ...missing] = results;
      const missingText = c.minimal.length === 0 ? '(nothing to remove)' : missing.map((m, i) =>
        `without ${c.minimal[i]}: ${m.ok ? '**still works**' : `exit ${m.code}: \`${m.err}\``}`).join('<br>');
      rows.push(`| ${c.tool} | ${c.minimal.join(', ') || 'none'} | ${min.ok ? 'works' : `**FAILS** exit ${min.code}: ${min.err}`} | ${missingText} | ${c.note ?? ''} |`);
    }
  });
  console.log(`podman ${versions.podman}, ${versions.runc}, kernel ${versions.kernel}, image ${DEBUG_IMAGE}\n`);
  console.log('| tool | minimal caps | with the minimal set | with one capability removed | note |');
  console.log('|---|---|---|---|---|');
  console.log(rows.join('\n'));
  console.log('\nraw:\n' + raw.join('\n'));
}

main().catch(e => { console.error(e); process.exit(1); });
