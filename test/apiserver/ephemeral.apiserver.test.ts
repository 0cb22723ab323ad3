import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { describeWithServer } from './jest-support';
import { ApiServer } from './server';
import {
  DebuggableDeployment, DebugOptions, DebugProfile, DebugSidecar, DebugTool, PodSecurity, PodSecurityLevel,
} from '../../src';
import { main } from '../../src/cli/main';
import { synthExample } from '../support/readme-snippets';

/*
 * The library's ephemeral debug container against a real kube-apiserver and
 * the real kubectl (both v1.37.2, from build.sh). A workload is synthesized
 * with debug OFF and its pod template becomes a bare Pod (Pending forever: no
 * kubelet). The debug container is then added to a running Pod two ways:
 *   - kubectl: exactly the args of `DebugSidecar.kubectlDebug()` (and of the
 *     `cdk8s-debuggable kubectl-debug` command line), after writing
 *     `customJson` into the --custom file;
 *   - subresource: `ephemeralContainer()` patched into pods/ephemeralcontainers.
 * Read back, the stored ephemeral container must be the library's, and the
 * PodSecurity admission of a namespace enforcing privileged, baseline or
 * restricted must admit or refuse it exactly as `podSecurityLevel` and
 * `refusal` predict.
 */

const RANK: Record<string, number> = { privileged: 0, baseline: 1, restricted: 2 };
/** What the API server adds to every ephemeral container it stores (defaulting). */
const SERVER_DEFAULTS = { terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' };

/**
 * The app: restricted on its own (non-root, all capabilities dropped, RuntimeDefault seccomp),
 * so the bare Pod is admitted at every level and only the debug container decides.
 */
const APP: kplus.ContainerProps = {
  name: 'app',
  image: 'nginxinc/nginx-unprivileged:1.27.3',
  portNumber: 8080,
  securityContext: { user: 101, group: 101, capabilities: { drop: ['ALL' as kplus.Capability] } },
};

interface Case {
  readonly label: string;
  readonly debug: DebugOptions;
}

/** Tool sets that reach every kubectl profile the library emits, and every Pod Security level. */
const CASES: Case[] = [
  { label: 'tcpdump', debug: { tools: [DebugTool.TCPDUMP] } },
  { label: 'curl', debug: { tools: [DebugTool.CURL] } },
  { label: 'strace', debug: { tools: [DebugTool.STRACE] } },
  { label: 'DebugProfile.SYSADMIN', debug: { profile: DebugProfile.SYSADMIN } },
  { label: 'tcpdump+strace', debug: { tools: [DebugTool.TCPDUMP, DebugTool.STRACE] } },
  { label: 'iptables', debug: { tools: [DebugTool.IPTABLES] } },
  { label: 'perf', debug: { tools: [DebugTool.PERF] } },
  { label: 'curl as user 0', debug: { tools: [DebugTool.CURL], securityContext: { user: 0 } } },
  { label: 'dig under DebugProfile.RESTRICTED', debug: { tools: [DebugTool.DIG], profile: DebugProfile.RESTRICTED } },
];

/**
 * The case's workload with debug off, in a chart that declares `enforce` with
 * PodSecurity.enforce when given: its DebugSidecar, and its pod template's spec.
 */
function build(c: Case, enforce?: PodSecurityLevel): { sidecar: DebugSidecar; podSpec: any; podMetadata: any } {
  const chart = Testing.chart();
  if (enforce !== undefined) PodSecurity.enforce(chart, enforce);
  const web = new DebuggableDeployment(chart, 'web', {
    containers: [APP],
    securityContext: { user: 101 },
    debug: { ...c.debug, enabled: false },
  });
  // cdk8s-plus-27 cannot set a seccomp profile; RuntimeDefault makes the app restricted.
  ApiObject.of(web).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
  const deployment = Testing.synth(chart).find(o => o.kind === 'Deployment');
  return { sidecar: web.debug, podSpec: deployment.spec.template.spec, podMetadata: deployment.spec.template.metadata };
}

/**
 * examples/seed/main.ts (the README's first example) is a plain app that
 * exports nothing, so the library's in-process answer is asked of this copy
 * of it; the test first shows that the copy synthesizes exactly what the file
 * does.
 */
function seedCopy(): { chart: Chart; web: DebuggableDeployment } {
  const chart = new Chart(Testing.app(), 'seed');
  const web = new DebuggableDeployment(chart, 'my-nginx', {
    replicas: 1,
    containers: [{
      name: 'nginx',
      image: 'docker.io/nginxinc/nginx-unprivileged:1.27.3',
      portNumber: 8080,
      securityContext: { user: 101, group: 101 },
      volumeMounts: [{ path: '/tmp', volume: kplus.Volume.fromEmptyDir(chart, 'tmp', 'tmp') }],
    }],
    debug: { tools: [DebugTool.TCPDUMP] },
  });
  web.exposeViaService({ name: 'my-nginx', ports: [{ port: 80, targetPort: 8080 }] });
  return { chart, web };
}

function barePod(name: string, spec: any, metadata: any): any {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: metadata?.labels, annotations: metadata?.annotations }, spec };
}

