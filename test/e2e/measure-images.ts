/**
 * Measures the images `DebugImage.recipe` writes, in podman on the local Debian base
 * (localhost/e2e-base:1): for each built-in tool alone and for the seed's set (tcpdump, strace,
 * dig), in the minimal style and in the full style, the size uncompressed (`podman image inspect
 * {{.Size}}`) and compressed (`podman save | gzip -c | wc -c`, what a registry would roughly serve),
 * the cold build time (`podman build --no-cache`, apt downloads included), and a smoke run of each
 * tool in its minimal image with the capabilities derived for it.
 *
 *   bash test/e2e/setup.sh && npx ts-node --transpile-only test/e2e/measure-images.ts [--minimal-only] [tool ...]
 *
 * Prints a Markdown table (the source of the table in docs/image-recipe.md). About 10 minutes.
 * The images are tagged localhost/e2e-measure-<style>-<name>:1 and removed at the end
 * (E2E_KEEP=1 keeps them).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BASE_IMAGE, CONTAINERS_CONF, imageSize, podman, podmanAvailable } from './podman';
import { DebugImage, DebugTool, ImageFamily, RecipeStyle } from '../../src';
import { derivePrivileges } from '../../src/privileges/derive';

interface Case {
  readonly name: string;
  readonly tools: DebugTool[];
  /** Shell command run in the minimal image (mksh-static as sh; busybox only as `busybox <applet>`); exit 0 and `expect` in its output means the tool works. */
  readonly smoke: string;
  readonly expect: RegExp;
}

const CASES: Case[] = [
  { name: 'tcpdump', tools: [DebugTool.TCPDUMP], smoke: 'tcpdump --version && tcpdump -D', expect: /tcpdump version[\s\S]*\blo\b/ },
  { name: 'tshark', tools: [DebugTool.TSHARK], smoke: 'tshark -v && dumpcap -D && tshark -G protocols | busybox wc -l', expect: /TShark[\s\S]*\blo\b[\s\S]*\n\s*\d{4,}\n/ },
  { name: 'ping', tools: [DebugTool.PING], smoke: 'ping -c 1 -W 2 127.0.0.1', expect: /1 received/ },
  { name: 'traceroute', tools: [DebugTool.TRACEROUTE], smoke: 'traceroute -n -m 1 127.0.0.1 && command -v traceroute6 tcptraceroute', expect: /127\.0\.0\.1[\s\S]*\/traceroute6\n.*\/tcptraceroute\n/ },
  { name: 'nmap', tools: [DebugTool.NMAP], smoke: 'nmap -n -sT -p 9 127.0.0.1', expect: /9\/tcp\s+closed\s+discard/ },
  { name: 'iptables', tools: [DebugTool.IPTABLES], smoke: 'iptables -A INPUT -p tcp --dport 9 -j DROP && iptables -S INPUT && ip6tables -S', expect: /-A INPUT -p tcp -m tcp --dport 9 -j DROP/ },
  { name: 'dig', tools: [DebugTool.DIG], smoke: 'dig -v 2>&1; host -V 2>&1; nslookup -version 2>&1', expect: /DiG 9\.[\s\S]*host 9\.[\s\S]*nslookup 9\./ },
  { name: 'curl', tools: [DebugTool.CURL], smoke: 'curl --version && test -s /etc/ssl/certs/ca-certificates.crt', expect: /curl \d+\.\d+[\s\S]*Protocols:.*https/ },
  { name: 'strace', tools: [DebugTool.STRACE], smoke: 'strace -o /dev/null sleep 0 && strace -V', expect: /strace -- version/ },
  { name: 'gdb', tools: [DebugTool.GDB], smoke: 'gdb -batch -ex "python print(6 * 7)"', expect: /^42$/m },
  { name: 'perf', tools: [DebugTool.PERF], smoke: 'perf --version', expect: /perf version/ },
  { name: 'nsenter', tools: [DebugTool.NSENTER], smoke: 'nsenter --version', expect: /nsenter from util-linux/ },
  {
    name: 'tcpdump+strace+dig',
    tools: [DebugTool.TCPDUMP, DebugTool.STRACE, DebugTool.DIG],
    smoke: 'tcpdump --version && strace -V && dig -v 2>&1',
    expect: /tcpdump version[\s\S]*strace -- version[\s\S]*DiG 9\./,
  },
];

