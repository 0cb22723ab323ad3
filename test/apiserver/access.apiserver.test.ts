import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { describeWithServer } from './jest-support';
import { KubectlResult } from './server';
import { DebugAccess, DebuggableDeployment, DebugSidecar, DebugTool } from '../../src';

/*
 * DebugAccess on a real kube-apiserver with RBAC authorization (v1.37.2, with
 * the kubectl of the same release), asked through impersonation (`--as`,
 * `--as-group`) from the admin kubeconfig. Two grants are applied as the
 * library synthesizes them: the default one (user alice, group sre, service
 * account `debugger` of the namespace and `robot` of another) and one with
 * every option (allowAttach, allowCopy, allowRecord) for user carol. Then:
 *   - the granted subjects run the library's emitted `kubectl debug`
 *     (kubectlDebug() args, --custom file written) on a Pod made from a
 *     debug-off Deployment, and the ephemeral container is stored;
 *   - an ungranted user is refused, and so is alice in another namespace;
 *   - `kubectl auth can-i` answers yes for exactly the Role's verbs and no
 *     for the rest (`--list`: what the grant adds to an ungranted user's
 *     rules is exactly the Role's rules);
 *   - exec and logs pass authorization (no kubelet runs, so they fail
 *     after it), `kubectl debug --copy-to` and the record commands
 *     (`kubectl label`, `kubectl annotate`) work only with their options.
 */

const APP: kplus.ContainerProps = {
  name: 'app',
  image: 'nginxinc/nginx-unprivileged:1.27.3',
  portNumber: 8080,
  securityContext: { user: 101, group: 101 },
};
const SERVER_DEFAULTS = { terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' };
const FORBIDDEN = /Error from server \(Forbidden\): .* is forbidden: User "[^"]+" cannot /;

/** The Role's verbs in can-i form: [verb, resource, subresource]. */
type Ask = readonly [string, string, string?];
const GRANTED: Ask[] = [
  ['get', 'pods'], ['list', 'pods'], ['watch', 'pods'],
  ['patch', 'pods', 'ephemeralcontainers'],
  ['create', 'pods', 'exec'],
  ['get', 'pods', 'log'],
];
const WITH_OPTIONS: Ask[] = [['create', 'pods', 'attach'], ['create', 'pods'], ['patch', 'pods']];
/** What must be refused to a default grant: the issue's list, and what is next to the granted verbs. */
const REFUSED: Ask[] = [
  ['create', 'pods'], ['get', 'secrets'], ['list', 'secrets'], ['patch', 'deployments.apps'], ['delete', 'pods'], ['deletecollection', 'pods'],
  ['update', 'pods'], ['patch', 'pods'], ['update', 'pods', 'ephemeralcontainers'], ['get', 'pods', 'ephemeralcontainers'],
  ['create', 'pods', 'attach'], ['create', 'pods', 'portforward'], ['get', 'pods', 'exec'], ['create', 'pods', 'eviction'],
  ['get', 'configmaps'], ['create', 'serviceaccounts', 'token'], ['create', 'rolebindings.rbac.authorization.k8s.io'],
];

