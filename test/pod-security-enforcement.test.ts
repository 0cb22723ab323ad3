import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DebuggableDeployment, DebugTool, PodSecurity, PodSecurityLevel } from '../src';
import { errorOf } from './support/errors';
import { everyManifestPassesTheSchema, only, synth, synthErrors } from './support/manifests';
import { APP } from './support/pod-security-apps';

/** The fix every pod spec error gives. */
const POD_SPEC_FIX = 'Pass the pod spec as JSON, for example { containers: [{ name: "app", image: "..." }] }.';
const LEVEL_FIX = 'Use PodSecurityLevel.RESTRICTED, BASELINE or PRIVILEGED.';
const ONE_WORKLOAD_FIX = 'Pass one workload: the cdk8s-plus workload, its ApiObject, or a construct with exactly one workload under it.';

/** The whole validation error of a tcpdump sidecar on kplus defaults (container 'main') beyond `levelAndVersion`, enforced by `source`. */
function tcpdumpRefusal(path: string, levelAndVersion: string, source: string): string {
  const level = levelAndVersion.split(':')[0];
  return `[${path}] 'debug.tools' of the debug sidecar 'debug' ask for more than Pod Security '${levelAndVersion}' allows `
    + `(enforced by ${source}): tcpdump needs NET_RAW (got ["tcpdump"]). `
    + "Ways out: (1) run it in a namespace whose pod-security.kubernetes.io/enforce is 'privileged'; "
    + '(2) leave the sidecar off here and attach a debug container when needed: kubectl debug -it <pod> --target=main '
    + '--profile=netadmin --image=docker.io/nicolaka/netshoot:v0.14 (an ephemeral container; Pod Security checks those too, '
    + 'so this works only for a user or namespace the cluster exempts); '
    + `(3) a lesser tool set: remove tcpdump, with profile: DebugProfile.${level === 'restricted' ? 'RESTRICTED' : 'BASELINE'} to keep it within '${level}'.`;
}

const CONTEXT_SOURCE = 'context cdk8s-debuggable/pod-security-enforce (PodSecurity.enforce)';

/** A kplus app with a tcpdump sidecar (NET_RAW, beyond baseline). */
function tcpdumpApp(scope: Construct, id = 'web', more: Partial<kplus.DeploymentProps> = {}): DebuggableDeployment {
  return new DebuggableDeployment(scope, id, { containers: [APP], ...more, debug: { enabled: true, tools: [DebugTool.TCPDUMP] } });
}

/** An app with a chart 'cluster' holding `namespaces`, and a chart 'web' in namespace 'shop'. */
function appWithNamespaces(namespaces: (cluster: Chart) => void, chartProps: { namespace?: string } = { namespace: 'shop' }) {
  const app = new App({ outdir: Testing.app().outdir });
  const cluster = new Chart(app, 'cluster');
  namespaces(cluster);
  const web = new Chart(app, 'web', chartProps);
  return { app, cluster, web };
}

/** A v1 Namespace as a plain ApiObject (as Include or a hand-written object gives it). */
function namespaceObject(scope: Construct, name: string, labels?: Record<string, string>, apiVersion = 'v1', kind = 'Namespace'): ApiObject {
  return new ApiObject(scope, name, { apiVersion, kind, metadata: { name, labels } });
}

