/**
 * The minimal style of `DebugImage.recipe` (`RecipeStyle.MINIMAL`), proven in podman: images
 * `FROM scratch` holding only the tools' binaries, the libraries the loader lists for them, a few
 * /etc files and a static shell, built on the local Debian minbase (localhost/e2e-base:1) and
 * cached by the recipe text (label e2e.key; the first run builds them, about 15-30 s each).
 *
 * - the seed example (examples/seed, tcpdump) with the minimal tcpdump image as the sidecar's image:
 *   it captures the app's traffic with exactly the derived capabilities, and without each one the
 *   kernel refuses;
 * - strace attaches, dig resolves (a small DNS responder in the app container), curl fetches over
 *   HTTPS from nginx with a test CA, each in its own minimal image;
 * - no setuid bit, and `getcap -r` (the host's, on the image mounted with `podman image mount`:
 *   the image has no getcap) shows nothing beyond the derived set;
 * - the keep-alive runs (mksh-static and busybox's sleep) and the container stops within a second
 *   of SIGTERM.
 *
 * Run with `bash test/e2e/run.sh` (root). Without podman or the images the tests are skipped with the
 * reason; E2E_REQUIRED=1 (set by run.sh) makes that a failure.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { appContainer, captureOneRequest, CAPTURED_SYN, nginxMasterPid, TCPDUMP_ERRORS } from './app';
import {
  APP_IMAGE, BASE_IMAGE, buildImage, cleanupLeftovers, DEBUG_IMAGE, exec, execInBackground, imageInspect, imageSize, podman,
  describeWithPodman, PlayedPod, withPod,
  getcapCapabilities,
} from './podman';
import { Capability, DebugImage, DebuggableDeployment, DebugSidecar, DebugTool, DebugWarnings, ImageFamily, RecipeStyle } from '../../src';
import { containerNamed, podSpecOf } from '../support/manifests';
import { synthExample } from '../support/readme-snippets';

const describeE2e = describeWithPodman('minimal image', [APP_IMAGE, BASE_IMAGE, DEBUG_IMAGE]);

jest.setTimeout(120_000);

/** One minimal image per tool, as the issue asks ("each in its own minimal image"). */
const IMAGES: Record<'tcpdump' | 'strace' | 'dig' | 'curl', { image: string; tools: DebugTool[]; recipe: string }> = {
  tcpdump: minimal('tcpdump', [DebugTool.TCPDUMP]),
  strace: minimal('strace', [DebugTool.STRACE]),
  dig: minimal('dig', [DebugTool.DIG]),
  curl: minimal('curl', [DebugTool.CURL]),
};

function minimal(name: string, tools: DebugTool[]): { image: string; tools: DebugTool[]; recipe: string } {
  const recipe = DebugImage.recipe({ tools, family: ImageFamily.DEBIAN, baseImage: BASE_IMAGE, style: RecipeStyle.MINIMAL });
  return { image: `localhost/e2e-minimal-${name}:1`, tools, recipe };
}

/** The target for the tcpdump image (a benchmark, kept here as a guard against regressions). */
const TCPDUMP_TARGET_BYTES = 25e6;

/** Linux capability numbers, to read CapEff/CapBnd of /proc/PID/status. */
const CAP_NAMES = ['CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE',
  'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE',
  'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE'];

function capabilityNames(hex: string): string[] {
  // Bit n of the mask, read from the binary digits (lowest bit last).
  const bits = BigInt(`0x${hex}`).toString(2).split('').reverse();
  return CAP_NAMES.filter((_, bit) => bits[bit] === '1').sort();
}

/** The host's view of a container's main process: pid, capability sets, command line. */
function mainProcess(podmanName: string): { pid: number; capEff: string[]; capBnd: string[]; cmdline: string[]; children: string[][] } {
  const pid = Number(imageOrContainer(['inspect', '--format', '{{.State.Pid}}', podmanName]));
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf-8');
  const field = (name: string) => capabilityNames(new RegExp(`^${name}:\\s+([0-9a-f]+)$`, 'm').exec(status)![1]);
  const cmdline = (p: number | string) => fs.readFileSync(`/proc/${p}/cmdline`, 'utf-8').split('\0').filter(s => s !== '');
  const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf-8').trim().split(/\s+/).filter(s => s !== '').map(cmdline);
  return { pid, capEff: field('CapEff'), capBnd: field('CapBnd'), cmdline: cmdline(pid), children };
}