describeWithServer('DebugAccess against kube-apiserver with RBAC', server => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const NS = `debug-${suffix}`;
  const OTHER = `other-${suffix}`;
  const ALICE = ['--as=alice'];
  const SRE = ['--as=gina', '--as-group=sre'];
  const DEBUGGER = [`--as=system:serviceaccount:${NS}:debugger`];
  const ROBOT = [`--as=system:serviceaccount:${OTHER}:robot`];
  const CAROL = ['--as=carol'];
  const BOB = ['--as=bob'];
  let work: string;
  let sidecar: DebugSidecar;
  let podTemplate: any;

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'access-apiserver-'));
    // GIVEN the two grants, as synthesized, in their namespace; and a debug-off web app.
    const chart = Testing.chart();
    new DebugAccess(chart, 'access', { namespace: NS, users: ['alice'], groups: ['sre'], serviceAccounts: ['debugger', `${OTHER}/robot`] });
    new DebugAccess(chart, 'everything', { namespace: NS, users: ['carol'], allowAttach: true, allowCopy: true, allowRecord: true });
    const web = new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: false, tools: [DebugTool.TCPDUMP] } });
    const objects = Testing.synth(chart);
    sidecar = web.debug;
    podTemplate = objects.find(o => o.kind === 'Deployment').spec.template;
    expect(podTemplate.spec.containers.map((c: any) => c.name)).toEqual(['app']);
    for (const ns of [NS, OTHER]) server().createNamespace(ns);
    server().kubectlOk(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects.filter(o => o.kind !== 'Deployment') }) });
  }, 60_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** A Pod of the web app (debug off), created by the admin. */
  function createPod(namespace: string, name: string): void {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: podTemplate.metadata?.labels }, spec: podTemplate.spec };
    server().kubectlOk(['create', '-n', namespace, '-f', '-'], { input: JSON.stringify(pod) });
  }

  function ephemeralOf(namespace: string, name: string): any[] {
    return JSON.parse(server().kubectlOk(['get', 'pod', name, '-n', namespace, '-o', 'json'])).spec.ephemeralContainers ?? [];
  }

  /** The library's kubectl debug on `pod`, run as `who`. */
  function emittedDebug(who: string[], namespace: string, pod: string): KubectlResult {
    const customFile = path.join(work, `${namespace}-${pod}.json`);
    const cmd = sidecar.kubectlDebug({ pod, namespace, customFile });
    writeFileSync(customFile, cmd.customJson);
    return server().kubectl([...who, ...cmd.args]);
  }

  function canI(who: string[], [verb, resource, sub]: Ask, namespace = NS): boolean {
    const r = server().kubectl(['auth', 'can-i', verb, resource, ...(sub ? [`--subresource=${sub}`] : []), '-n', namespace, ...who]);
    if (r.stdout.trim() === 'yes') return true;
    if (r.stdout.trim() === 'no') return false;
    throw new Error(`kubectl auth can-i ${verb} ${resource} ${sub ?? ''}: exit ${r.status}: ${r.stdout}${r.stderr}`);
  }

  const show = ([verb, resource, sub]: Ask) => `${verb} ${resource}${sub ? `/${sub}` : ''}`;

  test('the granted user, group member and service accounts run the emitted kubectl debug, and the ephemeral container is stored', () => {
    // GIVEN one Pod per subject.
    const subjects: Array<[string, string[]]> = [['alice', ALICE], ['sre', SRE], ['debugger', DEBUGGER], ['robot', ROBOT]];
    for (const [name] of subjects) createPod(NS, `web-${name}`);

    // WHEN
    const results = subjects.map(([name, who]) => ({ name, run: emittedDebug(who, NS, `web-${name}`) }));

    // THEN
    for (const { name, run } of results) {
      expect({ name, status: run.status, stderr: run.stderr }).toEqual({ name, status: 0, stderr: '' });
      const stored = ephemeralOf(NS, `web-${name}`);
      expect(stored.map(({ resources, ...c }: any) => c)).toEqual([{ ...sidecar.ephemeralContainer(), ...SERVER_DEFAULTS }]);
    }
  }, 60_000);

  test('an ungranted user is refused, and a granted user is refused in another namespace; nothing is stored', () => {
    // GIVEN
    createPod(NS, 'web-bob');
    createPod(OTHER, 'web-alice');

    // WHEN
    const bob = emittedDebug(BOB, NS, 'web-bob');
    const aliceElsewhere = emittedDebug(ALICE, OTHER, 'web-alice');

    // THEN
    expect(bob.status).toBe(1);
    expect(bob.stderr).toMatch(FORBIDDEN);
    expect(bob.stderr).toContain('User "bob" cannot get resource "pods"');
    expect(aliceElsewhere.status).toBe(1);
    expect(aliceElsewhere.stderr).toContain(`User "alice" cannot get resource "pods" in API group "" in the namespace "${OTHER}"`);
    expect([ephemeralOf(NS, 'web-bob'), ephemeralOf(OTHER, 'web-alice')]).toEqual([[], []]);
  }, 60_000);

  test('kubectl auth can-i: yes for exactly the granted verbs, no for the rest and anywhere else', () => {
    for (const who of [ALICE, SRE, DEBUGGER, ROBOT]) {
      // THEN the issue's list, as each subject.
      const answers = [...GRANTED, ...REFUSED].map(ask => ({ who: who.join(' '), ask: show(ask), yes: canI(who, ask) }));
      expect(answers).toEqual([...GRANTED.map(a => ({ who: who.join(' '), ask: show(a), yes: true })),
        ...REFUSED.map(a => ({ who: who.join(' '), ask: show(a), yes: false }))]);
      // Nothing in another namespace.
      expect(GRANTED.filter(ask => canI(who, ask, OTHER)).map(show)).toEqual([]);
    }
    // The ungranted user: none of it.
    expect(GRANTED.filter(ask => canI(BOB, ask)).map(show)).toEqual([]);
    // The options add exactly their verbs.
    expect(WITH_OPTIONS.map(ask => canI(CAROL, ask))).toEqual([true, true, true]);
    expect(WITH_OPTIONS.map(ask => canI(ALICE, ask))).toEqual([false, false, false]);
  }, 120_000);

  test('kubectl auth can-i --list: the grant adds exactly the Role\'s rules to what any authenticated user has', () => {
    /** The resource rows of `can-i --list`, as "resource [verbs]". */
    const rows = (who: string[]): string[] => server().kubectlOk(['auth', 'can-i', '--list', '-n', NS, ...who]).split('\n').slice(1)
      .map(l => l.trim().split(/\s{2,}/)).filter(cols => cols.length === 4 && cols[1] === '[]' && cols[0] !== '').map(cols => `${cols[0]} ${cols[3]}`);
    const added = (who: string[]) => rows(who).filter(r => !rows(BOB).includes(r)).sort();
    expect(added(ALICE)).toEqual([
      'pods [get list watch]',
      'pods/ephemeralcontainers [patch]',
      'pods/exec [create]',
      'pods/log [get]',
    ]);
    expect(added(CAROL)).toEqual([
      'pods [get list watch create patch]',
      'pods/attach [create]',
      'pods/ephemeralcontainers [patch]',
      'pods/exec [create]',
      'pods/log [get]',
    ]);
  }, 60_000);

  test('exec and logs pass authorization for the granted user (they fail after it, with no kubelet) and not for the ungranted', () => {
    // GIVEN
    createPod(NS, 'web-exec');

    // WHEN
    const run = (who: string[], args: string[]) => server().kubectl([...who, '-n', NS, ...args]);
    const exec = ['exec', 'web-exec', '-c', 'app', '--', 'true'];
    const logs = ['logs', 'web-exec', '-c', 'app'];

    // THEN
    // exec: kubectl tries a WebSocket first (a GET, which needs `get` on pods/exec), is refused, and falls back to SPDY (a POST: `create`).
    const granted = run([...ALICE, '-v=4'], exec);
    expect(granted.status).toBe(1);
    expect(granted.stderr).toContain('RemoteCommand fallback');
    expect(granted.stderr).toContain('unable to upgrade connection: pod web-exec does not have a host assigned');
    expect(granted.stderr).not.toMatch(/User "alice" cannot create/);
    expect(run(BOB, exec).stderr).toMatch(FORBIDDEN);
    // logs: nothing runs, so nothing to read, but allowed.
    expect(run(ALICE, logs)).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(run(BOB, logs).stderr).toMatch(FORBIDDEN);
  }, 60_000);

  test('allowCopy: kubectl debug --copy-to creates the copy; allowRecord: the record commands label and annotate the Pod; not without them', () => {
    // GIVEN
    createPod(NS, 'web-copy');
    const copy = (who: string[], name: string) => server().kubectl([...who, 'debug', 'web-copy', '-n', NS, `--copy-to=${name}`,
      '--image=docker.io/library/busybox:1.36', '--container=dbg', '--share-processes', '--profile=general', '--', 'sleep', '3600']);
    const cmd = sidecar.kubectlDebug({ pod: 'web-copy', namespace: NS, customFile: path.join(work, 'copy.json') });

    // WHEN / THEN
    const refusedCopy = copy(ALICE, 'web-copy-alice');
    expect(refusedCopy.stderr).toContain('User "alice" cannot create resource "pods"');
    const carolCopy = copy(CAROL, 'web-copy-carol');
    expect({ status: carolCopy.status, stderr: carolCopy.stderr }).toEqual({ status: 0, stderr: '' });
    const copied = JSON.parse(server().kubectlOk(['get', 'pod', 'web-copy-carol', '-n', NS, '-o', 'json']));
    expect(copied.spec.containers.map((c: any) => c.name)).toEqual(['app', 'dbg']);
    expect(server().kubectl(['get', 'pod', 'web-copy-alice', '-n', NS]).status).toBe(1);

    for (const args of [cmd.labelArgs, cmd.annotateArgs]) {
      expect(server().kubectl([...ALICE, ...args]).stderr).toContain('User "alice" cannot patch resource "pods"');
      expect(server().kubectl([...CAROL, ...args]).status).toBe(0);
    }
    const labels = JSON.parse(server().kubectlOk(['get', 'pod', 'web-copy', '-n', NS, '-o', 'json'])).metadata.labels;
    expect(labels[DebugSidecar.POD_LABEL]).toBe('true');
  }, 60_000);
});