describe('which level a namespace enforces: Namespace labels and PodSecurity.enforce', () => {
  test("a Namespace's enforce label with a valid enforce-version: that level at that version, and the source names only the label", () => {
    // GIVEN
    const { web } = appWithNamespaces(c => namespaceObject(c, 'shop', {
      [PodSecurity.ENFORCE_LABEL]: 'baseline', [PodSecurity.ENFORCE_VERSION_LABEL]: 'v1.30',
    }));
    tcpdumpApp(web);

    // THEN
    expect(synthErrors(web)).toEqual([
      tcpdumpRefusal('web/web/Resource', 'baseline:v1.30', 'Namespace shop via label pod-security.kubernetes.io/enforce'),
    ]);
  });

  test("an enforce-version label alone sets no level: the context's baseline counts, at the label's version", () => {
    // GIVEN a Namespace with only pod-security.kubernetes.io/enforce-version, and PodSecurity.enforce(baseline)
    const { web } = appWithNamespaces(c => namespaceObject(c, 'shop', { [PodSecurity.ENFORCE_VERSION_LABEL]: 'v1.30' }));
    PodSecurity.enforce(web, PodSecurityLevel.BASELINE);
    tcpdumpApp(web);

    // THEN baseline (not restricted), declared by the context
    expect(synthErrors(web)).toEqual([tcpdumpRefusal('web/web/Resource', 'baseline:v1.30', CONTEXT_SOURCE)]);
  });

  test('a Namespace without labels declares nothing: the context alone decides', () => {
    // GIVEN
    const { web } = appWithNamespaces(c => {
      new kplus.Namespace(c, 'shop', { metadata: { name: 'shop' } });
      namespaceObject(c, 'other');
    });
    PodSecurity.enforce(web, PodSecurityLevel.BASELINE);
    tcpdumpApp(web);

    // THEN
    expect(synthErrors(web)).toEqual([tcpdumpRefusal('web/web/Resource', 'baseline:latest', CONTEXT_SOURCE)]);
  });

  test('a Namespace whose metadata a JSON patch removed has no name and no labels: it declares nothing, and synth goes on', () => {
    // GIVEN
    let namespace: ApiObject | undefined;
    const { web } = appWithNamespaces(c => {
      namespace = namespaceObject(c, 'shop', { [PodSecurity.ENFORCE_LABEL]: 'restricted' });
      namespace.addJsonPatch(JsonPatch.remove('/metadata'));
    });
    PodSecurity.enforce(web, PodSecurityLevel.BASELINE);
    tcpdumpApp(web);

    // THEN
    expect(synthErrors(web)).toEqual([tcpdumpRefusal('web/web/Resource', 'baseline:latest', CONTEXT_SOURCE)]);
    expect(namespace?.toJson()).toEqual({ apiVersion: 'v1', kind: 'Namespace' });
  });

  test.each([
    ['of another apiVersion (a custom resource named Namespace)', 'example.org/v1', 'Namespace'],
    ['of another kind (an OpenShift Project)', 'project.openshift.io/v1', 'Project'],
    ['of another kind in v1', 'v1', 'ConfigMap'],
  ])('an object %s is not a namespace: its enforce label enforces nothing', (_name, apiVersion, kind) => {
    // GIVEN
    const { web } = appWithNamespaces(c => namespaceObject(c, 'shop', { [PodSecurity.ENFORCE_LABEL]: 'restricted' }, apiVersion, kind));
    const dep = tcpdumpApp(web);

    // THEN no level is enforced, so the sidecar is no error
    expect(synthErrors(web)).toEqual([]);
    expect(PodSecurity._enforcedLevel(ApiObject.of(dep))).toBeUndefined();
  });

  test("a workload runs in its own metadata.namespace, not its chart's", () => {
    // GIVEN the chart's namespace 'shop' is privileged; the workload's own 'payments' is baseline
    const { web } = appWithNamespaces(c => {
      namespaceObject(c, 'shop', { [PodSecurity.ENFORCE_LABEL]: 'privileged' });
      namespaceObject(c, 'payments', { [PodSecurity.ENFORCE_LABEL]: 'baseline' });
    });
    tcpdumpApp(web, 'pay', { metadata: { namespace: 'payments' } });
    tcpdumpApp(web, 'cart');

    // THEN only the one in payments is refused
    expect(synthErrors(web)).toEqual([
      tcpdumpRefusal('web/pay/Resource', 'baseline:latest', 'Namespace payments via label pod-security.kubernetes.io/enforce'),
    ]);
  });

  test('the strictest declaration wins: a restricted context beats a baseline label', () => {
    // GIVEN
    const { web } = appWithNamespaces(c => namespaceObject(c, 'shop', { [PodSecurity.ENFORCE_LABEL]: 'baseline' }));
    PodSecurity.enforce(web, PodSecurityLevel.RESTRICTED);
    const dep = tcpdumpApp(web);

    // THEN
    expect(PodSecurity._enforcedLevel(ApiObject.of(dep))).toEqual({ level: PodSecurityLevel.RESTRICTED, source: CONTEXT_SOURCE, version: 'latest' });
  });
});

describe('context values set by hand are checked, naming the context key', () => {
  test('a level that is not one stops the synth', () => {
    // GIVEN
    const chart = Testing.chart();
    chart.node.setContext(PodSecurity.ENFORCE_CONTEXT_KEY, 'strict');
    tcpdumpApp(chart);

    // THEN
    expect(errorOf(() => Testing.synth(chart)))
      .toBe(`'context cdk8s-debuggable/pod-security-enforce' is not a Pod Security level (got "strict"). ${LEVEL_FIX}`);
  });

  test('a version that is not one stops the synth', () => {
    // GIVEN
    const chart = Testing.chart();
    chart.node.setContext(PodSecurity.ENFORCE_CONTEXT_KEY, 'baseline');
    chart.node.setContext(PodSecurity.ENFORCE_VERSION_CONTEXT_KEY, '1.30');
    tcpdumpApp(chart);

    // THEN
    expect(errorOf(() => Testing.synth(chart))).toBe("'context cdk8s-debuggable/pod-security-enforce-version' is not a Pod Security policy version "
      + "(got \"1.30\"). Write it as the label pod-security.kubernetes.io/enforce-version does: 'latest' or 'v1.35' (v1.23 to v1.37).");
  });
});

