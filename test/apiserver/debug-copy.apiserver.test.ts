import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus33 from 'cdk8s-plus-33';
import { describeWithServer } from './jest-support';
import { ApiServer } from './server';
import { DebugImage, DebugOptions, DebugSidecar, DebugTool, ImageFamily, KubectlDebugCommand, PodSecurity, PodSecurityLevel } from '../../src';

/*
 * The debug container fits the Pod (docs/fitting-pods.md), against a real
 * kube-apiserver and the real kubectl (v1.37.2, from build.sh). The app is a
 * cdk8s-plus-33 Deployment (it writes shareProcessNamespace: false) with
 * labels, annotations and a liveness and a readiness probe, synthesized with
 * debug OFF; its pod template becomes a bare Pod (Pending forever: no
 * kubelet). Then:
 *   - the copy: exactly the args of `kubectlDebug({ pod, copyTo })` (after
 *     its `pipedFrom` commands, each one's output given to the next, as a
 *     shell pipe does); the stored copy has the library's debug container
 *     with its exact securityContext, no app labels or annotations, no
 *     probes, a shared process namespace, and, with sleepApp, the app's
 *     command replaced; PodSecurity admits or refuses it as
 *     `podSecurityLevel` and `refusal` predict;
 *   - the ephemeral container with the app's volumes and user (--custom
 *     carries volumeMounts), by digest, stored as `ephemeralContainer()`;
 *   - the sidecar with pull secrets, the app's volumes and user, stored.
 */

const RANK: Record<string, number> = { privileged: 0, baseline: 1, restricted: 2 };
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

interface Case {
  readonly label: string;
  readonly debug: DebugOptions;
}

const CASES: Case[] = [
  { label: 'tcpdump', debug: { tools: [DebugTool.TCPDUMP] } },
  { label: 'curl', debug: { tools: [DebugTool.CURL] } },
  { label: 'curl as the app\'s user, with its volume', debug: { tools: [DebugTool.CURL], runAsAppUser: true, appVolumes: {} } },
  { label: 'strace', debug: { tools: [DebugTool.STRACE] } },
];

