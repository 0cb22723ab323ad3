import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { describeWithServer } from './jest-support';
import { KubectlResult } from './server';
import { Capability, DebuggableDeployment, DebugGuard, DebugSidecar, DebugTool } from '../../src';

/*
 * DebugGuard's ValidatingAdmissionPolicy on a real kube-apiserver (v1.37.2,
 * with the kubectl of the same release). Two guards are applied as the
 * library synthesizes them: one for namespaces labelled
 * environment=production (the defaults), one for environment=locked with
 * allowEphemeralContainers: false. Then, in a namespace of each and in one
 * the guards do not select:
 *   - the library's debug Deployment, its pod template turned into a Pod;
 *   - the same Deployment with debug off, as a Pod;
 *   - the emitted `kubectl debug` (kubectlDebug() args, --custom file
 *     written) on the plain Pod, and the emitted `kubectl label`;
 *   - what the library did not make: `kubectl debug` typed by hand with each
 *     profile, and hand-written Pods (privileged, SYS_ADMIN in an init
 *     container, NET_BIND_SERVICE).
 * A refusal must be the policy's (its name and binding in kubectl's error,
 * the rule, the way out), and nothing refused is stored.
 */

const APP: kplus.ContainerProps = {
  name: 'app',
  image: 'nginxinc/nginx-unprivileged:1.27.3',
  portNumber: 8080,
  securityContext: { user: 101, group: 101 },
};
const BUSYBOX = 'docker.io/library/busybox:1.36';

/** The web app's Deployment, debug on or off (tcpdump: NET_RAW), and its DebugSidecar. */
function web(debug: boolean): { sidecar: DebugSidecar; template: any; deployment: any } {
  const chart = Testing.chart();
  const dep = new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: debug, tools: [DebugTool.TCPDUMP] } });
  const deployment = Testing.synth(chart).find(o => o.kind === 'Deployment');
  return { sidecar: dep.debug, template: deployment.spec.template, deployment };
}

function podOf(name: string, template: any): any {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: template.metadata?.labels, annotations: template.metadata?.annotations }, spec: template.spec };
}

function podWith(name: string, container: any, init?: any): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'app', image: BUSYBOX, ...container }], ...(init ? { initContainers: [{ name: 'init', image: BUSYBOX, ...init }] } : {}) },
  };
}

interface Verdict {
  readonly admitted: boolean;
  /** The policy's message, when it refused. */
  readonly message?: string;
  readonly policy?: string;
}

/** Admitted (exit 0), or refused by a ValidatingAdmissionPolicy; any other failure throws. */
function verdictOf(what: string, r: KubectlResult): Verdict {
  if (r.status === 0) return { admitted: true };
  const m = /ValidatingAdmissionPolicy '([^']+)' with binding '[^']+' denied request: (.*)$/m.exec(r.stderr);
  if (!m) throw new Error(`${what}: exited ${r.status} for another reason than the policy:\n${r.stderr}`);
  return { admitted: false, policy: m[1], message: m[2] };
}