function imageOrContainer(args: string[]): string {
  const r = podman(args);
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Runs fn with the image's root filesystem mounted on the host (`podman image mount`). */
function withMountedImage<T>(image: string, fn: (root: string) => T): T {
  const root = imageOrContainer(['image', 'mount', image]);
  try {
    return fn(root);
  } finally {
    podman(['image', 'unmount', image]);
  }
}

/** `getcap -r root`: the host's getcap, or the debug image's on the mounted tree when the host has none. */
function getcapRecursive(root: string): { tool: string; output: string } {
  const host = spawnSync('getcap', ['-r', root], { encoding: 'utf-8', env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
  if (!host.error) return { tool: 'host getcap', output: host.stdout };
  const r = podman(['run', '--rm', '--network', 'none', '--pull=never', '--volume', `${root}:/image:ro`, DEBUG_IMAGE, 'getcap', '-r', '/image']);
  if (r.code !== 0) throw new Error(`getcap in ${DEBUG_IMAGE}: ${r.stderr}`);
  return { tool: `getcap of ${DEBUG_IMAGE}`, output: r.stdout.split('/image').join(root) };
}


function deployment(image: string, tools: DebugTool[]): { objects: any[]; sidecar: DebugSidecar } {
  const chart = Testing.chart();
  DebugWarnings.silence(chart);
  const d = new DebuggableDeployment(chart, 'app', {
    containers: [appContainer(chart)],
    debug: { enabled: true, image: DebugImage.of(image, ImageFamily.DEBIAN), imagePullPolicy: kplus.ImagePullPolicy.NEVER, tools },
  });
  return { objects: Testing.synth(chart), sidecar: d.debug };
}

/**
 * examples/seed as `cdk8s synth` writes it with CDK8S_DEBUG=true, with the local images swapped into
 * the copy played: nginx from APP_IMAGE, and the sidecar running the minimal tcpdump image with the
 * security context the library derives for `DebugImage.of(<minimal tcpdump>, ImageFamily.DEBIAN)`
 * (optionally with the given capabilities instead).
 */
let seedObjects: any[] | undefined;
function seedWithMinimalTcpdump(capabilities?: Capability[]): { played: any[]; derived: string[]; securityContext: any } {
  seedObjects ??= synthExample('seed', [{ CDK8S_DEBUG: 'true' }])[0]; // a cdk8s synth in a child process: once per file
  const played = JSON.parse(JSON.stringify(seedObjects));
  const spec = podSpecOf(played.find((o: any) => o.kind === 'Deployment'));
  const chart = Testing.chart();
  DebugWarnings.silence(chart);
  const lib = new DebuggableDeployment(chart, 'seed', {
    containers: [appContainer(chart)],
    debug: {
      enabled: true,
      image: DebugImage.of(IMAGES.tcpdump.image, ImageFamily.DEBIAN),
      tools: [DebugTool.TCPDUMP],
      ...(capabilities ? { securityContext: { capabilities } } : {}),
    },
  });
  const securityContext = containerNamed(podSpecOf(Testing.synth(chart).find((o: any) => o.kind === 'Deployment')), lib.debug.containerName).securityContext;
  const debug = containerNamed(spec, 'debug');
  // Apart from the capabilities (netshoot is Alpine: NET_RAW only), the seed's sidecar is what the library derives for this image.
  expect({ ...debug.securityContext, capabilities: undefined }).toEqual({ ...securityContext, capabilities: undefined });
  Object.assign(debug, { image: IMAGES.tcpdump.image, imagePullPolicy: 'Never', securityContext });
  Object.assign(containerNamed(spec, 'nginx'), { image: APP_IMAGE, imagePullPolicy: 'Never' });
  return { played, derived: [...lib.debug.capabilities].sort(), securityContext };
}

/** A DNS responder on 127.0.0.1:5353 in the app container (perl-base is in every Debian image): A 192.0.2.7 for any name. */
const DNS_RESPONDER = [
  'use IO::Socket::INET; $| = 1;',
  'my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 5353, Proto => "udp") or die "bind: $!";',
  'print "ready\\n";',
  'while ($s->recv(my $q, 512)) {',
  '  my $i = 12; $i += 1 + ord(substr($q, $i, 1)) while ord(substr($q, $i, 1));',
  '  $s->send(substr($q, 0, 2) . pack("n5", 0x8180, 1, 1, 0, 0) . substr($q, 12, $i + 5 - 12)',
  '    . pack("nnnNn", 0xc00c, 1, 1, 60, 4) . pack("C4", 192, 0, 2, 7));',
  '}',
].join('\n');

/** A test CA and a certificate for e2e.test and 127.0.0.1 it signed (openssl on the host). */
function testCertificates(dir: string): { ca: string; cert: string; key: string } {
  const run = (args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf-8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=cdk8s-debuggable e2e test CA']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=e2e.test']);
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName = DNS:e2e.test, IP:127.0.0.1\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf']);
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf-8');
  return { ca: read('ca.pem'), cert: read('server.pem'), key: read('server.key') };
}

/** nginx over TLS on 127.0.0.1:8443 in the app container (uid 25000, everything under /tmp). */
const TLS_CONF = `daemon on;
worker_processes 1;
pid /tmp/tls.pid;
error_log stderr notice;
events { worker_connections 16; }
http {
  access_log off;
  client_body_temp_path /tmp/tls-body;
  proxy_temp_path /tmp/tls-proxy;
  fastcgi_temp_path /tmp/tls-fastcgi;
  uwsgi_temp_path /tmp/tls-uwsgi;
  scgi_temp_path /tmp/tls-scgi;
  server {
    listen 127.0.0.1:8443 ssl;
    ssl_certificate /tmp/tls-cert.pem;
    ssl_certificate_key /tmp/tls-key.pem;
    location / { default_type text/plain; return 200 "e2e-tls ok\\n"; }
  }
}
`;

function writeInto(container: string, file: string, text: string): void {
  const r = exec(container, ['sh', '-c', `cat > ${file}`], { input: text });
  if (r.code !== 0) throw new Error(`writing ${file} in ${container}: ${r.stderr}`);
}

describeE2e('minimal debug images from DebugImage.recipe({ style: RecipeStyle.MINIMAL }) (podman)', () => {
  beforeAll(() => {
    cleanupLeftovers();
    for (const { image, recipe } of Object.values(IMAGES)) {
      const b = buildImage(image, recipe);
      process.stderr.write(`[e2e] ${image}: ${b.built ? 'built' : 'cached'} in ${(b.ms / 1000).toFixed(1)} s, `
        + `${(imageSize(image) / 1e6).toFixed(1)} MB (key ${b.key})\n`);
    }
  }, 1_800_000);
  afterAll(() => { cleanupLeftovers(); });

  test('each image holds its tools, their libraries, a few /etc files and a static shell, and nothing of the base', () => {
    for (const [name, { image, recipe }] of Object.entries(IMAGES)) {
      expect(recipe).toMatch(/^FROM scratch$/m);
      expect(imageInspect(image, '{{index .Labels "io.github.cdk8s-debuggable.image-family"}}')).toBe('debian');
      withMountedImage(image, root => {
        const has = (p: string) => fs.existsSync(path.join(root, p));
        expect({ image, tool: has(`usr/bin/${name}`), sh: has('bin/sh'), sleep: has('bin/sleep'), loader: has('lib64/ld-linux-x86-64.so.2') })
          .toEqual({ image, tool: true, sh: true, sleep: true, loader: true });
        // Nothing of the base: no package manager, no coreutils, no other shell.
        for (const absent of ['usr/bin/apt-get', 'usr/bin/dpkg', 'usr/bin/bash', 'usr/bin/dash', 'usr/bin/ls', 'usr/bin/cat', 'usr/sbin/getcap', 'var/lib/dpkg']) {
          expect({ image, absent, present: has(absent) }).toEqual({ image, absent, present: false });
        }
        expect(fs.readFileSync(path.join(root, 'etc/passwd'), 'utf-8')).toMatch(/^root:x:0:0:/m);
      });
    }
    withMountedImage(IMAGES.tcpdump.image, root => {
      // Debian's tcpdump drops to the user its package added; services and protocols for names in its output.
      expect(fs.readFileSync(path.join(root, 'etc/passwd'), 'utf-8')).toMatch(/^tcpdump:x:\d+:\d+:/m);
      expect(fs.readFileSync(path.join(root, 'etc/group'), 'utf-8')).toMatch(/^tcpdump:x:\d+:/m);
      expect(fs.readFileSync(path.join(root, 'etc/services'), 'utf-8')).toMatch(/^http\s+80\/tcp/m);
      expect(fs.existsSync(path.join(root, 'etc/protocols'))).toBe(true);
    });
    withMountedImage(IMAGES.curl.image, root => {
      expect(fs.readFileSync(path.join(root, 'etc/ssl/certs/ca-certificates.crt'), 'utf-8')).toMatch(/-----BEGIN CERTIFICATE-----/);
    });
    expect(imageSize(IMAGES.tcpdump.image)).toBeLessThanOrEqual(TCPDUMP_TARGET_BYTES);
  });

  test('no setuid bit, and getcap -r (on the mounted image) shows nothing beyond the derived set', () => {
    for (const { image, tools } of Object.values(IMAGES)) {
      const derived = deployment(image, tools).sidecar.capabilities;
      withMountedImage(image, root => {
        const setuid = spawnSync('find', [root, '-xdev', '-type', 'f', '-perm', '/6000'], { encoding: 'utf-8' });
        expect(setuid.status).toBe(0);
        expect({ image, setuid: setuid.stdout.trim() }).toEqual({ image, setuid: '' });
        const { output } = getcapRecursive(root);
        for (const [file, caps] of getcapCapabilities(output)) {
          for (const c of caps) expect({ file, capability: c, allowed: derived.includes(c) }).toEqual({ file, capability: c, allowed: true });
        }
        // The copies carry no file capability at all.
        expect(output.trim()).toBe('');
      });
    }
  });

  test('the seed scenario with the minimal tcpdump image: exactly the derived capabilities, the capture works, and the keep-alive stops within a second of SIGTERM', async () => {
    const { played, derived } = seedWithMinimalTcpdump();
    expect(derived).toEqual(['NET_RAW', 'SETGID', 'SETUID']);
    await withPod(played, async pod => {
      expect(pod.containers).toEqual(['nginx', 'debug']);
      const debug = pod.podmanName('debug');
      const main = mainProcess(debug);
      expect({ capEff: main.capEff, capBnd: main.capBnd }).toEqual({ capEff: derived, capBnd: derived });
      // The library's keep-alive runs in the minimal image: sh (mksh-static) waiting on busybox's sleep.
      expect(main.cmdline.slice(0, 2)).toEqual(['/bin/sh', '-c']);
      expect(main.children).toEqual([['sleep', '3600']]);

      const capture = await captureOneRequest(debug, pod.podmanName('nginx'));
      expect(capture.code).toBe(0);
      expect(capture.stdout).toMatch(CAPTURED_SYN);
      expect(capture.stdout).toContain('GET / HTTP/1.1');

      // SIGTERM to the sidecar only: the keep-alive's trap exits 0 at once. `podman stop` (not `kill`: the
      // Pod's restartPolicy Always would restart a container that exits on its own) with a 30 s grace
      // period; the time is counted from before the podman client starts, so it is an upper bound.
      const sent = Date.now();
      const stop = podman(['stop', '--time', '30', debug], { timeoutMs: 60_000 });
      expect({ code: stop.code, stderr: stop.stderr }).toEqual({ code: 0, stderr: '' });
      const [exitCode, finishedAt] = imageOrContainer(['inspect', '--format', '{{.State.ExitCode}} {{.State.FinishedAt.Format "2006-01-02T15:04:05.000Z07:00"}}', debug]).split(' ');
      const finished = Date.parse(finishedAt);
      expect(Number(exitCode)).toBe(0); // the trap's exit 0, not 143 (killed by TERM) or 137 (SIGKILL after the grace period)
      expect(finished - sent).toBeLessThan(1000);
      process.stderr.write(`[e2e] minimal tcpdump sidecar: exited ${finished - sent} ms after SIGTERM\n`);
    });
  });

  test.each(['NET_RAW', 'SETUID', 'SETGID'])('the seed scenario without %s: tcpdump in the minimal image fails with the kernel\'s error', async missing => {
    const full = seedWithMinimalTcpdump().derived;
    const { played, securityContext } = seedWithMinimalTcpdump(full.filter(c => c !== missing).map(c => Capability.of(c)));
    expect(securityContext.capabilities.add).not.toContain(missing);
    await withPod(played, async pod => {
      const debug = pod.podmanName('debug');
      expect(mainProcess(debug).capEff).toEqual(full.filter(c => c !== missing));
      const capture = await captureOneRequest(debug, pod.podmanName('nginx'));
      expect(capture.code).not.toBe(0);
      expect(capture.stderr).toMatch(TCPDUMP_ERRORS[missing]);
    });
  });

  test('strace, in its own minimal image, attaches to the app\'s nginx', async () => {
    const { objects, sidecar } = deployment(IMAGES.strace.image, IMAGES.strace.tools);
    expect(sidecar.capabilities).toEqual(['SYS_PTRACE']);
    await withPod(objects, async (pod: PlayedPod) => {
      const pid = nginxMasterPid(pod.podmanName('main'));
      // No `timeout` in the image: the shell's own job control stops strace after two seconds.
      const r = pod.exec(sidecar.containerName, ['sh', '-c', `strace -p ${pid} -o /dev/null & s=$!; sleep 2; kill $s; wait $s`]);
      expect(r.stderr).toContain(`Process ${pid} attached`);
    });
  });

  test('dig, in its own minimal image (user 65534, no capability), resolves a name from a DNS server in the Pod', async () => {
    const { objects, sidecar } = deployment(IMAGES.dig.image, IMAGES.dig.tools);
    expect(sidecar.capabilities).toEqual([]);
    expect(sidecar.runAsUser).toBe(65534);
    await withPod(objects, async pod => {
      const dns = execInBackground(pod.podmanName('main'), ['perl', '-e', DNS_RESPONDER]);
      await dns.waitForOutput(/ready/, 15_000);
      const dig = pod.exec(sidecar.containerName, ['dig', '+short', '+tries=1', '+time=3', '-p', '5353', '@127.0.0.1', 'e2e.example']);
      expect({ code: dig.code, out: dig.stdout.trim(), err: dig.stderr }).toEqual({ code: 0, out: '192.0.2.7', err: '' });
      // bind's nslookup (not a busybox applet of the same name)
      const nslookup = pod.exec(sidecar.containerName, ['sh', '-c', 'nslookup -port=5353 e2e.example 127.0.0.1']);
      expect(nslookup.stdout).toMatch(/Name:\s+e2e\.example\s+Address: 192\.0\.2\.7/);
      const me = mainProcess(pod.podmanName(sidecar.containerName));
      expect(me.capEff).toEqual([]);
    });
  });

  test('curl, in its own minimal image, fetches over HTTPS from nginx in the Pod with a test CA, and verifies against its CA bundle', async () => {
    const { objects, sidecar } = deployment(IMAGES.curl.image, IMAGES.curl.tools);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-tls-'));
    try {
      const { ca, cert, key } = testCertificates(dir);
      await withPod(objects, async pod => {
        const app = pod.podmanName('main');
        writeInto(app, '/tmp/tls-cert.pem', cert);
        writeInto(app, '/tmp/tls-key.pem', key);
        writeInto(app, '/tmp/tls.conf', TLS_CONF);
        const nginx = exec(app, ['nginx', '-e', 'stderr', '-c', '/tmp/tls.conf']);
        expect({ code: nginx.code, stderr: nginx.stderr }).toMatchObject({ code: 0 });
        const debug = pod.podmanName(sidecar.containerName);
        // The image has no cat: the shell writes the CA into the sidecar's /tmp.
        const put = exec(debug, ['sh', '-c', 'while IFS= read -r l; do print -r -- "$l"; done > /tmp/ca.pem'], { input: ca });
        expect(put.code).toBe(0);

        const url = ['--resolve', 'e2e.test:8443:127.0.0.1', 'https://e2e.test:8443/'];
        const ok = exec(debug, ['curl', '-sS', '--cacert', '/tmp/ca.pem', ...url]);
        expect({ code: ok.code, out: ok.stdout, err: ok.stderr }).toEqual({ code: 0, out: 'e2e-tls ok\n', err: '' });
        // Without the test CA, curl verifies against the image's bundle, which does not hold it.
        const untrusted = exec(debug, ['curl', '-sS', '-v', ...url]);
        expect(untrusted.code).toBe(60);
        expect(untrusted.stderr).toMatch(/CAfile: \/etc\/ssl\/certs\/ca-certificates\.crt/);
        expect(untrusted.stderr).toMatch(/SSL certificate problem: unable to get local issuer certificate/);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
