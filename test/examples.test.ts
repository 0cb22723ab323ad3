import { App, Chart, Testing } from 'cdk8s';
import { containerNamed, everyManifestPassesTheSchema, only, podSpecOf, synth, withEnv } from './support/manifests';
import { buildEnvironments, EnvironmentChart } from '../examples/environments/main';
import { SeedChart } from '../examples/seed/main';
import { buildShop } from '../examples/workloads/main';

describe('examples/seed: nginx-unprivileged with a tcpdump sidecar toggled by CDK8S_DEBUG', () => {
  const build = () => synth(new SeedChart(Testing.app(), 'seed'));

  test('off by default: the Pod has only nginx', () => {
    const spec = podSpecOf(only(build(), 'Deployment'));
    expect(spec.containers.map((c: any) => c.name)).toEqual(['nginx']);
  });

  test('CDK8S_DEBUG=true: a root sidecar with NET_RAW only, in the same Pod, next to the untouched non-root app', () => {
    const manifests = withEnv({ CDK8S_DEBUG: 'true' }, build);
    const spec = podSpecOf(only(manifests, 'Deployment'));
    expect(spec.containers.map((c: any) => c.name)).toEqual(['nginx', 'debug']);
    expect(containerNamed(spec, 'debug').securityContext.capabilities).toEqual({ add: ['NET_RAW'], drop: ['ALL'] });
    expect(containerNamed(spec, 'nginx').securityContext).toMatchObject({ runAsUser: 101, runAsNonRoot: true });
    expect(spec.shareProcessNamespace).toBeUndefined();
    // The Service still selects the same Pods: the sidecar adds no labels.
    const service = only(manifests, 'Service');
    expect(service.spec.selector).toEqual(only(manifests, 'Deployment').spec.selector.matchLabels);
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

everyManifestPassesTheSchema();