describeWithServer('DebugGuard against kube-apiserver', server => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const PROD = `guarded-${suffix}`;
  const LOCKED = `locked-${suffix}`;
  const OPEN = `open-${suffix}`;
  const POLICY = `no-debug-${suffix}`;
  const LOCKED_POLICY = `no-ephemeral-${suffix}`;
  const WARNED = `warned-${suffix}`;
  const WARN_POLICY = `warn-debug-${suffix}`;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'guard-apiserver-'));
    // GIVEN the two guards, as synthesized, and three namespaces.
    const chart = Testing.chart();
    new DebugGuard(chart, 'guard', { name: POLICY, namespaceSelector: { matchLabels: { environment: 'production' } } });
    new DebugGuard(chart, 'locked', {
      name: LOCKED_POLICY,
      namespaceSelector: { matchExpressions: [{ key: 'environment', operator: 'In', values: ['locked'] }] },
      allowedCapabilities: [Capability.NET_BIND_SERVICE],
      allowEphemeralContainers: false,
    });
    // docs/access.md's warn mode: the binding patched to Warn and Audit.
    const warn = new DebugGuard(chart, 'warn', { name: WARN_POLICY, namespaceSelector: { matchLabels: { environment: 'warned' } } });
    warn.binding.addJsonPatch(JsonPatch.replace('/spec/validationActions', ['Warn', 'Audit']));
    server().kubectlOk(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: Testing.synth(chart) }) });
    server().createNamespace(PROD, { environment: 'production' });
    server().createNamespace(LOCKED, { environment: 'locked' });
    server().createNamespace(OPEN, { environment: 'development' });
    server().createNamespace(WARNED, { environment: 'warned' });

    for (const [namespace, policy] of [[PROD, POLICY], [LOCKED, LOCKED_POLICY]]) {
      // eslint-disable-next-line no-console
      console.log(`${policy} refuses in ${namespace} after ${await guarded(namespace, policy)} ms`);
    }
  }, 90_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /**
   * A policy, or a namespace's new label, takes a moment to reach admission: polls with a dry run of a privileged Pod until
   * `policy` refuses it in `namespace` with its own message.
   */
  async function guarded(namespace: string, policy: string): Promise<number> {
    const started = Date.now();
    const deadline = started + 30_000;
    for (;;) {
      const r = server().kubectl(['create', '--dry-run=server', '-n', namespace, '-f', '-'],
        { input: JSON.stringify(podWith('probe', { securityContext: { privileged: true } })) });
      if (r.status !== 0 && r.stderr.includes(`ValidatingAdmissionPolicy '${policy}'`) && r.stderr.includes('Refused by DebugGuard rule')) return Date.now() - started;
      if (Date.now() > deadline) throw new Error(`${policy} not active in ${namespace} after 30 s: ${r.stderr || 'admitted'}`);
      await new Promise(res => setTimeout(res, 250));
    }
  }

  function create(namespace: string, pod: any): Verdict {
    return verdictOf(`create ${pod.metadata.name} in ${namespace}`, server().kubectl(['create', '-n', namespace, '-f', '-'], { input: JSON.stringify(pod) }));
  }

  function stored(namespace: string, name: string): any | undefined {
    const r = server().kubectl(['get', 'pod', name, '-n', namespace, '-o', 'json']);
    return r.status === 0 ? JSON.parse(r.stdout) : undefined;
  }

  /** Runs the library's kubectl debug on `pod` (and its kubectl label command); both verdicts. */
  function emittedDebug(namespace: string, pod: string): { debug: Verdict; label: Verdict; container: string } {
    const { sidecar } = web(false);
    const customFile = path.join(work, `${namespace}-${pod}.json`);
    const cmd = sidecar.kubectlDebug({ pod, namespace, customFile });
    writeFileSync(customFile, cmd.customJson);
    return {
      debug: verdictOf(`kubectl ${cmd.args.join(' ')}`, server().kubectl(cmd.args)),
      label: verdictOf(`kubectl ${cmd.labelArgs.join(' ')}`, server().kubectl(cmd.labelArgs)),
      container: sidecar.ephemeralContainer().name,
    };
  }

  /** `kubectl debug` as typed by hand, with a profile. */
  function handDebug(namespace: string, pod: string, profile: string, container: string): Verdict {
    const args = ['debug', pod, '-n', namespace, `--image=${BUSYBOX}`, `--container=${container}`, '--target=app', `--profile=${profile}`, '--', 'sleep', '3600'];
    return verdictOf(`kubectl ${args.join(' ')}`, server().kubectl(args));
  }

  const ephemeralNames = (namespace: string, pod: string): string[] =>
    (stored(namespace, pod)?.spec.ephemeralContainers ?? []).map((c: any) => c.name);

  test('in a guarded namespace: the debug Deployment\'s Pod is refused, its plain Pod admitted, the emitted kubectl debug and kubectl label refused', () => {
    // WHEN
    const debugPod = create(PROD, podOf('web-debug', web(true).template));
    const plainPod = create(PROD, podOf('web-plain', web(false).template));
    const emitted = emittedDebug(PROD, 'web-plain');
    const deployment = create(PROD, web(true).deployment);

    // THEN the debug Pod: the label rule, with the way out; nothing stored.
    expect(web(true).template.metadata.labels[DebugSidecar.POD_LABEL]).toBe('true');
    expect(debugPod).toEqual({ admitted: false, policy: POLICY, message: expect.stringContaining('Refused by DebugGuard rule "debug-label"') });
    expect(debugPod.message).toContain(`the Pod carries the label ${DebugSidecar.POD_LABEL}`);
    expect(debugPod.message).toContain('Way out: synthesize the manifests for this namespace with debug off');
    expect(stored(PROD, 'web-debug')).toBeUndefined();
    // The plain Pod is admitted; so is the debug Deployment: the policy judges Pods (its ReplicaSet's would be refused).
    expect(plainPod).toEqual({ admitted: true });
    expect(deployment).toEqual({ admitted: true });
    // The emitted kubectl debug: the capabilities rule names the container and NET_RAW; nothing is added.
    expect(emitted.debug).toEqual({ admitted: false, policy: POLICY, message: expect.stringContaining('Refused by DebugGuard rule "capabilities"') });
    expect(emitted.debug.message).toContain(`container ${emitted.container} adds NET_RAW, beyond what this namespace allows to add (AUDIT_WRITE, CHOWN,`);
    expect(emitted.debug.message).toContain("Way out: choose tools that need no other capability (kubectl debug --profile=baseline), have the cluster's administrator add it");
    expect(ephemeralNames(PROD, 'web-plain')).toEqual([]);
    // Labelling the running Pod as a debug Pod (the record kubectlDebug() gives) is refused too.
    expect(emitted.label).toEqual({ admitted: false, policy: POLICY, message: expect.stringContaining('rule "debug-label"') });
    expect(stored(PROD, 'web-plain').metadata.labels?.[DebugSidecar.POD_LABEL]).toBeUndefined();
    // eslint-disable-next-line no-console
    console.log(`refusals in ${PROD}:\n  debug Pod: ${debugPod.message}\n  kubectl debug: ${emitted.debug.message}\n  kubectl label: ${emitted.label.message}`);
  }, 60_000);

  test('a debug Pod created before its namespace was guarded: its own updates are admitted, an ephemeral container added to it is refused', async () => {
    // GIVEN a debug Pod in a namespace that is labelled production afterwards.
    const namespace = `late-${suffix}`;
    server().createNamespace(namespace, { environment: 'development' });
    expect(create(namespace, podOf('web-debug', web(true).template))).toEqual({ admitted: true });
    server().kubectlOk(['label', 'namespace', namespace, '--overwrite', 'environment=production']);
    await guarded(namespace, POLICY);

    // WHEN
    const annotate = verdictOf('annotate', server().kubectl(['annotate', 'pod', 'web-debug', '-n', namespace, 'note=still-updatable']));
    const ephemeral = handDebug(namespace, 'web-debug', 'baseline', 'dbg-late');

    // THEN: the label is not new, so the update passes; adding a container to a debug Pod does not.
    expect(annotate).toEqual({ admitted: true });
    expect(ephemeral).toEqual({ admitted: false, policy: POLICY, message: expect.stringContaining('Refused by DebugGuard rule "debug-label"') });
    expect(ephemeralNames(namespace, 'web-debug')).toEqual([]);
  }, 60_000);

  test('in a namespace no guard selects, all of it is admitted and stored', () => {
    // WHEN
    const debugPod = create(OPEN, podOf('web-debug', web(true).template));
    const plainPod = create(OPEN, podOf('web-plain', web(false).template));
    const emitted = emittedDebug(OPEN, 'web-plain');

    // THEN
    expect([debugPod, plainPod, emitted.debug, emitted.label].map(v => v.admitted)).toEqual([true, true, true, true]);
    expect(stored(OPEN, 'web-debug').spec.containers.map((c: any) => c.name)).toEqual(['app', 'debug']);
    expect(ephemeralNames(OPEN, 'web-plain')).toEqual([emitted.container]);
    expect(stored(OPEN, 'web-plain').metadata.labels[DebugSidecar.POD_LABEL]).toBe('true');
    // A debug Pod's own updates stay possible there and in guarded namespaces (only a new label is judged).
    expect(verdictOf('annotate', server().kubectl(['annotate', 'pod', 'web-debug', '-n', OPEN, 'note=x']))).toEqual({ admitted: true });
  }, 60_000);

  test('kubectl debug typed by hand and Pods not made by the library: refused by privilege, admitted within the allowed capabilities', () => {
    // GIVEN a plain Pod in the guarded and in the open namespace.
    for (const ns of [PROD, OPEN]) expect(create(ns, podWith('hand', {}))).toEqual({ admitted: true });

    // WHEN / THEN: each kubectl profile, in turn, on the same Pod.
    const sysadmin = handDebug(PROD, 'hand', 'sysadmin', 'dbg-sysadmin');
    expect(sysadmin).toEqual({ admitted: false, policy: POLICY, message: expect.stringContaining('Refused by DebugGuard rule "privileged": container dbg-sysadmin runs privileged') });
    const general = handDebug(PROD, 'hand', 'general', 'dbg-general');
    expect(general.message).toContain('rule "capabilities": container dbg-general adds SYS_PTRACE');
    const netadmin = handDebug(PROD, 'hand', 'netadmin', 'dbg-netadmin');
    expect(netadmin.message).toContain('rule "capabilities": container dbg-netadmin adds NET_ADMIN, NET_RAW');
    expect(handDebug(PROD, 'hand', 'baseline', 'dbg-baseline')).toEqual({ admitted: true });
    // Only the admitted one is stored; a later addition is judged alone (the earlier one is not judged again).
    expect(ephemeralNames(PROD, 'hand')).toEqual(['dbg-baseline']);
    expect(handDebug(PROD, 'hand', 'restricted', 'dbg-restricted')).toEqual({ admitted: true });
    // In the open namespace the same commands are admitted.
    expect(['sysadmin', 'general', 'netadmin'].map(p => handDebug(OPEN, 'hand', p, `dbg-${p}`).admitted)).toEqual([true, true, true]);

    // Hand-written Pods: privileged, SYS_ADMIN in an init container, CAP_ spelling; NET_BIND_SERVICE is in baseline.
    const privileged = create(PROD, podWith('priv', { securityContext: { privileged: true } }));
    expect(privileged.message).toContain('rule "privileged": container app runs privileged');
    const init = create(PROD, podWith('init-caps', {}, { securityContext: { capabilities: { add: ['SYS_ADMIN', 'CHOWN'] } } }));
    expect(init.message).toContain('rule "capabilities": container init adds SYS_ADMIN,');
    const prefixed = create(PROD, podWith('prefixed', { securityContext: { capabilities: { add: ['CAP_NET_BIND_SERVICE'] } } }));
    expect(prefixed.message).toContain('container app adds CAP_NET_BIND_SERVICE');
    expect(create(PROD, podWith('bind', { securityContext: { capabilities: { add: ['NET_BIND_SERVICE'] } } }))).toEqual({ admitted: true });
    expect(['priv', 'init-caps', 'prefixed'].map(n => stored(PROD, n))).toEqual([undefined, undefined, undefined]);
    expect(create(OPEN, podWith('priv', { securityContext: { privileged: true } }))).toEqual({ admitted: true });
  }, 120_000);

  test('warn mode (docs/access.md): the binding patched to Warn and Audit admits, and kubectl prints the refusal as a warning', async () => {
    // GIVEN the binding active: a dry run warns.
    const deadline = Date.now() + 30_000;
    while (!server().kubectl(['create', '--dry-run=server', '-n', WARNED, '-f', '-'], { input: JSON.stringify(podWith('probe', { securityContext: { privileged: true } })) })
      .stderr.includes(`ValidatingAdmissionPolicy '${WARN_POLICY}'`)) {
      if (Date.now() > deadline) throw new Error(`${WARN_POLICY} does not warn after 30 s`);
      await new Promise(res => setTimeout(res, 250));
    }
    // WHEN
    const r = server().kubectl(['create', '-n', WARNED, '-f', '-'], { input: JSON.stringify(podOf('web-debug', web(true).template)) });
    // THEN
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`Warning: Validation failed for ValidatingAdmissionPolicy '${WARN_POLICY}' with binding '${WARN_POLICY}': `
      + 'Refused by DebugGuard rule "debug-label"');
    expect(stored(WARNED, 'web-debug')).toBeDefined();
  }, 60_000);

  test('allowEphemeralContainers: false refuses every new ephemeral container; allowedCapabilities replaces the baseline list', () => {
    // GIVEN
    expect(create(LOCKED, podWith('hand', {}))).toEqual({ admitted: true });

    // WHEN / THEN
    const baseline = handDebug(LOCKED, 'hand', 'baseline', 'dbg-baseline');
    expect(baseline).toEqual({
      admitted: false,
      policy: LOCKED_POLICY,
      message: expect.stringContaining('Refused by DebugGuard rule "ephemeral-containers": ephemeral container dbg-baseline is refused'),
    });
    expect(ephemeralNames(LOCKED, 'hand')).toEqual([]);
    // CHOWN is in baseline but not in this guard's list.
    const chown = create(LOCKED, podWith('chown', { securityContext: { capabilities: { add: ['CHOWN'] } } }));
    expect(chown.message).toContain('container app adds CHOWN, beyond what this namespace allows to add (NET_BIND_SERVICE)');
    expect(create(LOCKED, podWith('bind', { securityContext: { capabilities: { add: ['NET_BIND_SERVICE'] } } }))).toEqual({ admitted: true });
  }, 60_000);
});
