/**
 * "Any debug image works", proven in podman. Images are built from `DebugImage.recipe` on a local
 * Debian minbase (localhost/e2e-base:1, made by setup.sh) with `podman build --network host`, and
 * cached by the recipe text (label e2e.key): the first run builds them (about 15-60 s each), later
 * runs reuse them. Then the sidecar of a DebuggableDeployment runs each image with the capabilities
 * the library derives, and each capability is taken away once to see the kernel refuse.
 *
 * Run with `bash test/e2e/run.sh` (root). Without podman or the images the tests are skipped with the
 * reason; E2E_REQUIRED=1 (set by run.sh) makes that a failure.
 */
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { appContainer, captureOneRequest, CAPTURED_SYN, nginxMasterPid, straceAttach, straceError, TCPDUMP_ERRORS } from './app';
import {
  APP_IMAGE, BASE_IMAGE, buildImage, BuildResult, cleanupLeftovers, DEBUG_IMAGE, exec, execInBackground, imageInspect, imageSize, podman,
  describeWithPodman, PlayedPod, runImage, withPod,
  getcapCapabilities,
} from './podman';
import { Capability, DebugImage, DebuggableDeployment, DebugSidecar, DebugTool, DebugWarnings, ImageFamily } from '../../src';

const describeE2e = describeWithPodman('image recipe', [APP_IMAGE, DEBUG_IMAGE, BASE_IMAGE]);

jest.setTimeout(120_000);

/** tcpdump, strace and dig: the image the issue asks for. */
const NET_IMAGE = 'localhost/e2e-recipe-net:1';
const NET_TOOLS = [DebugTool.TCPDUMP, DebugTool.STRACE, DebugTool.DIG];
const NET_RECIPE = DebugImage.recipe({ tools: NET_TOOLS, family: ImageFamily.DEBIAN, baseImage: BASE_IMAGE });
/** dig alone: no tool needs root, so the image's default user is nobody. */
const DIG_IMAGE = 'localhost/e2e-recipe-dig:1';
const DIG_RECIPE = DebugImage.recipe({ tools: [DebugTool.DIG], family: ImageFamily.DEBIAN, baseImage: BASE_IMAGE });
/**
 * Debian's iputils-ping ships /usr/bin/ping with the file capability cap_net_raw=ep. A tool that
 * installs it but is granted no capability: the recipe must strip that file capability.
 */
const PING_NO_CAP = DebugTool.custom({ name: 'ping-without-capabilities', debianPackages: ['iputils-ping'] });
const NOCAP_IMAGE = 'localhost/e2e-recipe-ping-nocap:1';
const NOCAP_RECIPE = DebugImage.recipe({ tools: [PING_NO_CAP], family: ImageFamily.DEBIAN, baseImage: BASE_IMAGE });
/** The tcpdump/strace/dig image under a name whose family nobody knows. */
const MYSTERY_IMAGE = 'localhost/mystery-debug:1';

function deployment(image: DebugImage, tools: DebugTool[], capabilities?: Capability[]): { chart: any; objects: any[]; sidecar: DebugSidecar } {
  const chart = Testing.chart();
  DebugWarnings.silence(chart);
  const d = new DebuggableDeployment(chart, 'app', {
    containers: [appContainer(chart)],
    debug: {
      enabled: true,
      image,
      imagePullPolicy: kplus.ImagePullPolicy.NEVER,
      tools,
      ...(capabilities ? { securityContext: { capabilities } } : {}),
    },
  });
  return { chart, objects: Testing.synth(chart), sidecar: d.debug };
}


/** The container's state and log when a command in it failed to run (code 125/126: podman could not exec). */
function diagnose(pod: PlayedPod, container: string, code: number | null): Record<string, unknown> {
  if (code !== null && code < 125) return {};
  try {
    return { state: pod.state(container), log: pod.logs(container).slice(-2000) };
  } catch (e) {
    return { state: String(e) };
  }
}

