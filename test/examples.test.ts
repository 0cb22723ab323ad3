import { App, Chart, Testing } from 'cdk8s';
import { DebugSidecar } from '../src';
import { containerNamed, everyManifestPassesTheSchema, only, podSpecOf, synth, validateSchema, withEnv } from './support/manifests';
import { synthExample } from './support/readme-snippets';
import { buildEnvironments, EnvironmentChart } from '../examples/environments/main';
import { GovernedChart } from '../examples/governed/main';
import { buildShop } from '../examples/workloads/main';

describe('examples/seed: nginx-unprivileged with a tcpdump sidecar toggled by CDK8S_DEBUG', () => {
  // Run as `cdk8s synth` runs it: the file is the README's first example, a plain app with no test hooks.
  let off: any[];
  let on: any[];
  // clean-env.ts unsets CDK8S_DEBUG, so the first run is the default.
  beforeAll(() => { [off, on] = synthExample('seed', [{}, { CDK8S_DEBUG: 'true' }]); }, 120_000);

  test('off by default: the Pod has only nginx', () => {
    const spec = podSpecOf(only(off, 'Deployment'));
    expect(spec.containers.map((c: any) => c.name)).toEqual(['nginx']);
  });

  test('CDK8S_DEBUG=true: a root sidecar with NET_RAW only, in the same Pod, next to the untouched non-root app', () => {
    const spec = podSpecOf(only(on, 'Deployment'));
    expect(spec.containers.map((c: any) => c.name)).toEqual(['nginx', 'debug']);
    expect(containerNamed(spec, 'debug').securityContext.capabilities).toEqual({ add: ['NET_RAW'], drop: ['ALL'] });
    expect(containerNamed(spec, 'nginx').securityContext).toMatchObject({ runAsUser: 101, runAsNonRoot: true });
    expect(spec.shareProcessNamespace).toBeUndefined();
    // The app container is the same with debug on and off.
    expect(containerNamed(spec, 'nginx')).toEqual(containerNamed(podSpecOf(only(off, 'Deployment')), 'nginx'));
    // The Service still selects the same Pods: the sidecar adds no labels.
    const service = only(on, 'Service');
    expect(service.spec.selector).toEqual(only(on, 'Deployment').spec.selector.matchLabels);
  });

  test('both pass the Kubernetes 1.27 schema (strict)', () => {
    expect(validateSchema([...off, ...on])).toEqual([]);
  });
});

describe('examples/environments: one app, debug switched per chart', () => {
  const charts = (app: App) => Object.fromEntries(buildEnvironments(app).map(c => [c.node.id, synth(c)]));

  test('dev has tcpdump and strace (shared process namespace), staging network tools only, prod none', () => {
    const out = charts(Testing.app());
    const spec = (id: string) => podSpecOf(only(out[id], 'Deployment'));
    expect(containerNamed(spec('dev'), 'debug').securityContext.capabilities.add).toEqual(['NET_RAW', 'SYS_PTRACE']);
    expect(spec('dev').shareProcessNamespace).toBe(true);
    expect(containerNamed(spec('staging'), 'debug').securityContext.capabilities.add).toEqual(['NET_RAW']);
    expect(spec('staging').shareProcessNamespace).toBeUndefined();
    expect(spec('prod').containers.map((c: any) => c.name)).toEqual(['api']);
  });

  test('CDK8S_DEBUG=true does not reach prod: the chart context (off) wins', () => {
    const out = withEnv({ CDK8S_DEBUG: 'true' }, () => charts(Testing.app()));
    expect(podSpecOf(only(out.prod, 'Deployment')).containers).toHaveLength(1);
  });

  test('fails when someone switches debug on in the production chart', () => {
    expect(() => new EnvironmentChart(Testing.app(), 'prod', { environment: 'production', debug: true }))
      .toThrow(/'debug.enabled' turns the debug sidecar on where the environment is production/);
  });

  test('each chart is a Chart with its own namespace', () => {
    const app = Testing.app();
    const built = buildEnvironments(app);
    expect(built.every(c => c instanceof Chart)).toBe(true);
    expect(built.map(c => c.namespace)).toEqual(['shop-dev', 'shop-staging', 'shop-production']);
  });
});

describe('examples/workloads: StatefulSet, CronJob and included YAML, debug on for staging only', () => {
  const [staging, production] = buildShop(Testing.app()).map(c => synth(c));
  const debugged = (objects: any[]) => objects
    .filter(o => ['StatefulSet', 'CronJob', 'Deployment'].includes(o.kind))
    .map(o => `${o.kind}:${podSpecOf(o).containers.map((c: any) => c.name).join(',')}`).sort();

  test('staging: every workload has the sidecar, the Service does not change', () => {
    expect(debugged(staging)).toEqual(['CronJob:main,debug', 'Deployment:redis,debug', 'StatefulSet:main,debug']);
    expect(staging.filter(o => o.kind === 'Service').every(o => !JSON.stringify(o).includes('debug'))).toBe(true);
  });

  test('staging: the CronJob still completes (the sidecar exits with the app)', () => {
    const cron = only(staging, 'CronJob');
    expect(podSpecOf(cron).shareProcessNamespace).toBe(true);
    expect(containerNamed(podSpecOf(cron), 'debug').command[2]).toMatch(/\/proc/);
  });

  test('production: no workload has it', () => {
    expect(debugged(production)).toEqual(['CronJob:main', 'Deployment:redis', 'StatefulSet:main']);
  });
});

describe('examples/governed: the four parts of governed debug access in one app', () => {
  // ValidatingAdmissionPolicy is GA from Kubernetes 1.30: this app is checked against the 1.33 schema, not the file's 1.27.
  const governed = (now: string) => withEnv({ CDK8S_DEBUGGABLE_NOW: now }, () => Testing.synth(new GovernedChart(Testing.app(), 'governed')));
  const objects = governed('2026-12-02T00:00:00Z');

  test('passes the Kubernetes 1.33 schema (strict)', () => {
    expect(validateSchema(objects, '1.33')).toEqual([]);
  });

  test('visible: the checkout Pods carry the debug label and say why and who', () => {
    const metadata = only(objects, 'Deployment').spec.template.metadata;
    expect(metadata.labels[DebugSidecar.POD_LABEL]).toBe('true');
    expect(metadata.annotations).toMatchObject({ 'cdk8s-debuggable.dev/owner': 'team-payments', 'cdk8s-debuggable.dev/until': '2027-01-31' });
  });

  test('ends: after its date the same app synthesizes the checkout without the sidecar', () => {
    const later = governed('2027-01-31T00:00:00Z');
    expect(podSpecOf(only(later, 'Deployment')).containers.map((c: any) => c.name)).toEqual(['main']);
  });

  test('granted and refused: a Role, its RoleBinding, and an admission policy with its binding', () => {
    expect(objects.map(o => o.kind).sort()).toEqual(['Deployment', 'Role', 'RoleBinding', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
    expect(only(objects, 'RoleBinding').subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'shop-on-call' }]);
  });
});

everyManifestPassesTheSchema();
