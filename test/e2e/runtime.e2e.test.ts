/**
 * Runtime end-to-end tests: the synthesized manifests run in podman (`kube play --network none`).
 * Run with `npx projen test:e2e` (test/e2e/run.sh: setup, then jest). `.ci/run` runs it.
 * Without podman or the images the tests are skipped with the reason; E2E_REQUIRED=1 (set by
 * run.sh) makes that a failure.
 */
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { appContainer } from './app';
import { APP_IMAGE, APP_PORT, cleanupLeftovers, DEBUG_IMAGE, describeWithPodman, PlayedPod, toPodmanManifest, withPod } from './podman';
import { Capability, DebugImage, DebuggableDeployment, DebugSidecar, DebugTool, ImageFamily, SidecarForm } from '../../src';
import { containerNamed, podSpecOf } from '../support/manifests';
import { synthExample } from '../support/readme-snippets';

const describeE2e = describeWithPodman('runtime');

jest.setTimeout(120_000);


function deployment(debug: { enabled: boolean; tools?: DebugTool[]; capabilities?: Capability[] }): { objects: any[]; sidecar: DebugSidecar } {
  const chart = Testing.chart();
  const d = new DebuggableDeployment(chart, 'app', {
    containers: [appContainer(chart)],
    debug: {
      enabled: debug.enabled,
      image: DebugImage.of(DEBUG_IMAGE, ImageFamily.DEBIAN),
      imagePullPolicy: kplus.ImagePullPolicy.NEVER,
      tools: debug.tools ?? [DebugTool.TCPDUMP],
      ...(debug.capabilities ? { securityContext: { capabilities: debug.capabilities } } : {}),
    },
  });
  return { objects: Testing.synth(chart), sidecar: d.debug };
}

/** Starts tcpdump in the debug container, sends one request from the app container, returns the capture. */
async function captureOneRequest(pod: PlayedPod, debug: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const capture = pod.execInBackground(debug, ['tcpdump', '-i', 'lo', '-nn', '-A', '-c', '4', `tcp port ${APP_PORT}`]);
  try {
    await capture.waitForOutput(/listening on lo/, 10_000);
  } catch {
    const r = await capture.wait(5_000);
    return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  }
  const curl = pod.exec('main', ['curl', '-sS', `http://127.0.0.1:${APP_PORT}/`]);
  expect(curl.stdout).toBe('e2e-app ok\n');
  return capture.wait(10_000);
}

function nginxMasterPid(pod: PlayedPod): string {
  return pod.exec('main', ['cat', '/tmp/nginx.pid']).stdout.trim();
}

