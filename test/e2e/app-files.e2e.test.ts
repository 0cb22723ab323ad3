/**
 * The app's files and user in podman (docs/fitting-pods.md): the debug container reads the app
 * container's volumes (`appVolumes`) and its root filesystem through `/proc/<pid>/root`, with the
 * Pod's shared process namespace (the sidecar) or the target's PID namespace (the ephemeral
 * container), as the app's user (`runAsAppUser`) or as root with SYS_PTRACE, and not otherwise.
 *
 * The file read is /etc/nginx/e2e.conf: it is in the app image (localhost/e2e-app:1) and not in the
 * debug image, so only the app's root filesystem can show it. The nginx master's pid comes from
 * /tmp/nginx.pid, which nginx writes into the app's /tmp volume: the debug container reads it at
 * /app/tmp/nginx.pid.
 *
 * Run with `bash test/e2e/run.sh` (root). Without podman or the images the tests are skipped with the
 * reason; E2E_REQUIRED=1 (set by run.sh) makes that a failure.
 */
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { appContainer } from './app';
import { APP_IMAGE, cleanupLeftovers, DEBUG_IMAGE, exec, PlayedPod, describeWithPodman, sleep, withPod } from './podman';
import { DebugImage, DebuggableDeployment, DebugOptions, DebugSidecar, DebugTool, ImageFamily } from '../../src';
import { containerNamed } from '../support/manifests';

const describeE2e = describeWithPodman('app files', [APP_IMAGE, DEBUG_IMAGE]);

jest.setTimeout(120_000);

/** A file of the app image that the debug image does not have. */
const APP_FILE = '/etc/nginx/e2e.conf';

/** The app (nginx as 25000:26000, /tmp a volume named app-tmp) with a debug container of these options. */
function deployment(debug: DebugOptions): { objects: any[]; sidecar: DebugSidecar } {
  const chart = Testing.chart();
  const d = new DebuggableDeployment(chart, 'app', {
    containers: [appContainer(chart)],
    debug: { image: DebugImage.of(DEBUG_IMAGE, ImageFamily.DEBIAN), imagePullPolicy: kplus.ImagePullPolicy.NEVER, ...debug },
  });
  return { objects: Testing.synth(chart), sidecar: d.debug };
}

/** `id -u -g`, the app's pid (a number, or read from the app's volume), and the app's file read through /proc/<pid>/root, in one shell. */
function readThroughProc(container: string, pidFrom: string): { id: string; pid: string; file: string; code: number | null; stderr: string } {
  const r = exec(container, ['sh', '-c', `id -u; id -g; pid=${pidFrom}; echo "$pid"; cat /proc/$pid/root${APP_FILE}`]);
  const [uid, gid, pid, ...file] = r.stdout.split('\n');
  return { id: `${uid}:${gid}`, pid, file: file.join('\n'), code: r.code, stderr: r.stderr };
}

/**
 * The nginx master's pid, once nginx has written it into the app's /tmp. (Only a debug container
 * of the app's user mounts that volume here: podman 4.3 chowns a new named volume to the first
 * container that mounts it, so one of another user could leave nginx unable to write there; a
 * Kubernetes emptyDir is world-writable.)
 */
async function appPid(pod: PlayedPod): Promise<string> {
  let last = '';
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(200)) {
    const r = pod.exec('main', ['cat', '/tmp/nginx.pid']);
    if (/^\d+$/.test(r.stdout.trim())) return r.stdout.trim();
    last = `exit ${r.code}${r.timedOut ? ' (timed out)' : ''}: ${r.stdout}${r.stderr}`;
  }
  throw new Error(`nginx wrote no pid in ${pod.name}: cat /tmp/nginx.pid gave ${last}; main: ${JSON.stringify(pod.state('main'))}\n${pod.logs('main')}`);
}