function pmn(pod: PlayedPod, sidecar: DebugSidecar): { debug: string; app: string } {
  return { debug: pod.podmanName(sidecar.containerName), app: pod.podmanName('main') };
}

/** tcpdump (UDP 53) in the sidecar while dig there queries 127.0.0.1: the query on the wire, and dig's own report. */
async function digWithCapture(debug: string): Promise<{ capture: string; dig: string }> {
  const capture = execInBackground(debug, ['tcpdump', '-i', 'lo', '-nn', '-c', '1', 'udp port 53']);
  await capture.waitForOutput(/listening on lo/, 15_000);
  const dig = exec(debug, ['dig', '+tries=1', '+time=2', '@127.0.0.1', 'e2e.example']);
  const r = await capture.wait(15_000);
  return { capture: r.stdout, dig: dig.stdout + dig.stderr };
}

const DIG_REFUSED = /communications error to 127\.0\.0\.1#53: connection refused/;
const DIG_QUERY = /127\.0\.0\.1\.\d+ > 127\.0\.0\.1\.53: \d+\+ (\[1au\] )?A\? e2e\.example\. /;

describeE2e('debug images from DebugImage.recipe (podman)', () => {
  const builds: BuildResult[] = [];

  beforeAll(() => {
    cleanupLeftovers();
    for (const [image, recipe] of [[NET_IMAGE, NET_RECIPE], [DIG_IMAGE, DIG_RECIPE], [NOCAP_IMAGE, NOCAP_RECIPE]]) {
      const b = buildImage(image, recipe);
      builds.push(b);
      process.stderr.write(`[e2e] ${image}: ${b.built ? 'built' : 'cached'} in ${(b.ms / 1000).toFixed(1)} s, `
        + `${(imageSize(image) / 1e6).toFixed(1)} MB (key ${b.key})\n`);
    }
    const tag = podman(['tag', NET_IMAGE, MYSTERY_IMAGE]);
    if (tag.code !== 0) throw new Error(`podman tag ${NET_IMAGE} ${MYSTERY_IMAGE}: ${tag.stderr}`);
  }, 1_800_000);
  afterAll(() => { cleanupLeftovers(); });

  test('the recipe installs exactly the tools\' packages on the local base, and the image runs as root', () => {
    expect(NET_RECIPE).toMatch(new RegExp(`^FROM ${BASE_IMAGE}$`, 'm'));
    expect(NET_RECIPE).toContain('apt-get install -y --no-install-recommends bind9-dnsutils libcap2-bin strace tcpdump \\');
    expect(NET_RECIPE).toMatch(/^USER 0$/m);
    expect(imageInspect(NET_IMAGE, '{{.Config.User}}')).toBe('0');
    expect(imageInspect(NET_IMAGE, '{{index .Labels "e2e.key"}}')).toBe(builds[0].key);
    for (const bin of ['tcpdump', 'strace', 'dig', 'getcap']) {
      expect(runImage(NET_IMAGE, ['sh', '-c', `command -v ${bin}`]).stdout.trim()).toMatch(new RegExp(`/${bin}$`));
    }
  });

  test('the built image keeps no setuid/setgid binary (the base it starts from has them)', () => {
    const find = ['find', '/', '-xdev', '-type', 'f', '-perm', '/6000'];
    const base = runImage(BASE_IMAGE, find, ['--user', '0']);
    expect(base.code).toBe(0);
    expect(base.stdout).toMatch(/^\/usr\/bin\/su$/m);
    for (const image of [NET_IMAGE, DIG_IMAGE, NOCAP_IMAGE]) {
      const r = runImage(image, find, ['--user', '0']); // as root: nobody cannot read every directory
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe('');
    }
  });

  test('getcap -r / in the built image: no file capability outside the derived set', () => {
    const derived = deployment(DebugImage.of(NET_IMAGE, ImageFamily.DEBIAN), NET_TOOLS).sidecar.capabilities;
    const r = runImage(NET_IMAGE, ['sh', '-c', 'getcap -r / 2>/dev/null; true'], ['--user', '0']);
    expect(r.code).toBe(0);
    for (const [file, caps] of getcapCapabilities(r.stdout)) {
      for (const c of caps) expect({ file, capability: c, allowed: derived.includes(c) }).toEqual({ file, capability: c, allowed: true });
    }
  });

  test('a file capability beyond the derived set is stripped: ping without NET_RAW in the tool loses cap_net_raw', () => {
    // As Debian ships it (the debootstrap debug image), ping carries the file capability.
    expect(getcapCapabilities(runImage(DEBUG_IMAGE, ['getcap', '/usr/bin/ping']).stdout).get('/usr/bin/ping')).toEqual(['NET_RAW']);
    // The recipe for a tool granted no capability installs ping without it.
    expect(NOCAP_RECIPE).toContain('iputils-ping');
    expect(runImage(NOCAP_IMAGE, ['test', '-x', '/usr/bin/ping']).code).toBe(0);
    expect(runImage(NOCAP_IMAGE, ['sh', '-c', 'getcap -r / 2>/dev/null; true'], ['--user', '0']).stdout.trim()).toBe('');
  });

  test('the sidecar\'s derived capabilities for tcpdump, strace and dig in a Debian image', () => {
    const { sidecar } = deployment(DebugImage.of(NET_IMAGE, ImageFamily.DEBIAN), NET_TOOLS);
    expect([...sidecar.capabilities].sort()).toEqual(['NET_RAW', 'SETGID', 'SETUID', 'SYS_PTRACE']);
    expect(sidecar.runAsUser).toBe(0);
    expect(sidecar.shareProcessNamespace).toBe(true);
  });

  test('with the derived capabilities: tcpdump captures the app\'s request, strace attaches to nginx, dig sends its query', async () => {
    const { objects, sidecar } = deployment(DebugImage.of(NET_IMAGE, ImageFamily.DEBIAN), NET_TOOLS);
    await withPod(objects, async pod => {
      const { debug, app } = pmn(pod, sidecar);
      const capture = await captureOneRequest(debug, app);
      expect(capture.code).toBe(0);
      expect(capture.stdout).toMatch(CAPTURED_SYN);
      expect(capture.stdout).toContain('GET / HTTP/1.1');

      const pid = nginxMasterPid(app);
      expect(straceAttach(debug, pid).stderr).toContain(`Process ${pid} attached`);

      const { capture: query, dig } = await digWithCapture(debug);
      expect(query).toMatch(DIG_QUERY);
      expect(dig).toMatch(DIG_REFUSED);
    });
  });

  // Take each derived capability away once: the tool that needs it fails with the kernel's error,
  // the others still work.
  const withoutOne: Array<[string, 'tcpdump' | 'strace']> = [['NET_RAW', 'tcpdump'], ['SETUID', 'tcpdump'], ['SETGID', 'tcpdump'], ['SYS_PTRACE', 'strace']];
  test.each(withoutOne)('without %s, %s fails with the kernel\'s error and the other tools still work', async (missing, tool) => {
    const full = deployment(DebugImage.of(NET_IMAGE, ImageFamily.DEBIAN), NET_TOOLS).sidecar.capabilities;
    expect(full).toContain(missing);
    const { objects, sidecar } = deployment(DebugImage.of(NET_IMAGE, ImageFamily.DEBIAN), NET_TOOLS,
      full.filter(c => c !== missing).map(c => Capability.of(c)));
    expect(sidecar.capabilities).not.toContain(missing);
    await withPod(objects, async pod => {
      const { debug, app } = pmn(pod, sidecar);
      const pid = nginxMasterPid(app);
      const capture = await captureOneRequest(debug, app);
      const strace = straceAttach(debug, pid);
      if (tool === 'tcpdump') {
        expect(capture.code).not.toBe(0);
        expect(capture.stderr).toMatch(TCPDUMP_ERRORS[missing]);
        expect(strace.stderr).toContain(`Process ${pid} attached`);
      } else {
        expect(strace.stderr).toContain(straceError(pid));
        expect(capture.code).toBe(0);
        expect(capture.stdout).toContain('GET / HTTP/1.1');
      }
      const dig = pod.exec(sidecar.containerName, ['dig', '+tries=1', '+time=2', '@127.0.0.1', 'e2e.example']);
      const seen = { dig: dig.stdout + dig.stderr, ...diagnose(pod, sidecar.containerName, dig.code) };
      expect(seen).toMatchObject({ dig: expect.stringMatching(DIG_REFUSED) });
    });
  });

  test('dig alone: the recipe says USER 65534:65534, the image runs dig as that user', () => {
    expect(DIG_RECIPE).toMatch(/^USER 65534:65534$/m);
    expect(DIG_RECIPE).not.toMatch(/^USER 0$/m);
    expect(imageInspect(DIG_IMAGE, '{{.Config.User}}')).toBe('65534:65534');
    const r = runImage(DIG_IMAGE, ['sh', '-c', 'id -u; id -g; grep CapEff /proc/self/status; dig +tries=1 +time=2 @127.0.0.1 e2e.example']);
    const [uid, gid, capEff] = r.stdout.split('\n');
    expect([uid, gid]).toEqual(['65534', '65534']);
    expect(capEff).toMatch(/^CapEff:\s+0{16}$/);
    expect(r.stdout).toMatch(DIG_REFUSED);
    expect(r.stdout + r.stderr).not.toMatch(/permission|not permitted/i);
  });

  test('dig alone in the sidecar: user 65534, no capability, and dig works there', async () => {
    const { objects, sidecar } = deployment(DebugImage.of(DIG_IMAGE, ImageFamily.DEBIAN), [DebugTool.DIG]);
    expect(sidecar.capabilities).toEqual([]);
    expect(sidecar.runAsUser).toBe(65534);
    await withPod(objects, async pod => {
      const r = pod.exec(sidecar.containerName, ['sh', '-c', 'id -u; grep CapEff /proc/self/status; dig +tries=1 +time=2 @127.0.0.1 e2e.example']);
      expect(r.stdout.split('\n')[0]).toBe('65534');
      expect(r.stdout.split('\n')[1]).toMatch(/^CapEff:\s+0{16}$/);
      expect(r.stdout).toMatch(DIG_REFUSED);
    });
  });

  test('an image of unknown family: the sidecar gets the union (NET_RAW, SETUID, SETGID for tcpdump), a warning, and tcpdump works', async () => {
    const image = DebugImage.of(MYSTERY_IMAGE);
    expect(image.family).toBeUndefined();
    const { chart, objects, sidecar } = deployment(image, [DebugTool.TCPDUMP]);
    const perFamily = [ImageFamily.ALPINE, ImageFamily.DEBIAN].flatMap(f => DebugTool.TCPDUMP.capabilitiesIn(f).map(c => c.name));
    const union = [...new Set(perFamily)].sort();
    expect([...sidecar.capabilities].sort()).toEqual(union);
    expect(union).toEqual(['NET_RAW', 'SETGID', 'SETUID']);
    const warnings = DebugWarnings.of(chart);
    expect(warnings.filter(w => /unknown family/.test(w) && w.includes(MYSTERY_IMAGE))).toHaveLength(1);
    await withPod(objects, async pod => {
      const { debug, app } = pmn(pod, sidecar);
      const r = await captureOneRequest(debug, app);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('GET / HTTP/1.1');
    });
  });

  test('the same image declared ALPINE gets NET_RAW only, and Debian\'s tcpdump then fails: why the union is the default', async () => {
    const { chart, objects, sidecar } = deployment(DebugImage.of(MYSTERY_IMAGE, ImageFamily.ALPINE), [DebugTool.TCPDUMP]);
    expect(sidecar.capabilities).toEqual(['NET_RAW']);
    expect(DebugWarnings.of(chart).filter(w => /unknown family/.test(w))).toEqual([]);
    await withPod(objects, async pod => {
      const { debug, app } = pmn(pod, sidecar);
      const r = await captureOneRequest(debug, app);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(TCPDUMP_ERRORS.SETUID);
    });
  });
});