describeE2e('runtime (podman)', () => {
  beforeAll(() => { cleanupLeftovers(); });
  afterAll(() => { cleanupLeftovers(); });

  test('the debug sidecar captures the application\'s loopback traffic (shared network namespace)', async () => {
    const { objects, sidecar } = deployment({ enabled: true });
    await withPod(objects, async pod => {
      expect(pod.containers).toEqual(['main', sidecar.containerName]);
      const r = await captureOneRequest(pod, sidecar.containerName);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`127\\.0\\.0\\.1\\.\\d+ > 127\\.0\\.0\\.1\\.${APP_PORT}: Flags \\[S\\]`));
      expect(r.stdout).toContain('GET / HTTP/1.1');
    });
  });

  test('examples/seed as `cdk8s synth` writes it with CDK8S_DEBUG=true, local images swapped into the copy played: tcpdump sees nginx', async () => {
    // GIVEN: the README's first example as a user synthesizes it (netshoot, Alpine: NET_RAW only).
    const [objects] = synthExample('seed', [{ CDK8S_DEBUG: 'true' }]);
    const played = JSON.parse(JSON.stringify(objects));
    const spec = podSpecOf(played.find((o: any) => o.kind === 'Deployment'));
    expect(spec.containers.map((c: any) => c.name)).toEqual(['nginx', 'debug']);
    // The copy played here runs the local images. The local debug image is Debian, whose tcpdump
    // also needs SETUID and SETGID: the sidecar gets the security context the library derives for
    // the same tool in that family, and nothing else of it changes.
    const debian = containerNamed(podSpecOf(deployment({ enabled: true }).objects.find(o => o.kind === 'Deployment')), 'debug').securityContext;
    const debug = containerNamed(spec, 'debug');
    expect({ ...debug.securityContext, capabilities: undefined }).toEqual({ ...debian, capabilities: undefined });
    Object.assign(debug, { image: DEBUG_IMAGE, imagePullPolicy: 'Never', securityContext: debian });
    Object.assign(containerNamed(spec, 'nginx'), { image: APP_IMAGE, imagePullPolicy: 'Never' });

    // WHEN / THEN
    await withPod(played, async pod => {
      expect(pod.containers).toEqual(['nginx', 'debug']);
      const capture = pod.execInBackground('debug', ['tcpdump', '-i', 'lo', '-nn', '-A', '-c', '4', `tcp port ${APP_PORT}`]);
      await capture.waitForOutput(/listening on lo/, 10_000);
      expect(pod.exec('nginx', ['curl', '-sS', `http://127.0.0.1:${APP_PORT}/`]).stdout).toBe('e2e-app ok\n');
      const r = await capture.wait(10_000);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('GET / HTTP/1.1');
    });
  });

  test('with STRACE the sidecar sees the application\'s processes and attaches to nginx', async () => {
    const { objects, sidecar } = deployment({ enabled: true, tools: [DebugTool.STRACE] });
    await withPod(objects, async pod => {
      const pid = nginxMasterPid(pod);
      expect(pod.exec(sidecar.containerName, ['ps', '-eo', 'pid,user,args']).stdout).toMatch(new RegExp(`^\\s*${pid}\\s+25000\\s+nginx: master`, 'm'));
      const r = pod.exec(sidecar.containerName, ['timeout', '2', 'strace', '-p', pid, '-o', '/dev/null']);
      expect(r.stderr).toContain(`Process ${pid} attached`);
    });
  });

  // Each capability the library derives is needed: taking any one away makes the tool fail.
  const tcpdumpErrors: Record<string, RegExp> = {
    NET_RAW: /You don't have permission to perform this capture on that device\s+\(socket: Operation not permitted\)/,
    SETUID: /Couldn't change to 'tcpdump' uid=100 gid=101: Operation not permitted/,
    SETGID: /Couldn't change to 'tcpdump' uid=100 gid=101: Operation not permitted/,
  };
  test('tcpdump (Debian image): the derived capabilities are exactly NET_RAW, SETUID, SETGID', () => {
    expect([...deployment({ enabled: true }).sidecar.capabilities].sort()).toEqual(Object.keys(tcpdumpErrors).sort());
  });
  test.each(Object.keys(tcpdumpErrors))('tcpdump fails without %s', async missing => {
    const full = deployment({ enabled: true }).sidecar.capabilities;
    const { objects, sidecar } = deployment({ enabled: true, capabilities: full.filter(c => c !== missing).map(c => Capability.of(c)) });
    await withPod(objects, async pod => {
      const r = await captureOneRequest(pod, sidecar.containerName);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(tcpdumpErrors[missing]);
    });
  });

  // ping and tshark: works with the derived set, fails with the kernel's error when it is taken away.
  const singleCap: Array<[string, DebugTool, string[], RegExp]> = [
    ['ping', DebugTool.PING, ['ping', '-c', '1', '-W', '2', '127.0.0.1'], /ping: operation not permitted/i],
    ['tshark', DebugTool.TSHARK, ['timeout', '5', 'tshark', '-i', 'lo', '-c', '1', '-a', 'duration:3'], /You do not have permission to capture on device "lo"/],
  ];
  test.each(singleCap)('%s (Debian image): derived NET_RAW is enough, and without it the kernel refuses', async (_name, tool, argv, error) => {
    const derived = deployment({ enabled: true, tools: [tool] });
    expect(derived.sidecar.capabilities).toEqual(['NET_RAW']);
    await withPod(derived.objects, async pod => {
      const ok = pod.exec(derived.sidecar.containerName, argv);
      expect(ok.stderr).not.toMatch(error);
      if (_name === 'ping') expect(ok.stdout).toMatch(/1 received/);
    });
    const without = deployment({ enabled: true, tools: [tool], capabilities: [] });
    await withPod(without.objects, async pod => {
      const r = pod.exec(without.sidecar.containerName, argv);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(error);
    });
  });

  test('strace fails without SYS_PTRACE', async () => {
    const { objects, sidecar } = deployment({ enabled: true, tools: [DebugTool.STRACE], capabilities: [] });
    await withPod(objects, async pod => {
      const pid = nginxMasterPid(pod);
      const r = pod.exec(sidecar.containerName, ['timeout', '2', 'strace', '-p', pid, '-o', '/dev/null']);
      expect(r.stderr).toContain(`strace: attach: ptrace(PTRACE_SEIZE, ${pid}): Operation not permitted`);
    });
  });

  test('debug off: only the application container, and it serves', async () => {
    const { objects } = deployment({ enabled: false });
    await withPod(objects, async pod => {
      expect(pod.containers).toEqual(['main']);
      expect(pod.exec('main', ['curl', '-sS', `http://127.0.0.1:${APP_PORT}/`]).stdout).toBe('e2e-app ok\n');
    });
  });

  test('stopping the Pod does not wait for the grace period (keep-alive exits on SIGTERM)', async () => {
    const { objects } = deployment({ enabled: true });
    await withPod(objects, async pod => {
      const ms = pod.stop(30);
      expect(ms).toBeLessThan(5_000);
    });
  });

  test('a Job with the debug sidecar completes: the sidecar exits after the application', async () => {
    const chart = Testing.chart();
    const job = new kplus.Job(chart, 'job', {
      containers: [{
        name: 'main',
        image: DEBUG_IMAGE,
        imagePullPolicy: kplus.ImagePullPolicy.NEVER,
        command: ['/bin/sh', '-c', 'sleep 3; echo done'],
        securityContext: { user: 25000, group: 26000 },
      }],
    });
    const sidecar = DebugSidecar.attach(job, {
      enabled: true,
      image: DebugImage.of(DEBUG_IMAGE, ImageFamily.DEBIAN),
      imagePullPolicy: kplus.ImagePullPolicy.NEVER,
      tools: [DebugTool.TCPDUMP],
    });
    expect(sidecar.form).toBe(SidecarForm.EXIT_WITH_APP);
    await withPod(Testing.synth(chart), async pod => {
      expect(await pod.waitForExit('main', 30_000)).toBe(0);
      expect(await pod.waitForExit(sidecar.containerName, 30_000)).toBe(0);
    });
  });

  test('native sidecars cannot be played by podman 4.3 (the harness refuses instead of hanging)', () => {
    const chart = Testing.chart();
    const job = new kplus.Job(chart, 'job', {
      containers: [{ name: 'main', image: DEBUG_IMAGE, imagePullPolicy: kplus.ImagePullPolicy.NEVER, command: ['true'] }],
    });
    DebugSidecar.attach(job, {
      enabled: true,
      image: DebugImage.of(DEBUG_IMAGE, ImageFamily.DEBIAN),
      imagePullPolicy: kplus.ImagePullPolicy.NEVER,
      form: SidecarForm.NATIVE_SIDECAR,
    });
    expect(() => toPodmanManifest(Testing.synth(chart))).toThrow(/restartPolicy Always/);
  });
});