describeE2e("the app's files (podman)", () => {
  beforeAll(() => { cleanupLeftovers(); });
  afterAll(() => { cleanupLeftovers(); });

  test('the debug image has no such file of its own', () => {
    const { objects } = deployment({ enabled: true, tools: [DebugTool.CURL], runAsAppUser: true });
    return withPod(objects, pod => {
      expect(pod.exec('debug', ['cat', APP_FILE]).stderr).toMatch(/No such file or directory/);
      expect(pod.exec('main', ['cat', APP_FILE]).stdout).toContain('e2e-app ok');
    });
  });

  test('sidecar, runAsAppUser and shareProcessNamespace: the app\'s volume at /app, read-only, and its root filesystem at /proc/<pid>/root', async () => {
    const { objects } = deployment({ enabled: true, tools: [DebugTool.CURL], runAsAppUser: true, shareProcessNamespace: true, appVolumes: {} });
    const debug = containerNamed(objects[0].spec.template.spec, 'debug');
    expect(debug.securityContext).toMatchObject({ runAsUser: 25000, runAsGroup: 26000, capabilities: { drop: ['ALL'] } });
    expect(debug.volumeMounts[1]).toEqual({ mountPath: '/app/tmp', name: 'app-tmp', readOnly: true });
    await withPod(objects, async pod => {
      const app = await appPid(pod);
      const seen = readThroughProc(pod.podmanName('debug'), '$(cat /app/tmp/nginx.pid)');
      expect(seen).toMatchObject({ id: '25000:26000', pid: app, code: 0 });
      expect(seen.file).toContain('return 200 "e2e-app ok\\n"');
      expect(pod.exec('debug', ['touch', '/app/tmp/x']).stderr).toMatch(/Read-only file system/);
    });
  });

  test('the same Pod without runAsAppUser (user 65534, no capability): /proc/<pid>/root is refused', async () => {
    const { objects } = deployment({ enabled: true, tools: [DebugTool.CURL], shareProcessNamespace: true });
    await withPod(objects, async pod => {
      const seen = readThroughProc(pod.podmanName('debug'), await appPid(pod));
      expect(seen.id).toBe('65534:65534');
      expect(seen.code).not.toBe(0);
      expect(seen.stderr).toMatch(new RegExp(`/proc/${seen.pid}/root${APP_FILE}: Permission denied`));
    });
  });

  test('root with SYS_PTRACE (DebugTool.STRACE) reads it too: the capability way', async () => {
    const { objects } = deployment({ enabled: true, tools: [DebugTool.STRACE] });
    await withPod(objects, async pod => {
      const seen = readThroughProc(pod.podmanName('debug'), await appPid(pod));
      expect(seen).toMatchObject({ id: '0:0', code: 0 });
      expect(seen.file).toContain('e2e-app ok');
    });
  });

  test('root without SYS_PTRACE is refused: being root is not what opens it', async () => {
    const { objects } = deployment({ enabled: true, tools: [DebugTool.STRACE], securityContext: { user: 0, capabilities: [] } });
    await withPod(objects, async pod => {
      const seen = readThroughProc(pod.podmanName('debug'), await appPid(pod));
      expect(seen.id).toBe('0:0');
      expect(seen.stderr).toMatch(new RegExp(`/proc/${seen.pid}/root${APP_FILE}: Permission denied`));
    });
  });

  test('ephemeral container, runAsAppUser: the target\'s volume through volumeMounts, and /proc/1/root (the target\'s PID namespace)', async () => {
    const { objects, sidecar } = deployment({ enabled: false, tools: [DebugTool.CURL], runAsAppUser: true, appVolumes: {} });
    const ec = sidecar.ephemeralContainer();
    expect(ec.volumeMounts).toEqual([{ mountPath: '/app/tmp', name: 'app-tmp', readOnly: true }]);
    await withPod(objects, async pod => {
      expect(pod.containers).toEqual(['main']);
      const app = await appPid(pod);
      const debug = pod.runEphemeral(ec);
      const seen = readThroughProc(debug, '1');
      expect(seen).toMatchObject({ id: '25000:26000', pid: '1', code: 0 });
      expect(seen.file).toContain('e2e-app ok');
      expect(exec(debug, ['cat', '/app/tmp/nginx.pid']).stdout.trim()).toBe(app);
      expect(exec(debug, ['touch', '/app/tmp/x']).stderr).toMatch(/Read-only file system/);
    });
  });
});
