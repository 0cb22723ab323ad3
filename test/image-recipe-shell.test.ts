// The shell that DebugImage.recipe writes, run on this machine: the minimal
// style's copy step on a temp root, and the hardening step in a chroot. The
// podman suites (test/e2e) build the real images; these run in a second and
// say which line of the script does what.
//
// Safety: a broken script (a mutant, under Stryker) must not touch this
// machine. The copy step runs as nobody when the tests run as root, so it can
// write nowhere but the temp dirs it owns; the hardening step strips bits and
// capabilities as root, so it runs only in a chroot of a temp dir.

import { spawnSync, SpawnSyncReturns } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DebugImage, DebugTool, ImageFamily, RecipeStyle } from '../src';

const IS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;
/** The PATH of the Debian builder (the image's default). */
const BUILDER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function has(program: string): boolean {
  return spawnSync('/bin/sh', ['-c', `command -v ${program}`]).status === 0;
}
// Without root, chroot, libcap's tools or a C compiler, those tests skip locally;
// under CI=true they run and fail, as the tool-needing suites do.
const REQUIRED = process.env.CI === 'true';
const CAN_CHROOT = REQUIRED || (IS_ROOT && has('chroot') && has('setcap') && has('getcap'));
const HAS_CC = REQUIRED || has('cc');

// ---------------------------------------------------------------- Dockerfile

interface Instruction { readonly keyword: string; readonly args: string }

const KEYWORDS = new Set(['ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

/**
 * A Dockerfile's instructions as BuildKit reads them: a line ending in `\` goes on
 * with the next (the backslash and newline removed), comment and empty lines are
 * dropped, also inside an instruction.
 */
function instructions(dockerfile: string): Instruction[] {
  const lines = dockerfile.split('\n');
  const skipped = (line: string) => line.trim() === '' || /^\s*#/.test(line);
  const result: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (skipped(lines[i])) continue;
    let text = lines[i];
    while (text.endsWith('\\')) {
      text = text.slice(0, -1);
      do i++; while (i < lines.length && skipped(lines[i]));
      if (i >= lines.length) throw new Error(`the Dockerfile ends inside an instruction: ${text}`);
      text += lines[i];
    }
    const m = /^(\S+)\s+([^]*)$/.exec(text);
    if (m === null || !KEYWORDS.has(m[1])) throw new Error(`not a Dockerfile instruction: ${JSON.stringify(text)}`);
    result.push({ keyword: m[1], args: m[2] });
  }
  return result;
}

/** The stages of a Dockerfile, each from its FROM. */
function stagesOf(dockerfile: string): Instruction[][] {
  const stages: Instruction[][] = [];
  for (const i of instructions(dockerfile)) {
    if (i.keyword === 'FROM') stages.push([]);
    stages[stages.length - 1].push(i);
  }
  return stages;
}

const runs = (stage: Instruction[]) => stage.filter(i => i.keyword === 'RUN').map(i => i.args);

/** A minimal recipe's parts: the builder's RUN steps and the image stage. */
function minimalParts(tools: DebugTool[], family = ImageFamily.DEBIAN) {
  const [builder, image, ...rest] = stagesOf(DebugImage.recipe({ tools, family, style: RecipeStyle.MINIMAL }));
  expect(rest).toEqual([]);
  const [save, install, copy, harden, ...more] = runs(builder);
  expect(more).toEqual([]);
  // The image is what the builder assembled: COPY --from=builder <root>/ /
  const copies = image.filter(i => i.keyword === 'COPY').map(i => /^--from=builder (\/\S*)\/ \/$/.exec(i.args)?.[1]);
  expect(copies).toHaveLength(1);
  return { save, install, copy, harden, image, root: copies[0]! };
}

/** `text` with `from` replaced by `to`; `from` must be there (else the test would run something else). */
function replaced(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(typeof from === 'string' ? new RegExp(from.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), 'g') : from, to);
  if (out === text) throw new Error(`the script no longer holds ${from}: ${text}`);
  return out;
}

