import { ApiServer, serverAvailable, startServer } from './server';

const CI = process.env.CI === 'true';

/**
 * A describe block with one real kube-apiserver for all its tests. Without Go
 * it is skipped with a one-line message, except under CI=true, where that is
 * a failing test.
 */
export function describeWithServer(title: string, body: (server: () => ApiServer) => void): void {
  const availability = serverAvailable();
  if (!availability.ok && CI) {
    test(`${title}: kube-apiserver is available under CI=true`, () => {
      throw new Error(`kube-apiserver unavailable under CI=true: ${availability.reason}`);
    });
    return;
  }
  if (!availability.ok) {
    // Straight to stderr: jest drops the console output of suites whose tests are all skipped.
    process.stderr.write(`apiserver suite skipped ('${title}'): ${(availability.reason ?? '').split('\n')[0]}\n`);
  }
  (availability.ok ? describe : describe.skip)(title, () => {
    let server: ApiServer | undefined;
    beforeAll(async () => {
      server = await startServer();
      // eslint-disable-next-line no-console
      console.log(`kube-apiserver ${server.url}: start to /readyz ${server.startToReadyMs} ms`);
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
    }, 60_000);
    body(() => {
      if (!server) throw new Error('kube-apiserver did not start (see beforeAll)');
      return server;
    });
  });
}

/** Names of objects a `kubectl create|apply --dry-run=server` accepted, from its stdout. */
export function acceptedNames(stdout: string): string[] {
  return stdout.split('\n').map(l => /^\S+\/(\S+) (?:created|configured|unchanged|serverside-applied) \(server dry run\)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null).map(m => m[1]);
}