describe('a level that is not one is an error from every entry point', () => {
  test.each<[string, unknown]>([['"strict"', 'strict'], ['"Baseline"', 'Baseline'], ['undefined', undefined], ['2', 2]])('the level %s', (shown, level) => {
    // GIVEN
    const chart = Testing.chart();
    const dep = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const expected = `'level' is not a Pod Security level (got ${shown}). ${LEVEL_FIX}`;

    // THEN
    expect(errorOf(() => PodSecurity.violations(dep, level as PodSecurityLevel))).toBe(expected);
    expect(errorOf(() => PodSecurity.violationsOfPodSpec({ containers: [{ name: 'app', image: 'x' }] }, level as PodSecurityLevel))).toBe(expected);
    expect(errorOf(() => PodSecurity.enforce(Testing.chart(), level as PodSecurityLevel))).toBe(expected);
  });
});

describe('plain pod specs: what is not one is an error that names it', () => {
  test.each<[string, unknown, string]>([
    ['no pod spec', undefined, `'podSpec' is not a pod spec (got undefined). ${POD_SPEC_FIX}`],
    ['a string', 'app', `'podSpec' is not an object (got "app"). ${POD_SPEC_FIX}`],
    ['no containers', {}, `'podSpec.containers' must be a non-empty list of containers (got undefined). ${POD_SPEC_FIX}`],
    ['a null container', { containers: [null] }, `'podSpec.containers[0]' is not a container (an object with a name) (got null). ${POD_SPEC_FIX}`],
    ['a container given by name', { containers: [{ name: 'a', image: 'x' }, 'sidecar'] },
      `'podSpec.containers[1]' is not a container (an object with a name) (got "sidecar"). ${POD_SPEC_FIX}`],
    ['a list inside the list', { containers: [[{ name: 'a' }]] },
      `'podSpec.containers[0]' is not a container (an object with a name) (got [{"name":"a"}]). ${POD_SPEC_FIX}`],
    ['a container without a name', { containers: [{ image: 'x' }] },
      `'podSpec.containers[0]' is not a container (an object with a name) (got {"image":"x"}). ${POD_SPEC_FIX}`],
    ['a class in place of a container (a function, whose name is a string)', { containers: [class Web {}] },
      `'podSpec.containers[0]' is not a container (an object with a name) (got a function (Web)). ${POD_SPEC_FIX}`],
    ['a name that is not a string', { containers: [{ name: 7, image: 'x' }] },
      `'podSpec.containers[0]' is not a container (an object with a name) (got {"name":7,"image":"x"}). ${POD_SPEC_FIX}`],
  ])('%s', (_name, podSpec, message) => {
    expect(errorOf(() => PodSecurity.levelOfPodSpec(podSpec))).toBe(message);
    expect(errorOf(() => PodSecurity.violationsOfPodSpec(podSpec, PodSecurityLevel.BASELINE))).toBe(message);
  });

  test('null options mean the defaults, as undefined does: latest', () => {
    // GIVEN a pod that adds NET_RAW
    const spec = { containers: [{ name: 'app', image: 'x', securityContext: { capabilities: { add: ['NET_RAW'] } } }] };

    // THEN
    expect(PodSecurity.levelOfPodSpec(spec, undefined, null as any)).toBe(PodSecurityLevel.PRIVILEGED);
    expect(PodSecurity.violationsOfPodSpec(spec, PodSecurityLevel.BASELINE, undefined, null as any).map(v => [v.check, v.field, v.value]))
      .toEqual([['capabilities_baseline', 'spec.containers[app].securityContext.capabilities.add', 'NET_RAW']]);
  });
});

/** A construct of the user's: its Deployment (the default child) and a migration Job that uses the host network. */
class ShopApp extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new ApiObject(this, 'Default', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shop' },
      spec: { selector: { matchLabels: { app: 'shop' } }, template: { metadata: { labels: { app: 'shop' } }, spec: { containers: [{ name: 'shop', image: 'x' }] } } },
    });
    new ApiObject(this, 'migrate', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate' },
      spec: { template: { spec: { hostNetwork: true, restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'x' }] } } },
    });
  }
}