/** The app, restricted on its own (user 1000:3000, all capabilities dropped, RuntimeDefault seccomp), with labels, probes and a volume. */
function build(debug: DebugOptions, enforce?: PodSecurityLevel): { sidecar: DebugSidecar; pod: any } {
  const chart = new Chart(Testing.app(), 'test');
  if (enforce !== undefined) PodSecurity.enforce(chart, enforce);
  const data = kplus33.Volume.fromEmptyDir(chart, 'data', 'data');
  const app = new kplus33.Deployment(chart, 'web', {
    podMetadata: { labels: { tier: 'web' }, annotations: { 'team.example.com/owner': 'payments' } },
    containers: [{
      name: 'app',
      image: 'docker.io/nginxinc/nginx-unprivileged:1.27.3',
      portNumber: 8080,
      args: ['-g', 'daemon off;'],
      securityContext: { user: 1000, group: 3000, capabilities: { drop: [kplus33.Capability.ALL] } },
      liveness: kplus33.Probe.fromHttpGet('/healthz'),
      readiness: kplus33.Probe.fromHttpGet('/ready'),
      volumeMounts: [{ path: '/data', volume: data }],
    }],
    dockerRegistryAuth: kplus33.Secret.fromSecretName(chart, 'regcred', 'regcred'),
  });
  ApiObject.of(app).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
  const sidecar = DebugSidecar.attach(app, { ...debug, enabled: false });
  const deployment = Testing.synth(chart).find(o => o.kind === 'Deployment');
  const { metadata, spec } = deployment.spec.template;
  return { sidecar, pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app', labels: metadata.labels, annotations: metadata.annotations }, spec } };
}

/** Runs a command's `pipedFrom` and `args` as a shell pipe would: each one's output is the next one's input. */
function run(server: ApiServer, cmd: KubectlDebugCommand): { status: number | null; stderr: string } {
  let input: string | undefined;
  for (const args of cmd.pipedFrom ?? []) input = server.kubectlOk(args, input === undefined ? {} : { input });
  return server.kubectl(cmd.args, input === undefined ? {} : { input });
}

/** Admitted, or refused by PodSecurity; anything else throws. */
function admitted(what: string, r: { status: number | null; stderr: string }): boolean {
  if (r.status === 0) return true;
  if (/Error from server \(Forbidden\): pods "[^"]+" is forbidden: violates PodSecurity /.test(r.stderr)) return false;
  throw new Error(`${what}: exited ${r.status} for another reason than PodSecurity:\n${r.stderr}`);
}

describeWithServer('the debug container fits the Pod, against kube-apiserver and kubectl', server => {
  let work: string;
  beforeAll(() => { work = mkdtempSync(path.join(tmpdir(), 'debug-copy-apiserver-')); });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const suffix = Math.random().toString(36).slice(2, 7);

  function getPod(namespace: string, name: string): any {
    return JSON.parse(server().kubectlOk(['get', 'pod', name, '-n', namespace, '-o', 'json']));
  }

  /** A namespace enforcing `level` (latest), with the app's Pod in it. */
  function namespaceWithApp(name: string, level: PodSecurityLevel): string {
    const namespace = `${name}-${suffix}`;
    server().createNamespace(namespace, { 'pod-security.kubernetes.io/enforce': level, 'pod-security.kubernetes.io/enforce-version': 'latest' });
    server().kubectlOk(['create', '-n', namespace, '-f', '-'], { input: JSON.stringify(build({}).pod) });
    return namespace;
  }

  test('the copy is stored with the debug container and its exact securityContext, no app labels or probes, shared processes', () => {
    // GIVEN
    const namespace = namespaceWithApp('copy', PodSecurityLevel.PRIVILEGED);
    const original = getPod(namespace, 'app');
    expect(original.metadata.labels).toEqual(expect.objectContaining({ tier: 'web' }));
    expect(original.spec.shareProcessNamespace).toBe(false);
    expect(original.spec.containers[0].livenessProbe).toBeDefined();
    const { sidecar } = build(CASES[0].debug);
    const customFile = path.join(work, 'copy.json');
    const cmd = sidecar.kubectlDebug({ pod: 'app', namespace, copyTo: 'app-debug', customFile });
    writeFileSync(customFile, cmd.customJson);

    // WHEN
    expect(run(server(), cmd)).toMatchObject({ status: 0 });

    // THEN
    const copy = getPod(namespace, 'app-debug');
    const debug = copy.spec.containers.find((c: any) => c.name === 'debug');
    const library = JSON.parse(cmd.customJson);
    expect(copy.spec.containers.map((c: any) => c.name)).toEqual(['app', 'debug']);
    expect(debug.securityContext).toEqual(library.securityContext);
    expect(debug.securityContext.capabilities).toEqual({ add: ['NET_RAW'], drop: ['ALL'] });
    expect(debug.resources).toEqual(library.resources);
    expect([debug.image, debug.command]).toEqual([sidecar.image.reference, cmd.args.slice(cmd.args.indexOf('--') + 1)]);
    expect(copy.metadata.labels).toBeUndefined();
    expect(copy.metadata.annotations).toBeUndefined();
    expect(copy.spec.containers[0]).not.toHaveProperty('livenessProbe');
    expect(copy.spec.containers[0]).not.toHaveProperty('readinessProbe');
    expect(copy.spec.containers[0].args).toEqual(['-g', 'daemon off;']);
    expect(copy.spec.shareProcessNamespace).toBe(true);
    // The original is untouched, and the record goes on the copy.
    expect(getPod(namespace, 'app').spec.containers.map((c: any) => c.name)).toEqual(['app']);
    server().kubectlOk(cmd.labelArgs);
    server().kubectlOk(cmd.annotateArgs);
    expect(getPod(namespace, 'app-debug').metadata.labels).toEqual({ 'cdk8s-debuggable.dev/debug': 'true' });
  }, 60_000);

  test('sleepApp and missing pull secrets: read, patched locally, copied; the app only sleeps, the pull secrets are added', () => {
    // GIVEN
    const namespace = namespaceWithApp('copy-sleep', PodSecurityLevel.PRIVILEGED);
    const { sidecar } = build({ tools: [DebugTool.STRACE], imagePullSecrets: ['debug-pull'] });
    const customFile = path.join(work, 'copy-sleep.json');
    const cmd = sidecar.kubectlDebug({ pod: 'app', namespace, copyTo: 'app-sleeps', sleepApp: true, customFile });
    writeFileSync(customFile, cmd.customJson);
    expect(cmd.pipedFrom).toHaveLength(2);

    // WHEN
    expect(run(server(), cmd)).toMatchObject({ status: 0 });

    // THEN
    const copy = getPod(namespace, 'app-sleeps');
    const app = copy.spec.containers.find((c: any) => c.name === 'app');
    expect(app.command).toEqual(sidecar.ephemeralContainer().command);
    expect(app).not.toHaveProperty('args');
    // A strategic merge by name: both, each once (it puts the new one first; the kubelet tries them all).
    expect(copy.spec.imagePullSecrets).toHaveLength(2);
    expect(copy.spec.imagePullSecrets).toEqual(expect.arrayContaining([{ name: 'regcred' }, { name: 'debug-pull' }]));
    expect(copy.spec.containers.find((c: any) => c.name === 'debug').securityContext).toEqual(JSON.parse(cmd.customJson).securityContext);
    expect(copy.spec.shareProcessNamespace).toBe(true);
    expect(copy.metadata.labels).toBeUndefined();
  }, 60_000);

  test.each([PodSecurityLevel.BASELINE, PodSecurityLevel.RESTRICTED])(
    'namespace enforcing %s: the copy is refused iff podSecurityLevel is less strict, and refusal is set iff refused', level => {
      const namespace = namespaceWithApp(`copy-${level}`, level);
      const verdicts = CASES.map((c, i) => {
        const customFile = path.join(work, `copy-${level}-${i}.json`);
        const cmd = build(c.debug).sidecar.kubectlDebug({ pod: 'app', namespace, copyTo: `copy-${i}`, customFile });
        writeFileSync(customFile, cmd.customJson);
        const declared = build(c.debug, level).sidecar.kubectlDebug({ pod: 'app', namespace, copyTo: `copy-${i}`, customFile });
        const predicted = RANK[cmd.podSecurityLevel] >= RANK[level];
        return { label: c.label, admitted: admitted(c.label, run(server(), cmd)), predicted, refusal: declared.refusal };
      });
      // eslint-disable-next-line no-console
      console.log(`copies in a ${level} namespace: ${verdicts.map(v => `${v.label}: ${v.admitted ? 'admitted' : 'refused'}`).join('; ')}`);
      expect(verdicts.filter(v => v.admitted !== v.predicted)).toEqual([]);
      expect(verdicts.filter(v => (v.refusal !== undefined) === v.admitted)).toEqual([]);
      expect(verdicts.some(v => v.admitted)).toBe(true);
      expect(verdicts.some(v => !v.admitted)).toBe(true);
    }, 120_000);

  test('the ephemeral container with the app\'s volumes and user, by digest, through kubectl --custom: stored as ephemeralContainer()', () => {
    // GIVEN
    const namespace = namespaceWithApp('eph-fit', PodSecurityLevel.RESTRICTED);
    const image = DebugImage.of(`registry.example.com/team/debug@${DIGEST}`, ImageFamily.DEBIAN);
    const { sidecar } = build({ image, tools: [DebugTool.CURL], runAsAppUser: true, appVolumes: {}, imagePullSecrets: ['debug-pull'] });
    const customFile = path.join(work, 'eph-fit.json');
    const cmd = sidecar.kubectlDebug({ pod: 'app', namespace, customFile });
    writeFileSync(customFile, cmd.customJson);
    expect(cmd.pullSecretAdvice).toMatch(/kubernetes\/kubernetes#127835/);

    // WHEN
    server().kubectlOk(cmd.args);

    // THEN
    const [stored] = getPod(namespace, 'app').spec.ephemeralContainers;
    const { resources: _r, terminationMessagePath: _p, terminationMessagePolicy: _m, ...rest } = stored;
    expect(rest).toEqual(sidecar.ephemeralContainer());
    expect(stored.image).toBe(`registry.example.com/team/debug@${DIGEST}`);
    expect(stored.volumeMounts).toEqual([{ mountPath: '/app/data', name: 'data', readOnly: true }]);
    expect(stored.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 3000, runAsNonRoot: true });
  }, 60_000);

  test('an ephemeral container may not mount a subPath: the server refuses it, as the library does', () => {
    const namespace = namespaceWithApp('eph-subpath', PodSecurityLevel.PRIVILEGED);
    const patch = { spec: { ephemeralContainers: [{ name: 'x', image: 'docker.io/library/busybox:1.36', volumeMounts: [{ name: 'data', mountPath: '/d', subPath: 's' }] }] } };
    const r = server().kubectl(['patch', 'pod', 'app', '-n', namespace, '--subresource=ephemeralcontainers', '--type=strategic', '-p', JSON.stringify(patch)]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/volumeMounts\[0\]\.subPath: Forbidden: cannot be set for an Ephemeral Container/);
  }, 60_000);

  test('the sidecar with pull secrets, the app\'s volumes and user: the Pod is admitted under restricted and stored as synthesized', () => {
    const namespace = `sidecar-fit-${suffix}`;
    server().createNamespace(namespace, { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' });
    const chart = new Chart(Testing.app(), 'test');
    const data = kplus33.Volume.fromEmptyDir(chart, 'data', 'data');
    const app = new kplus33.Deployment(chart, 'web', {
      containers: [{
        name: 'app',
        image: 'docker.io/library/busybox:1.36',
        securityContext: { user: 1000, group: 3000, capabilities: { drop: [kplus33.Capability.ALL] } },
        volumeMounts: [{ path: '/data', volume: data }],
      }],
      dockerRegistryAuth: kplus33.Secret.fromSecretName(chart, 'regcred', 'regcred'),
    });
    ApiObject.of(app).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
    DebugSidecar.attach(app, { enabled: true, tools: [DebugTool.CURL], runAsAppUser: true, appVolumes: {}, imagePullSecrets: ['regcred', 'debug-pull'] });
    const spec = Testing.synth(chart).find(o => o.kind === 'Deployment').spec.template.spec;
    server().kubectlOk(['create', '-n', namespace, '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'fit' }, spec }) });
    const stored = getPod(namespace, 'fit').spec;
    expect(stored.imagePullSecrets).toEqual([{ name: 'regcred' }, { name: 'debug-pull' }]);
    const debug = stored.containers.find((c: any) => c.name === 'debug');
    expect(debug.volumeMounts).toEqual(expect.arrayContaining([{ mountPath: '/app/data', name: 'data', readOnly: true }]));
    expect(debug.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 3000, runAsNonRoot: true });
  }, 60_000);
});