interface Row {
  readonly name: string;
  readonly style: RecipeStyle;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly buildSeconds: number;
  readonly files: number;
  readonly smoke?: string;
}

function build(image: string, containerfile: string): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-measure-'));
  try {
    fs.writeFileSync(path.join(dir, 'Containerfile'), containerfile);
    const start = Date.now();
    const r = podman(['build', '--no-cache', '--network', 'host', '--pull=never', '--tag', image, '--file', path.join(dir, 'Containerfile'), dir],
      { timeoutMs: 1_800_000 });
    if (r.code !== 0) throw new Error(`podman build ${image} failed: ${(r.stdout + r.stderr).slice(-3000)}`);
    return (Date.now() - start) / 1000;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `podman save IMAGE | gzip -c | wc -c`. */
function gzipSize(image: string): number {
  const r = spawnSync('sh', ['-c', 'podman save "$1" 2>/dev/null | gzip -c | wc -c', 'sh', image],
    { env: { ...process.env, CONTAINERS_CONF }, encoding: 'utf-8', maxBuffer: 1024 * 1024 });
  return Number(r.stdout.trim());
}

function fileCount(image: string): number {
  const r = podman(['image', 'mount', image]);
  if (r.code !== 0) return NaN;
  try {
    const out = spawnSync('sh', ['-c', 'find "$1" -type f | wc -l', 'sh', r.stdout.trim()], { encoding: 'utf-8' });
    return Number(out.stdout.trim());
  } finally {
    podman(['image', 'unmount', image]);
  }
}

function smoke(image: string, c: Case): string {
  const p = derivePrivileges(c.tools, ImageFamily.DEBIAN, undefined, undefined);
  const flags = ['--user', String(p.runAsUser), '--cap-drop', 'ALL', ...p.capabilities.flatMap(x => ['--cap-add', x])];
  const r = podman(['run', '--rm', '--network', 'none', '--pull=never', ...flags, image, '/bin/sh', '-c', c.smoke], { timeoutMs: 60_000 });
  const out = r.stdout + r.stderr;
  return r.code === 0 && c.expect.test(out) ? 'works' : `FAILED (exit ${r.code}): ${out.trim().slice(-400).replace(/\n/g, ' / ')}`;
}

function main(): void {
  const available = podmanAvailable([BASE_IMAGE]);
  if (!available.ok) throw new Error(available.reason);
  const args = process.argv.slice(2);
  const styles = args.includes('--minimal-only') ? [RecipeStyle.MINIMAL] : [RecipeStyle.MINIMAL, RecipeStyle.FULL];
  const names = args.filter(a => !a.startsWith('--'));
  const rows: Row[] = [];
  for (const c of CASES.filter(x => names.length === 0 || names.includes(x.name))) {
    for (const style of styles) {
      const image = `localhost/e2e-measure-${style}-${c.name.replace(/\+/g, '-')}:1`;
      const recipe = DebugImage.recipe({ tools: c.tools, family: ImageFamily.DEBIAN, baseImage: BASE_IMAGE, style });
      let row: Row;
      try {
        const buildSeconds = build(image, recipe);
        row = {
          name: c.name,
          style,
          buildSeconds,
          bytes: imageSize(image),
          gzipBytes: gzipSize(image),
          files: fileCount(image),
          smoke: style === RecipeStyle.MINIMAL ? smoke(image, c) : undefined,
        };
      } catch (e) {
        row = { name: c.name, style, buildSeconds: NaN, bytes: NaN, gzipBytes: NaN, files: NaN, smoke: String(e).slice(0, 600) };
      }
      rows.push(row);
      process.stderr.write(`[measure] ${JSON.stringify(row)}\n`);
      if (!process.env.E2E_KEEP) podman(['rmi', '--force', image], { timeoutMs: 120_000 });
    }
  }
  podman(['image', 'prune', '--force'], { timeoutMs: 300_000 });
  const mb = (n: number) => (n / 1e6).toFixed(1);
  console.log('| tools | style | uncompressed | compressed (gzip of `podman save`) | files | cold build | minimal image smoke run |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.style} | ${mb(r.bytes)} MB | ${mb(r.gzipBytes)} MB | ${r.files} | ${r.buildSeconds.toFixed(1)} s | ${r.smoke ?? ''} |`);
  }
}

main();
