/**
 * Ephemeral containers, as close as podman 4.3 gets: it has no `pods/ephemeralcontainers`, but
 * `podman run --pod <pod> --pid container:<pod>-<target>` starts a new container in a running Pod's
 * network namespace and in the target container's PID namespace, which is what an ephemeral
 * container with `targetContainerName` gets. (`--network container:<ctr> --pid container:<ctr>`
 * from outside the pod is refused: "containers not in pods cannot depend on containers in pods".)
 *
 * The Pod is played with debug OFF (no sidecar, no shareProcessNamespace); then
 * `dep.debug.ephemeralContainer()` is started with its securityContext translated to podman flags
 * by `securityContextFlags` (podman.ts), which refuses any field it cannot translate.
 *
 * Run with `bash test/e2e/run.sh` (root). Without podman or the images the tests are skipped with the
 * reason; E2E_REQUIRED=1 (set by run.sh) makes that a failure.
 */
import { Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { appContainer, captureOneRequest, CAPTURED_SYN, nginxMasterPid, straceAttach, straceError, TCPDUMP_ERRORS } from './app';
import { APP_IMAGE, cleanupLeftovers, DEBUG_IMAGE, exec, podman, describeWithPodman, securityContextFlags, sleep, withPod } from './podman';
import { DebugImage, DebuggableDeployment, DebugSecurityContext, DebugSidecar, DebugTool, ImageFamily } from '../../src';

const describeE2e = describeWithPodman('ephemeral', [APP_IMAGE, DEBUG_IMAGE]);

jest.setTimeout(120_000);

const TOOLS = [DebugTool.STRACE, DebugTool.TCPDUMP];

/** A DebuggableDeployment with debug off: the Pod is the app alone. */
function deployment(securityContext?: DebugSecurityContext): { objects: any[]; sidecar: DebugSidecar } {
  const chart = Testing.chart();
  const d = new DebuggableDeployment(chart, 'app', {
    containers: [appContainer(chart)],
    debug: {
      enabled: false,
      image: DebugImage.of(DEBUG_IMAGE, ImageFamily.DEBIAN),
      imagePullPolicy: kplus.ImagePullPolicy.NEVER,
      tools: TOOLS,
      ...(securityContext ? { securityContext } : {}),
    },
  });
  return { objects: Testing.synth(chart), sidecar: d.debug };
}

/** Capability numbers (linux/capability.h) of the names used here, for the CapEff mask. */
const CAP_BITS: Record<string, number> = { SETGID: 6, SETUID: 7, NET_RAW: 13, SYS_PTRACE: 19 };
function capMask(names: string[]): string {
  const bits = new Set(names.map(n => CAP_BITS[n]));
  let mask = 0n;
  for (const b of bits) mask += 2n ** BigInt(b);
  return mask.toString(16).padStart(16, '0');
}

describeE2e('ephemeral container (podman run --pod --pid container:)', () => {
  beforeAll(() => { cleanupLeftovers(); });
  afterAll(() => { cleanupLeftovers(); });

  test('the securityContext translates to podman flags field by field, and untranslatable fields are refused', () => {
    const ec = deployment().sidecar.ephemeralContainer();
    expect(ec.targetContainerName).toBe('main');
    expect(securityContextFlags(ec.securityContext)).toEqual([
      '--user', '0',
      '--cap-drop', 'ALL',
      ...[...ec.securityContext.capabilities.add].flatMap((c: string) => ['--cap-add', c]),
      '--security-opt', 'no-new-privileges',
      '--read-only', '--read-only-tmpfs=false',
    ]);
    expect(ec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(() => securityContextFlags({ ...ec.securityContext, procMount: 'Unmasked' })).toThrow(/procMount/);
    expect(() => securityContextFlags({ runAsUser: 0, runAsNonRoot: true })).toThrow(/kubelet would refuse/);
  });

  test('debug off, then the ephemeral container: it sees the app\'s traffic and process, with exactly its privileges', async () => {
    const { objects, sidecar } = deployment();
    const ec = sidecar.ephemeralContainer();
    expect([...sidecar.capabilities].sort()).toEqual(['NET_RAW', 'SETGID', 'SETUID', 'SYS_PTRACE']);
    await withPod(objects, async pod => {
      expect(pod.containers).toEqual(['main']);
      expect(pod.manifest.pod.spec.shareProcessNamespace).toBeUndefined();
      const debug = pod.runEphemeral(ec);
      const app = pod.podmanName('main');

      // Privileges as the securityContext says (checked in the process itself).
      const status = exec(debug, ['sh', '-c', 'id -u; grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status; touch /x 2>&1; true']).stdout;
      expect(status).toMatch(/^0$/m);
      expect(status).toMatch(new RegExp(`^CapEff:\\s+${capMask(sidecar.capabilities)}$`, 'm'));
      expect(status).toMatch(new RegExp(`^CapBnd:\\s+${capMask(sidecar.capabilities)}$`, 'm'));
      expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
      expect(status).toMatch(/^Seccomp:\s+2$/m);
      expect(status).toMatch(/Read-only file system/);

      // The app's PID namespace (nginx is its PID 1, as with targetContainerName), and the Pod's network.
      const pid = nginxMasterPid(app);
      expect(exec(debug, ['ps', '-eo', 'pid,user,args']).stdout).toMatch(new RegExp(`^\\s*${pid}\\s+25000\\s+nginx: master`, 'm'));
      expect(straceAttach(debug, pid).stderr).toContain(`Process ${pid} attached`);
      const capture = await captureOneRequest(debug, app);
      expect(capture.code).toBe(0);
      expect(capture.stdout).toMatch(CAPTURED_SYN);
      expect(capture.stdout).toContain('GET / HTTP/1.1');
    });
  });

  test('the same ephemeral container, still root, without capabilities: tcpdump and strace fail with the kernel\'s errors', async () => {
    const { objects, sidecar } = deployment({ user: 0, capabilities: [] });
    const ec = sidecar.ephemeralContainer();
    expect(ec.securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect(ec.securityContext.runAsUser).toBe(0);
    await withPod(objects, async pod => {
      const debug = pod.runEphemeral(ec);
      const app = pod.podmanName('main');
      expect(exec(debug, ['sh', '-c', 'id -u; grep ^CapEff: /proc/self/status']).stdout).toMatch(/^0\nCapEff:\s+0{16}$/m);
      const pid = nginxMasterPid(app);
      expect(exec(debug, ['ps', '-eo', 'pid,args']).stdout).toMatch(new RegExp(`^\\s*${pid}\\s+nginx: master`, 'm'));
      expect(straceAttach(debug, pid).stderr).toContain(straceError(pid));
      const capture = await captureOneRequest(debug, app);
      expect(capture.code).not.toBe(0);
      expect(capture.stderr).toMatch(TCPDUMP_ERRORS.NET_RAW);
    });
  });

  test('with a ttl, the ephemeral container runs, then exits by itself on time (exit 0), and nothing restarts it', async () => {
    const { objects, sidecar } = deployment();
    const ec = sidecar.ephemeralContainer({ ttl: Duration.seconds(4) });
    // The ephemeral container is not one of the played Pod's containers, so it is inspected by its podman name.
    const state = (container: string) => {
      const [running, exitCode] = podman(['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}}', container]).stdout.trim().split(' ');
      return { running: running === 'true', exitCode: Number(exitCode) };
    };
    await withPod(objects, async pod => {
      const started = Date.now();
      const debug = pod.runEphemeral(ec);
      await sleep(1500);
      expect(state(debug).running).toBe(true);
      while (state(debug).running && Date.now() - started < 20_000) await sleep(200);
      const lived = Date.now() - started;
      expect(state(debug)).toEqual({ running: false, exitCode: 0 });
      expect(lived).toBeGreaterThanOrEqual(3_500);
      expect(lived).toBeLessThan(10_000);
      await sleep(1500);
      expect(state(debug).running).toBe(false);
      expect(pod.state('main').running).toBe(true);
    });
  });

  test('podman 4.3 refuses --network/--pid container:<ctr> from outside the Pod (why runEphemeral uses --pod)', async () => {
    const { objects } = deployment();
    await withPod(objects, async pod => {
      const target = pod.podmanName('main');
      const r = podman(['run', '--rm', '--pull=never', '--network', `container:${target}`, '--pid', `container:${target}`, DEBUG_IMAGE, 'true']);
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(/containers not in pods cannot depend on containers in pods/);
    });
  });
});