// ----------------------------------------------------------------- temp dirs

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A temp dir the scripts' user owns (nobody when the tests run as root). */
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recipe-shell-'));
  made.push(dir);
  fs.chmodSync(dir, 0o755);
  if (IS_ROOT) fs.chownSync(dir, NOBODY, NOBODY);
  return dir;
}

/** Runs a shell script, as nobody when the tests run as root. */
function sh(script: string, cwd: string, pathPrefix = ''): SpawnSyncReturns<string> {
  return spawnSync('/bin/sh', ['-c', script], {
    cwd,
    encoding: 'utf-8',
    timeout: 20_000,
    env: { PATH: pathPrefix + BUILDER_PATH, LC_ALL: 'C' },
    ...(IS_ROOT ? { uid: NOBODY, gid: NOBODY } : {}),
  });
}

function succeeded(run: SpawnSyncReturns<string>): void {
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: run.stderr });
}

/**
 * Where `p` leads inside the tree `root`, following symlinks the way the
 * image's own root would (absolute targets start at `root`); undefined when it
 * leads nowhere.
 */
function inTree(root: string, p: string, hops = 0): string | undefined {
  if (hops > 40) throw new Error(`too many symlinks at ${p}`);
  const parts = path.posix.normalize(p).split('/').filter(s => s !== '');
  let at = '';
  for (let i = 0; i < parts.length; i++) {
    const next = parts[i] === '..' ? path.posix.dirname(at || '/').replace(/^\/$/, '') : `${at}/${parts[i]}`;
    const st = fs.lstatSync(root + next, { throwIfNoEntry: false });
    if (st === undefined) return undefined;
    if (st.isSymbolicLink()) {
      const target = fs.readlinkSync(root + next);
      const from = target.startsWith('/') ? target : `${at}/${target}`;
      return inTree(root, [from, ...parts.slice(i + 1)].join('/'), hops + 1);
    }
    at = next;
  }
  return at || '/';
}

/** A file's permission bits, in octal: '4755'. */
function modeOf(file: string): string {
  return (fs.statSync(file).mode % 0o10000).toString(8);
}

/** The digest of a file (jest compares large Buffers byte by byte, slowly). */
function digest(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The digest of the regular file `p` leads to inside the tree, or undefined. */
function fileInTree(root: string, p: string): string | undefined {
  const at = inTree(root, p);
  return at !== undefined && fs.statSync(root + at).isFile() ? digest(root + at) : undefined;
}

/** The absolute paths ldd lists for a program on this machine (its libraries and the loader). */
function lddPaths(program: string): string[] {
  const out = spawnSync('ldd', [program], { encoding: 'utf-8' }).stdout;
  return out.split(/\s+/).filter(t => t.startsWith('/'));
}

const which = (program: string) => spawnSync('/bin/sh', ['-c', `command -v ${program}`], { encoding: 'utf-8', env: { PATH: BUILDER_PATH } }).stdout.trim();

// ------------------------------------------------------------ the copy step

/**
 * The builder's scripts, made to run here:
 * - the image root (out=/minimal) becomes a temp dir: the test must not write to /minimal;
 * - the builder's scratch files (/tmp/files, /tmp/passwd.base, ...) go to the work dir:
 *   parallel jest workers share this machine's /tmp;
 * - the static shell and busybox (packages this machine lacks) become stand-ins with the
 *   same roles: dash for the shell, sleep for busybox.
 */
function runnable(script: string, root: string, work: string, treeRoot: string): string {
  let s = script.includes('out=') ? replaced(script, `out=${root};`, `out=${treeRoot};`) : script;
  s = replaced(s, /\/tmp\/(files|passwd\.base|group\.base)\b/g, `${work}/$1`);
  if (s.includes('realpath /bin/')) {
    const standIns = path.join(work, 'builder-bin');
    fs.mkdirSync(standIns, { recursive: true });
    for (const [name, program] of [['busybox', 'sleep'], ['busybox.static', 'sleep'], ['mksh-static', 'dash']]) {
      if (!fs.existsSync(path.join(standIns, name))) fs.symlinkSync(which(program), path.join(standIns, name));
    }
    s = replaced(s, /realpath \/bin\/(busybox|busybox\.static|mksh-static)\)/g, `realpath ${standIns}/$1)`);
  }
  return s;
}