describe('which workload PodSecurity evaluates', () => {
  test("a construct's default child is its workload, even with other workloads under it", () => {
    // GIVEN
    const chart = Testing.chart();
    const shop = new ShopApp(chart, 'shop');
    synth(chart);

    // THEN the Deployment, not the privileged Job
    expect(PodSecurity.levelOf(shop)).toBe(PodSecurityLevel.BASELINE);
    expect(PodSecurity.violations(shop, PodSecurityLevel.BASELINE)).toEqual([]);
  });

  test('a construct with no workload under it is an error', () => {
    // GIVEN
    const chart = Testing.chart();
    new kplus.ConfigMap(chart, 'settings', { data: { a: 'b' } });

    // THEN
    expect(errorOf(() => PodSecurity.levelOf(chart))).toBe("'workload' has no workload under it (a cdk8s-plus workload or an ApiObject with a pod template) "
      + `(got "test"). ${ONE_WORKLOAD_FIX}`);
  });

  test('a construct with two workloads under it is an error that lists them', () => {
    // GIVEN
    const chart = Testing.chart();
    new kplus.Deployment(chart, 'web', { containers: [APP] });
    new kplus.Job(chart, 'migrate', { containers: [APP] });

    // THEN
    expect(errorOf(() => PodSecurity.violations(chart, PodSecurityLevel.BASELINE)))
      .toBe(`'workload' has 2 workloads under it (test/web/Resource, test/migrate/Resource) (got "test"). ${ONE_WORKLOAD_FIX}`);
  });

  test('an object without a pod template is an error that lists the kinds that have one', () => {
    // GIVEN
    const chart = Testing.chart();
    const settings = new kplus.ConfigMap(chart, 'settings', { data: { a: 'b' } });

    // THEN
    expect(errorOf(() => PodSecurity.levelOf(settings))).toBe("test/settings/Resource: 'kind' has no pod template, so this object has no Pod Security level "
      + '(got "ConfigMap"). Pass a workload (Pod, CronJob, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, PodTemplate), '
      + "or an object a debug sidecar was attached to with 'podSpecPath'.");
  });

  test('a Deployment without a spec is an error that names the path it looked at', () => {
    // GIVEN
    const chart = Testing.chart();
    const bare = new ApiObject(chart, 'bare', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bare' } });

    // THEN
    expect(errorOf(() => PodSecurity.levelOf(bare)))
      .toBe("'podSpecPath' points at no pod spec in test/bare (got \"/spec/template/spec\"). Give the JSON pointer of the pod spec in this object.");
  });

  test.each<[string, string, any, Array<[string, string, string]>]>([
    ['Pod', 'v1', { spec: { hostPID: true, containers: [{ name: 'app', image: 'x' }] } }, [['hostNamespaces', 'spec.hostPID', 'true']]],
    ['ReplicaSet', 'apps/v1', { spec: { selector: {}, template: { spec: { hostIPC: true, containers: [{ name: 'app', image: 'x' }] } } } },
      [['hostNamespaces', 'spec.hostIPC', 'true']]],
    ['CronJob', 'batch/v1', { spec: { schedule: '@daily', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'app', image: 'x', securityContext: { privileged: true } }] } } } } } },
      [['privileged', 'spec.containers[app].securityContext.privileged', 'true']]],
    ['PodTemplate', 'v1', { template: { spec: { containers: [{ name: 'app', image: 'x', securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }] } } },
      [['capabilities_baseline', 'spec.containers[app].securityContext.capabilities.add', 'SYS_ADMIN']]],
  ])("a %s ApiObject: its pod spec is found by kind, and its baseline violations are the pod's", (kind, apiVersion, body, expected) => {
    // GIVEN
    const chart = Testing.chart();
    const obj = new ApiObject(chart, 'w', { apiVersion, kind, metadata: { name: 'w' }, ...body });

    // THEN
    expect(PodSecurity.levelOf(obj)).toBe(PodSecurityLevel.PRIVILEGED);
    expect(PodSecurity.violations(obj, PodSecurityLevel.BASELINE).map(v => [v.check, v.field, v.value])).toEqual(expected);
  });

  test('a DebuggableDeployment in a namespace that allows its sidecar synthesizes', () => {
    // GIVEN
    const { web } = appWithNamespaces(c => namespaceObject(c, 'shop', { [PodSecurity.ENFORCE_LABEL]: 'privileged' }));
    tcpdumpApp(web);

    // THEN
    expect(only(synth(web), 'Deployment').metadata.namespace).toBe('shop');
  });
});

everyManifestPassesTheSchema();