/** Container names a PodSecurity detail names: `container "a"`, `containers "a", "b"`. */
function containersIn(message: string): string[] {
  const out: string[] = [];
  for (const m of message.matchAll(/containers? ((?:"[^"]+"(?:, | and )?)+)/g)) {
    for (const n of m[1].matchAll(/"([^"]+)"/g)) out.push(n[1]);
  }
  return [...new Set(out)].sort();
}

type Path = 'kubectl' | 'subresource';

interface Outcome {
  readonly admitted: boolean;
  /** The PodSecurity rejection (`violates PodSecurity "...": ...`), when refused. */
  readonly message?: string;
}

/** Admitted (exit 0), or refused by PodSecurity; anything else (an unknown flag, a validation error) throws. */
function outcomeOf(what: string, r: { status: number | null; stderr: string }): Outcome {
  if (r.status === 0) return { admitted: true };
  const m = /Error from server \(Forbidden\): pods "[^"]+" is forbidden: (violates PodSecurity .*)$/m.exec(r.stderr);
  if (!m) throw new Error(`${what}: exited ${r.status} for another reason than PodSecurity:\n${r.stderr}`);
  return { admitted: false, message: m[1] };
}

interface Row {
  readonly label: string;
  readonly path: Path;
  readonly level: PodSecurityLevel;
  readonly library: any;
  readonly podSecurityLevel: PodSecurityLevel;
  readonly args: string[];
  readonly refusal?: string;
  readonly outcome: Outcome;
  readonly stored?: any[];
}

describeWithServer('the ephemeral debug container against kube-apiserver and kubectl debug', server => {
  let work: string;
  beforeAll(() => { work = mkdtempSync(path.join(tmpdir(), 'ephemeral-apiserver-')); });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const suffix = Math.random().toString(36).slice(2, 7);

  /** `kubectl get pod -o json` of every Pod in the namespace, by name. */
  function podsIn(namespace: string): Map<string, any> {
    const list = JSON.parse(server().kubectlOk(['get', 'pods', '-n', namespace, '-o', 'json']));
    return new Map(list.items.map((p: any) => [p.metadata.name, p]));
  }

  /**
   * In a fresh namespace enforcing `level` (enforce-version latest), creates two debug-off Pods per case,
   * adds the debug container to one with the emitted kubectl args and to the other through the subresource.
   */
  function addBothWays(level: PodSecurityLevel, ser: ApiServer): Row[] {
    const namespace = `eph-${level}-${suffix}`;
    ser.createNamespace(namespace, {
      'pod-security.kubernetes.io/enforce': level,
      'pod-security.kubernetes.io/enforce-version': 'latest',
    });
    const built = CASES.map((c, i) => ({ c, i, ...build(c), declared: build(c, level).sidecar }));
    const podName = (i: number, p: Path) => `c${i}-${p}`;
    const pods = built.flatMap(b => (['kubectl', 'subresource'] as Path[]).map(p => barePod(podName(b.i, p), b.podSpec, b.podMetadata)));
    // The Pods have debug off: only the app, no sidecar.
    for (const pod of pods) {
      expect(pod.spec.containers.map((c: any) => c.name)).toEqual(['app']);
      expect(pod.spec.initContainers ?? []).toEqual([]);
    }
    ser.kubectlOk(['create', '-n', namespace, '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pods }) });

    const rows: Omit<Row, 'stored'>[] = [];
    for (const b of built) {
      const customFile = path.join(work, `${namespace}-c${b.i}.json`);
      const cmd = b.sidecar.kubectlDebug({ pod: podName(b.i, 'kubectl'), namespace, customFile });
      writeFileSync(customFile, cmd.customJson);
      const declared = b.declared.kubectlDebug({ pod: podName(b.i, 'kubectl'), namespace, customFile });
      const common = { label: b.c.label, level, podSecurityLevel: cmd.podSecurityLevel, refusal: declared.refusal, args: cmd.args };
      rows.push({
        ...common,
        path: 'kubectl',
        library: b.sidecar.ephemeralContainer(),
        outcome: outcomeOf(`${b.c.label}: kubectl ${cmd.args.join(' ')}`, ser.kubectl(cmd.args)),
      });

      const ec = b.sidecar.ephemeralContainer();
      const patch = ['patch', 'pod', podName(b.i, 'subresource'), '-n', namespace, '--subresource=ephemeralcontainers', '--type=strategic',
        '-p', JSON.stringify({ spec: { ephemeralContainers: [ec] } })];
      rows.push({ ...common, path: 'subresource', library: ec, outcome: outcomeOf(`${b.c.label}: kubectl ${patch.join(' ')}`, ser.kubectl(patch)) });
    }
    const stored = podsIn(namespace);
    return rows.map(r => ({ ...r, stored: stored.get(podName(CASES.findIndex(c => c.label === r.label), r.path))?.spec.ephemeralContainers }));
  }

  const stripEmptyResources = (c: any) => {
    const { resources, ...rest } = c;
    return resources === undefined || Object.keys(resources).length === 0 ? rest : c;
  };

  test('privileged namespace: both ways store exactly the library\'s ephemeral container (securityContext, target, image, command)', () => {
    // WHEN
    const rows = addBothWays(PodSecurityLevel.PRIVILEGED, server());

    // THEN
    const wrong = rows.filter(r => !r.outcome.admitted || r.stored?.length !== 1
      || JSON.stringify(stripEmptyResources(r.stored[0])) !== JSON.stringify({ ...r.library, ...SERVER_DEFAULTS }));
    // eslint-disable-next-line no-console
    console.log(`ephemeral containers stored: ${rows.length} (${CASES.length} cases x kubectl/subresource), `
      + `profiles: ${[...new Set(rows.map(r => r.args.find(a => a.startsWith('--profile='))))].join(' ')}; ${wrong.length} differ`);
    for (const r of rows) {
      expect({ label: r.label, path: r.path, outcome: r.outcome }).toEqual({ label: r.label, path: r.path, outcome: { admitted: true } });
      expect(r.stored).toHaveLength(1);
      // Key order aside, the whole container: nothing from the kubectl profile survives --custom.
      expect({ label: r.label, path: r.path, stored: stripEmptyResources(r.stored![0]) })
        .toEqual({ label: r.label, path: r.path, stored: { ...r.library, ...SERVER_DEFAULTS } });
    }
    expect(wrong).toEqual([]);

    // The brief's facts, on what the server stored through kubectl.
    const storedSc = (label: string) => rows.find(r => r.label === label && r.path === 'kubectl')!.stored![0].securityContext;
    const profileOf = (label: string) => rows.find(r => r.label === label && r.path === 'kubectl')!.args.find(a => a.startsWith('--profile='));
    expect([profileOf('tcpdump'), storedSc('tcpdump').capabilities]).toEqual(['--profile=netadmin', { add: ['NET_RAW'], drop: ['ALL'] }]);
    expect([profileOf('curl'), storedSc('curl').capabilities, storedSc('curl').runAsNonRoot]).toEqual(['--profile=baseline', { drop: ['ALL'] }, true]);
    expect([profileOf('strace'), storedSc('strace').capabilities]).toEqual(['--profile=general', { add: ['SYS_PTRACE'], drop: ['ALL'] }]);
    expect([profileOf('DebugProfile.SYSADMIN'), storedSc('DebugProfile.SYSADMIN').privileged]).toEqual(['--profile=sysadmin', true]);
    expect([profileOf('tcpdump+strace'), storedSc('tcpdump+strace').privileged]).toEqual(['--profile=sysadmin', false]);
    expect(rows.every(r => r.stored![0].targetContainerName === 'app')).toBe(true);
  }, 120_000);

  test.each([PodSecurityLevel.BASELINE, PodSecurityLevel.RESTRICTED])(
    'namespace enforcing %s: refused iff podSecurityLevel is less strict, and refusal (PodSecurity.enforce) is set iff refused',
    level => {
      // WHEN
      const rows = addBothWays(level, server());

      // THEN
      const predicted = (r: Row) => RANK[r.podSecurityLevel] >= RANK[level];
      const verdicts = rows.map(r => ({ ...r.outcome, label: r.label, path: r.path, predicted: predicted(r), refusal: r.refusal }));
      // eslint-disable-next-line no-console
      console.log(`${level}: ${rows.length} additions, ${rows.filter(r => !r.outcome.admitted).length} refused `
        + `(${[...new Set(rows.filter(r => !r.outcome.admitted).map(r => r.label))].join(', ')})`);
      expect(verdicts.filter(v => v.admitted !== v.predicted)).toEqual([]);
      expect(verdicts.filter(v => (v.refusal !== undefined) === v.admitted)).toEqual([]);
      for (const r of rows) {
        if (r.outcome.admitted) {
          expect(r.stored?.map(stripEmptyResources)).toEqual([{ ...r.library, ...SERVER_DEFAULTS }]);
        } else {
          // Refused at this level and version, for the ephemeral container alone, and nothing stored.
          expect(r.outcome.message).toMatch(new RegExp(`^violates PodSecurity "${level}:latest": `));
          expect({ label: r.label, named: containersIn(r.outcome.message!) }).toEqual({ label: r.label, named: [r.library.name] });
          expect(r.stored ?? []).toEqual([]);
          expect(r.refusal).toContain(`the ephemeral debug container '${r.library.name}'`);
          expect(r.refusal).toContain(`Pod Security '${level}:latest'`);
        }
      }
      // Both verdicts happen at this level, on both paths.
      for (const p of ['kubectl', 'subresource']) {
        expect(rows.filter(r => r.path === p && r.outcome.admitted).length).toBeGreaterThan(0);
        expect(rows.filter(r => r.path === p && !r.outcome.admitted).length).toBeGreaterThan(0);
      }
    }, 120_000);

  test('kubectl alone: --profile=netadmin without --custom stores NET_ADMIN too (what --custom narrows)', () => {
    // GIVEN
    const namespace = `eph-nocustom-${suffix}`;
    server().createNamespace(namespace);
    const { sidecar, podSpec, podMetadata } = build(CASES[0]);
    server().kubectlOk(['create', '-n', namespace, '-f', '-'], { input: JSON.stringify(barePod('nocustom', podSpec, podMetadata)) });
    const cmd = sidecar.kubectlDebug({ pod: 'nocustom', namespace });
    const withoutCustom = cmd.args.filter(a => !a.startsWith('--custom='));

    // WHEN
    server().kubectlOk(withoutCustom);

    // THEN
    expect(withoutCustom).toContain('--profile=netadmin');
    const stored = JSON.parse(server().kubectlOk(['get', 'pod', 'nocustom', '-n', namespace, '-o', 'json'])).spec.ephemeralContainers[0];
    expect(stored.securityContext).toEqual({ capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } });
    expect(stored.securityContext).not.toEqual(sidecar.ephemeralContainer().securityContext);
  }, 60_000);

  test('the command line in examples/seed (cdk8s-debuggable kubectl-debug my-nginx --json): its args add the seed\'s container as the library says', () => {
    // GIVEN: the seed's Deployment (debug off) as `cdk8s synth` writes it, as a bare Pod.
    const [fromFile] = synthExample('seed', [{}]);
    const seed = seedCopy();
    expect(Testing.synth(seed.chart)).toEqual(fromFile);
    const deployment = fromFile.find(o => o.kind === 'Deployment');
    expect(deployment.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['nginx']);
    const namespace = `eph-cli-${suffix}`;
    server().createNamespace(namespace);
    server().kubectlOk(['create', '-n', namespace, '-f', '-'],
      { input: JSON.stringify(barePod('seed-pod', deployment.spec.template.spec, deployment.spec.template.metadata)) });
    const customFile = path.join(work, `${namespace}.json`);
    const out: string[] = [];
    const write = process.stdout.write;
    const cwd = process.cwd();
    process.chdir(path.join(__dirname, '..', '..', 'examples', 'seed'));
    (process.stdout as any).write = (s: string) => out.push(s);
    try {
      // WHEN: the README's command line, then exactly the args it prints.
      expect(main(['kubectl-debug', 'my-nginx', '--pod', 'seed-pod', '--namespace', namespace, '--custom-file', customFile, '--json'])).toBe(0);
    } finally {
      (process.stdout as any).write = write;
      process.chdir(cwd);
    }
    const printed = JSON.parse(out.join(''));
    const outcome = outcomeOf(`kubectl ${printed.args.join(' ')}`, server().kubectl(printed.args));

    // THEN: it wrote the --custom file, said what the library says in-process, and the server stored the library's container.
    expect(JSON.parse(readFileSync(customFile, 'utf-8'))).toEqual(JSON.parse(printed.customJson));
    const inProcess = seed.web.debug.kubectlDebug({ pod: 'seed-pod', namespace, customFile });
    expect(printed).toEqual({
      args: inProcess.args,
      customJson: inProcess.customJson,
      podSecurityLevel: inProcess.podSecurityLevel,
      minKubectlVersion: inProcess.minKubectlVersion,
      labelArgs: inProcess.labelArgs,
      annotateArgs: inProcess.annotateArgs,
    });
    expect(outcome).toEqual({ admitted: true });
    const stored = JSON.parse(server().kubectlOk(['get', 'pod', 'seed-pod', '-n', namespace, '-o', 'json'])).spec.ephemeralContainers;
    expect(stored.map(stripEmptyResources)).toEqual([{ ...seed.web.debug.ephemeralContainer(), ...SERVER_DEFAULTS }]);
    expect(stored[0].securityContext.capabilities).toEqual({ add: ['NET_RAW'], drop: ['ALL'] });
    expect(stored[0].targetContainerName).toBe('nginx');
    expect(printed.args).toContain('--profile=netadmin');
  }, 120_000);
});
