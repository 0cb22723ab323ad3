import { Chart, Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DebuggableDeployment, DebugTool } from '../src';
import { everyManifestPassesTheSchema, only, podSpecOf, synth } from './support/manifests';

const APP = { image: 'docker.io/nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };
const chartIn = (namespace?: string) => new Chart(Testing.app(), 'shop', { namespace });

describe('OpenShift: binding an SCC for the debug case', () => {
  test('a Pod on the default account gets a dedicated ServiceAccount bound to system:openshift:scc:privileged', () => {
    // GIVEN a chart in namespace shop, WHEN debug is on with openShiftScc
    const chart = chartIn('shop');
    new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true, tools: [DebugTool.TCPDUMP], openShiftScc: 'privileged' } });
    const out = synth(chart);
    // THEN
    const sa = only(out, 'ServiceAccount');
    const binding = only(out, 'RoleBinding');
    expect(sa.metadata).toEqual({ name: expect.stringMatching(/^shop-web-c8[0-9a-f]{6}-debug$/), namespace: 'shop' });
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:openshift:scc:privileged' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: 'shop' }]);
    expect(podSpecOf(only(out, 'Deployment')).serviceAccountName).toBe(sa.metadata.name);
  });

  test('a Pod with its own service account keeps it; only the RoleBinding is added', () => {
    const chart = chartIn('shop');
    const account = new kplus.ServiceAccount(chart, 'api-sa', { metadata: { name: 'api' } });
    new DebuggableDeployment(chart, 'web', { containers: [APP], serviceAccount: account, debug: { enabled: true, tools: [DebugTool.TCPDUMP], openShiftScc: 'privileged' } });
    const out = synth(chart);
    expect(out.filter(o => o.kind === 'ServiceAccount').map(o => o.metadata.name)).toEqual(['api']);
    expect(only(out, 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'api', namespace: 'shop' }]);
    expect(podSpecOf(only(out, 'Deployment')).serviceAccountName).toBe('api');
  });

  test('debug off emits no OpenShift objects (byte-identical)', () => {
    const plain = chartIn('shop');
    new kplus.Deployment(plain, 'web', { containers: [APP] });
    const off = chartIn('shop');
    new DebuggableDeployment(off, 'web', { containers: [APP], debug: { enabled: false, openShiftScc: 'privileged' } });
    expect(Yaml.stringify(...synth(off))).toEqual(Yaml.stringify(...synth(plain)));
  });

  test('fails without a namespace, naming the field and the fix', () => {
    expect(() => new DebuggableDeployment(chartIn(), 'web', { containers: [APP], debug: { enabled: true, openShiftScc: 'privileged' } }))
      .toThrow(/'debug.openShiftScc' needs the workload's namespace for its RoleBinding, and the workload has none \(got "privileged"\)\. Set 'namespace' on the Chart/);
  });

  test('fails on an SCC name that is not one', () => {
    expect(() => new DebuggableDeployment(chartIn('shop'), 'web', { containers: [APP], debug: { enabled: true, openShiftScc: 'Privileged SCC' } }))
      .toThrow(/'debug.openShiftScc' is not an SCC name \(got "Privileged SCC"\)/);
  });
});

everyManifestPassesTheSchema();