interface Built {
  readonly tree: string;
  readonly work: string;
  readonly parts: ReturnType<typeof minimalParts>;
  readonly run: SpawnSyncReturns<string>;
}

interface BuildOptions {
  readonly family?: ImageFamily;
  /** Writes files into the work dir before the steps run. */
  readonly before?: (work: string) => void;
  /** Returns directories to put first on PATH. */
  readonly pathPrefix?: (work: string) => string;
}

/**
 * Runs the builder's steps of a minimal recipe but the package install (the
 * programs are this machine's) and the hardening (see below): the step that
 * saves the base's users, then the copy step.
 */
function build(tools: DebugTool[], options: BuildOptions = {}): Built {
  const parts = minimalParts(tools, options.family);
  const work = tempDir();
  const tree = path.join(work, 'root');
  options.before?.(work);
  const save = fs.existsSync(path.join(work, 'passwd.base')) ? 'true' : runnable(parts.save, parts.root, work, tree);
  const run = sh(`${save} && ${runnable(parts.copy, parts.root, work, tree)}`, work, options.pathPrefix?.(work));
  return { tree, work, parts, run };
}

const LS = DebugTool.custom({ name: 'ls', packages: ['coreutils'], binaries: ['ls'] });

describe("the minimal style's copy step, run on this machine", () => {
  test('copies the program and every library ldd lists for it, under the names the loader uses; the tree runs it', () => {
    const { tree, run } = build([LS]);
    succeeded(run);
    const ls = which('ls');
    expect(fileInTree(tree, ls)).toBe(digest(ls));
    const libraries = lddPaths(ls);
    expect(libraries.length).toBeGreaterThanOrEqual(2); // libc and the loader, at least
    for (const lib of libraries) expect({ lib, copied: fileInTree(tree, lib) }).toEqual({ lib, copied: digest(lib) });
    if (IS_ROOT && has('chroot')) {
      const listed = spawnSync('chroot', [tree, ls, '-d', '/etc', '/tmp'], { encoding: 'utf-8' });
      expect({ status: listed.status, stdout: listed.stdout, stderr: listed.stderr }).toEqual({ status: 0, stdout: '/etc\n/tmp\n', stderr: '' });
    }
  });

  test("keeps the symlinks on a program's way (alternatives), and the root's merged-/usr links", () => {
    const awk = DebugTool.custom({ name: 'awk', packages: ['mawk'], binaries: ['awk'] });
    const { tree, run } = build([awk]);
    succeeded(run);
    // Each link on the way is a link in the tree too, so the alternative still resolves
    // (on Debian: /usr/bin/awk -> /etc/alternatives/awk -> /usr/bin/mawk).
    let hops = 0;
    for (let p = which('awk'); fs.lstatSync(p).isSymbolicLink(); hops++) {
      expect(hops).toBeLessThan(10);
      const target = fs.readlinkSync(p);
      expect({ p, link: fs.readlinkSync(tree + fs.realpathSync(path.dirname(p)) + '/' + path.basename(p)) }).toEqual({ p, link: target });
      p = target.startsWith('/') ? target : path.join(path.dirname(p), target);
    }
    expect(hops).toBeGreaterThanOrEqual(2);
    expect(fileInTree(tree, which('awk'))).toBe(digest(which('awk')));
    for (const d of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
      const here = fs.lstatSync(`/${d}`, { throwIfNoEntry: false });
      if (here?.isSymbolicLink()) {
        const target = path.relative('/', fs.realpathSync(`/${d}`));
        expect({ d, link: fs.readlinkSync(path.join(tree, d)) }).toEqual({ d, link: target });
        expect(fs.statSync(path.join(tree, target)).isDirectory()).toBe(true);
      } else if (here === undefined) {
        expect({ d, made: fs.existsSync(path.join(tree, d)) }).toEqual({ d, made: false });
      }
    }
  });

  test('copies data paths whole, their wildcards expanded, their links kept', () => {
    const data = tempDir();
    fs.mkdirSync(path.join(data, 'data-1', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(data, 'data-1', 'a.txt'), 'a\n');
    fs.writeFileSync(path.join(data, 'data-1', 'sub', 'b.txt'), 'b\n');
    fs.symlinkSync('a.txt', path.join(data, 'data-1', 'link'));
    fs.writeFileSync(path.join(data, 'other'), 'not wanted\n');
    const tool = DebugTool.custom({ name: 'd', packages: ['d'], binaries: [`${data}/da*`] });
    const { tree, run } = build([tool]);
    succeeded(run);
    const copied = tree + fs.realpathSync(data);
    expect(fs.readFileSync(path.join(copied, 'data-1', 'sub', 'b.txt'), 'utf-8')).toBe('b\n');
    expect(fs.readlinkSync(path.join(copied, 'data-1', 'link'))).toBe('a.txt');
    expect(fs.existsSync(path.join(copied, 'other'))).toBe(false);
  });

  test('writes /etc: the name-service files of the builder, and passwd and group with root and nobody only', () => {
    const { tree, run } = build([LS]);
    succeeded(run);
    for (const f of ['/etc/nsswitch.conf', '/etc/host.conf', '/etc/services', '/etc/protocols'].filter(file => fs.existsSync(file))) {
      expect({ f, copied: fileInTree(tree, f) }).toEqual({ f, copied: digest(f) });
    }
    const ids = (file: string) => fs.readFileSync(path.join(tree, file), 'utf-8').trim().split('\n').map(l => l.split(':')[2]);
    expect(ids('etc/passwd')).toEqual(['0', '65534']);
    expect(ids('etc/group').sort()).toEqual(['0', '65534']);
    expect(modeOf(path.join(tree, 'tmp'))).toBe('1777');
  });

  test('keeps the users and groups the packages added (those the base lacked)', () => {
    const lines = (file: string) => fs.readFileSync(file, 'utf-8').trim().split('\n');
    const added = (file: string) => lines(file).find(l => !['0', '65534'].includes(l.split(':')[2]))!;
    const { tree, run } = build([LS], {
      // The base as it was before the install: without one of this machine's users and groups.
      before: work => {
        for (const f of ['passwd', 'group']) {
          fs.writeFileSync(path.join(work, `${f}.base`), lines(`/etc/${f}`).filter(l => l !== added(`/etc/${f}`)).join('\n') + '\n');
        }
      },
    });
    succeeded(run);
    for (const f of ['passwd', 'group']) {
      const kept = lines(path.join(tree, 'etc', f));
      expect(kept).toContain(added(`/etc/${f}`));
      expect(kept).toHaveLength(3);
    }
  });

  test("the image's /bin/sh is a copy of the static shell, its sleep is busybox; CMD and USER work on the tree", () => {
    const { tree, run, parts } = build([LS]);
    succeeded(run);
    expect(fileInTree(tree, '/bin/sh')).toBe(digest(which('dash')));
    expect(fs.lstatSync(tree + fs.realpathSync('/bin') + '/sh').isFile()).toBe(true);
    expect(fs.readlinkSync(tree + fs.realpathSync('/bin') + '/sleep')).toBe('busybox');
    expect(fileInTree(tree, '/bin/sleep')).toBe(digest(which('sleep')));
    const cmd = JSON.parse(parts.image.find(i => i.keyword === 'CMD')!.args) as string[];
    expect(() => fs.accessSync(tree + inTree(tree, cmd[0]), fs.constants.X_OK)).not.toThrow();
    const [uid, gid] = parts.image.find(i => i.keyword === 'USER')!.args.split(':');
    expect(fs.readFileSync(path.join(tree, 'etc', 'passwd'), 'utf-8')).toMatch(new RegExp(`^[^:]+:[^:]*:${uid}:`, 'm'));
    expect(fs.readFileSync(path.join(tree, 'etc', 'group'), 'utf-8')).toMatch(new RegExp(`^[^:]+:[^:]*:${gid}:`, 'm'));
    if (IS_ROOT && has('chroot')) {
      const said = spawnSync('chroot', [tree, ...cmd, '-c', 'echo hello; sleep 0'], { encoding: 'utf-8' });
      expect({ status: said.status, stdout: said.stdout }).toEqual({ status: 0, stdout: 'hello\n' });
    }
  });

  test('the Alpine family: busybox is the shell too', () => {
    const { tree, run } = build([LS], { family: ImageFamily.ALPINE });
    succeeded(run);
    const bin = tree + fs.realpathSync('/bin');
    expect(fs.readlinkSync(path.join(bin, 'sh'))).toBe('busybox');
    expect(fs.readlinkSync(path.join(bin, 'sleep'))).toBe('busybox');
    expect(digest(path.join(bin, 'busybox'))).toBe(digest(which('sleep')));
  });

  test('asks the loader (ldd) about ELF files only: a data directory can hold thousands of files', () => {
    const tool = DebugTool.custom({ name: 'ls', packages: ['coreutils'], binaries: ['ls', '/etc/services'] });
    const { work, run } = build([tool], {
      // ldd, as on the builder, and a note of each file it is asked about
      pathPrefix: w => {
        fs.mkdirSync(path.join(w, 'spy'));
        fs.writeFileSync(path.join(w, 'spy', 'ldd'), `#!/bin/sh\necho "$1" >> ${w}/ldd.log\nexec ${which('ldd')} "$@"\n`, { mode: 0o755 });
        return `${w}/spy:`;
      },
    });
    succeeded(run);
    const asked = fs.readFileSync(path.join(work, 'ldd.log'), 'utf-8').trim().split('\n');
    expect(asked).toContain(which('ls'));
    expect(asked.filter(f => f.startsWith('/etc/'))).toEqual([]);
  });

  test('fails with its message on a missing program and on a missing path', () => {
    const missing = DebugTool.custom({ name: 'm', packages: ['m'], binaries: ['no-such-program-here'] });
    const program = build([LS, missing]).run;
    expect({ status: program.status, stderr: program.stderr }).toEqual({ status: 1, stderr: 'minimal image: no program no-such-program-here in the builder\n' });
    const gone = DebugTool.custom({ name: 'g', packages: ['g'], binaries: ['/no/such/path'] });
    const file = build([gone]).run;
    expect({ status: file.status, stderr: file.stderr }).toEqual({ status: 1, stderr: 'minimal image: /no/such/path is not in the builder\n' });
  });

  (HAS_CC ? test : test.skip)('fails with its message on a program that needs a library the builder lacks', () => {
    const src = tempDir();
    fs.writeFileSync(path.join(src, 'gone.c'), 'int gone(void) { return 0; }\n');
    fs.writeFileSync(path.join(src, 'main.c'), 'int gone(void);\nint main(void) { return gone(); }\n');
    const cc = spawnSync('/bin/sh', ['-c', 'cc -shared -fPIC -o libgone.so gone.c && cc -o needy main.c -L. -lgone && rm libgone.so'], { cwd: src, encoding: 'utf-8' });
    expect(cc.stderr).toBe('');
    const needy = DebugTool.custom({ name: 'n', packages: ['n'], binaries: [`${src}/needy`] });
    const { run } = build([needy]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^minimal image: ${src}/needy needs a library the builder lacks:\n(.*\n)*\\s+libgone\\.so => not found\n`));
  });
});

// --------------------------------------------------------- the hardening step

/**
 * A root filesystem in `dir` with what the hardening step runs (sh, find,
 * chmod, sed, tr, getcap, setcap) and their libraries; copied by hand, so it
 * does not depend on the copy step under test above.
 */
function toolbox(dir: string): void {
  const copy = (from: string, to: string) => {
    fs.mkdirSync(path.dirname(dir + to), { recursive: true });
    if (!fs.existsSync(dir + to)) fs.copyFileSync(fs.realpathSync(from), dir + to);
    fs.chmodSync(dir + to, 0o755);
  };
  for (const program of ['find', 'chmod', 'sed', 'tr', 'getcap', 'setcap', 'dash']) {
    const at = which(program);
    copy(at, `/usr/bin/${program}`);
    for (const lib of lddPaths(at)) copy(lib, lib);
  }
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  // No devices in a chroot: a plain file takes what the step sends to /dev/null.
  fs.mkdirSync(path.join(dir, 'dev'));
  fs.writeFileSync(path.join(dir, 'dev', 'null'), '', { mode: 0o666 });
  fs.copyFileSync(path.join(dir, 'usr', 'bin', 'dash'), path.join(dir, 'bin', 'sh'));
  fs.chmodSync(path.join(dir, 'bin', 'sh'), 0o755);
}

/** Writes an executable at `p` in the chroot, with a mode and file capabilities (setcap's text form). */
function plant(dir: string, p: string, mode: number, caps?: string): void {
  fs.mkdirSync(path.dirname(dir + p), { recursive: true });
  fs.writeFileSync(dir + p, '#!/bin/sh\n');
  fs.chmodSync(dir + p, mode);
  if (caps !== undefined) expect(spawnSync('setcap', [caps, dir + p], { encoding: 'utf-8' }).stderr).toBe('');
}

function state(dir: string, p: string) {
  const caps = spawnSync('getcap', [dir + p], { encoding: 'utf-8' }).stdout.trim().split(/\s+/).slice(1).join(' ');
  return { p, mode: modeOf(dir + p), caps };
}

/** Runs a RUN step in a chroot of `dir`, from `cwd` (a base image's WORKDIR). */
function inChroot(dir: string, script: string, cwd = '/'): SpawnSyncReturns<string> {
  return spawnSync('chroot', [dir, '/bin/sh', '-c', `cd ${cwd} && ${script}`], {
    encoding: 'utf-8', timeout: 20_000, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
  });
}

function chrootDir(): string {
  const dir = tempDir();
  if (IS_ROOT) fs.chownSync(dir, 0, 0);
  toolbox(dir);
  return dir;
}

(CAN_CHROOT ? describe : describe.skip)('the hardening step, run in a chroot', () => {
  test('the full style: no setuid or setgid bit anywhere, no file capability beyond the derived ones (NET_RAW, SETGID, SETUID for Debian tcpdump)', () => {
    const [image] = stagesOf(DebugImage.recipe({ tools: [DebugTool.TCPDUMP], family: ImageFamily.DEBIAN }));
    const harden = runs(image)[1];
    const dir = chrootDir();
    plant(dir, '/usr/bin/su-ish', 0o4755);
    plant(dir, '/usr/local/bin/sg-ish', 0o2711);
    plant(dir, '/usr/bin/plain', 0o750);
    plant(dir, '/usr/bin/pinger', 0o755, 'cap_net_raw=ep');
    plant(dir, '/usr/bin/dropper', 0o755, 'cap_setuid,cap_setgid=ep');
    plant(dir, '/usr/sbin/admin', 0o755, 'cap_net_raw,cap_net_admin=ep');
    plant(dir, '/bin/tracer', 0o755, 'cap_sys_ptrace+ep');
    fs.mkdirSync(path.join(dir, 'opt'));
    // From a WORKDIR that is not /: a custom base image may set one.
    succeeded(inChroot(dir, harden, '/opt'));
    expect(['/usr/bin/su-ish', '/usr/local/bin/sg-ish', '/usr/bin/plain', '/usr/bin/pinger', '/usr/bin/dropper', '/usr/sbin/admin', '/bin/tracer'].map(p => state(dir, p))).toEqual([
      { p: '/usr/bin/su-ish', mode: '755', caps: '' },
      { p: '/usr/local/bin/sg-ish', mode: '711', caps: '' },
      { p: '/usr/bin/plain', mode: '750', caps: '' },
      { p: '/usr/bin/pinger', mode: '755', caps: 'cap_net_raw=ep' },
      { p: '/usr/bin/dropper', mode: '755', caps: 'cap_setgid,cap_setuid=ep' },
      { p: '/usr/sbin/admin', mode: '755', caps: '' },
      { p: '/bin/tracer', mode: '755', caps: '' },
    ]);
  });

  test('the full style, tools that need no capability: every file capability goes; and it needs /bin/sh', () => {
    const [image] = stagesOf(DebugImage.recipe({ tools: [DebugTool.DIG], family: ImageFamily.DEBIAN }));
    const harden = runs(image)[1];
    const dir = chrootDir();
    plant(dir, '/usr/bin/pinger', 0o755, 'cap_net_raw=ep');
    succeeded(inChroot(dir, harden));
    expect(state(dir, '/usr/bin/pinger')).toEqual({ p: '/usr/bin/pinger', mode: '755', caps: '' });
    // The sidecar's keep-alive runs /bin/sh: an image without it fails the build.
    fs.chmodSync(path.join(dir, 'bin', 'sh'), 0o644);
    expect(spawnSync('chroot', [dir, '/usr/bin/dash', '-c', harden], { encoding: 'utf-8' }).status).toBe(1);
  });

  test('the minimal style: the image root only, and it must hold /bin/sh', () => {
    const { harden, root } = minimalParts([DebugTool.TCPDUMP]);
    const dir = chrootDir();
    plant(dir, `${root}/bin/sh`, 0o755);
    plant(dir, `${root}/usr/bin/su-ish`, 0o6755);
    plant(dir, `${root}/usr/bin/admin`, 0o755, 'cap_net_admin+ep');
    plant(dir, `${root}/usr/bin/pinger`, 0o755, 'cap_net_raw+ep');
    // The builder's own files are not the image's: left as they are.
    plant(dir, '/usr/bin/builders', 0o4755, 'cap_sys_admin=ep');
    succeeded(inChroot(dir, harden));
    expect([`${root}/usr/bin/su-ish`, `${root}/usr/bin/admin`, `${root}/usr/bin/pinger`, '/usr/bin/builders'].map(p => state(dir, p))).toEqual([
      { p: `${root}/usr/bin/su-ish`, mode: '755', caps: '' },
      { p: `${root}/usr/bin/admin`, mode: '755', caps: '' },
      { p: `${root}/usr/bin/pinger`, mode: '755', caps: 'cap_net_raw=ep' },
      { p: '/usr/bin/builders', mode: '4755', caps: 'cap_sys_admin=ep' },
    ]);
    fs.rmSync(dir + `${root}/bin/sh`);
    expect(inChroot(dir, harden).status).toBe(1);
  });
});

// ------------------------------------------------------ the Dockerfile itself

describe('every recipe is a Dockerfile the builder reads', () => {
  const TOOL_SETS = [[DebugTool.TCPDUMP, DebugTool.STRACE, DebugTool.DIG], [DebugTool.CURL], [DebugTool.TSHARK, DebugTool.IPTABLES]];

  test.each([RecipeStyle.FULL, RecipeStyle.MINIMAL])('%s style: known instructions only, continuation lines indented, one newline at the end', (style) => {
    for (const family of [ImageFamily.DEBIAN, ImageFamily.ALPINE]) {
      for (const tools of TOOL_SETS) {
        const text = DebugImage.recipe({ tools, family, style });
        expect(() => instructions(text)).not.toThrow();
        expect(text).toMatch(/[^\n]\n$/);
        const lines = text.split('\n');
        lines.forEach((line, i) => {
          if (i > 0 && lines[i - 1].endsWith('\\')) expect({ line, indented: /^\s/.test(line) }).toEqual({ line, indented: true });
        });
      }
    }
  });

  test('the package install is one RUN: update, install, and (Debian) no package lists left in the image', () => {
    const [image] = stagesOf(DebugImage.recipe({ tools: [DebugTool.TCPDUMP], family: ImageFamily.DEBIAN }));
    expect(runs(image)[0]).toMatch(/^apt-get update +&& DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libcap2-bin tcpdump +&& apt-get clean && rm -rf \/var\/lib\/apt\/lists\/\*$/);
    const [alpine] = stagesOf(DebugImage.recipe({ tools: [DebugTool.TCPDUMP], family: ImageFamily.ALPINE }));
    expect(runs(alpine)[0]).toBe('apk add --no-cache libcap-utils tcpdump');
  });

  test('the minimal image stage runs nothing: it is the tree the builder assembled, its shell, its user', () => {
    const { image } = minimalParts([DebugTool.DIG]);
    expect(image.map(i => i.keyword)).toEqual(['FROM', 'LABEL', 'COPY', 'ENV', 'USER', 'CMD']);
    expect(image[0].args).toBe('scratch');
  });
});
