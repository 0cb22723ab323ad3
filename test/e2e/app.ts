/**
 * The application side of the e2e Pods, shared by the newer e2e test files: nginx from APP_IMAGE
 * as a non-root user, and the probes the tests run against it (one captured request, the nginx
 * master's pid, a traced attach). Every function takes podman container names
 * (`<pod>-<container>`), so it works for played containers and for `PlayedPod.runEphemeral`.
 */
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { APP_IMAGE, APP_PORT, exec, ExecResult, execInBackground } from './podman';

/** The app container: nginx as uid 25000 / gid 26000, every capability dropped by default, /tmp an emptyDir. */
export function appContainer(chart: Chart, extra: Partial<kplus.ContainerProps> = {}): kplus.ContainerProps {
  return {
    name: 'main',
    image: APP_IMAGE,
    imagePullPolicy: kplus.ImagePullPolicy.NEVER,
    portNumber: APP_PORT,
    securityContext: { user: 25000, group: 26000 },
    volumeMounts: [{ path: '/tmp', volume: kplus.Volume.fromEmptyDir(chart, `tmp-${Math.random().toString(36).slice(2, 7)}`, 'app-tmp') }],
    ...extra,
  };
}

/**
 * Starts `tcpdump -i lo` in `debug`, sends one HTTP request from `app` to nginx, returns what
 * tcpdump printed (or its error when it could not start capturing).
 */
export async function captureOneRequest(debug: string, app: string): Promise<ExecResult> {
  const capture = execInBackground(debug, ['tcpdump', '-i', 'lo', '-nn', '-A', '-c', '4', `tcp port ${APP_PORT}`]);
  try {
    await capture.waitForOutput(/listening on lo/, 15_000);
  } catch {
    return capture.wait(5_000);
  }
  const curl = exec(app, ['curl', '-sS', `http://127.0.0.1:${APP_PORT}/`]);
  if (curl.stdout !== 'e2e-app ok\n') throw new Error(`the app did not answer: ${curl.stdout}${curl.stderr}`);
  return capture.wait(15_000);
}

/** A capture shows the request: the SYN to the app's port and the GET line. */
export const CAPTURED_SYN = new RegExp(`127\\.0\\.0\\.1\\.\\d+ > 127\\.0\\.0\\.1\\.${APP_PORT}: Flags \\[S\\]`);

/** The pid of the nginx master as the app's PID namespace numbers it. */
export function nginxMasterPid(app: string): string {
  const pid = exec(app, ['cat', '/tmp/nginx.pid']).stdout.trim();
  if (!/^\d+$/.test(pid)) throw new Error(`no nginx pid in ${app}: "${pid}"`);
  return pid;
}

/** `strace -p <pid>` for two seconds from `debug`. */
export function straceAttach(debug: string, pid: string): ExecResult {
  return exec(debug, ['timeout', '2', 'strace', '-p', pid, '-o', '/dev/null']);
}

/** Debian's tcpdump error texts when one of its capabilities is missing (measured, see MEASURED.md). */
export const TCPDUMP_ERRORS: Record<string, RegExp> = {
  NET_RAW: /You don't have permission to perform this capture on that device\s+\(socket: Operation not permitted\)/,
  SETUID: /Couldn't change to 'tcpdump' uid=\d+ gid=\d+: Operation not permitted/,
  SETGID: /Couldn't change to 'tcpdump' uid=\d+ gid=\d+: Operation not permitted/,
};

/** strace's error when SYS_PTRACE is missing. */
export function straceError(pid: string): string {
  return `strace: attach: ptrace(PTRACE_SEIZE, ${pid}): Operation not permitted`;
}
