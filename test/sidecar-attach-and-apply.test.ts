import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DebugOptions, DebugProfile, DebugSidecar, DebugTool, DebugWarnings } from '../src';
import { errorOf } from './support/errors';
import { containerNamed, only, plainDeployment, podSpecOf } from './support/manifests';

/*
 * DebugSidecar.attach / attachAll / of at their edges (bad arguments, the
 * getters, containerJson), and what the sidecar does to the pod spec at
 * synth: the checks of the final pod spec (shared processes, hostNetwork,
 * volume names) and the way it is written (keys sorted, pull secrets).
 */

const IMAGE = 'docker.io/library/busybox:1.36';
const APP = { name: 'app', image: 'nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };

/** A cdk8s-plus Deployment 'web' with a sidecar, in a fresh chart. */
function kplusWeb(debug: DebugOptions, props: Partial<kplus.DeploymentProps> = {}) {
  const chart = Testing.chart();
  const dep = new kplus.Deployment(chart, 'web', { containers: [APP], ...props });
  const sidecar = DebugSidecar.attach(dep, debug);
  return { chart, dep, sidecar, synth: () => Testing.synth(chart) };
}

describe('attach: podSpecPath of the wrong shape', () => {
  test('a podSpecPath that is not a string (from JavaScript) is refused with the fix', () => {
    const chart = Testing.chart();
    const obj = plainDeployment(chart, 'web', { containers: [{ name: 'app', image: IMAGE }] });
    expect(errorOf(() => DebugSidecar.attach(obj, { podSpecPath: 5 as any })))
      .toBe("'podSpecPath' is not a string (got 5). Pass a JSON pointer such as '/spec/template/spec'.");
  });

  test.each([true, false])('a podSpecPath without the leading slash is not a JSON pointer (debug enabled: %p)', (enabled) => {
    // GIVEN a pod spec that is really at spec/template/spec
    const chart = Testing.chart();
    const obj = plainDeployment(chart, 'web', { containers: [{ name: 'app', image: IMAGE }] });
    // THEN the relative path is refused as such, not as "points at nothing"
    expect(errorOf(() => DebugSidecar.attach(obj, { enabled, podSpecPath: 'spec/template/spec' })))
      .toBe("'podSpecPath' is not a JSON pointer (got \"spec/template/spec\"). Start it with '/', for example '/spec/template/spec'.");
  });
});

describe('attach: the name of the sidecar', () => {
  test.each([
    ['a container', { containers: [APP, { name: 'debug', image: IMAGE }] }],
    ['an init container', { containers: [APP], initContainers: [{ name: 'debug', image: IMAGE }] }],
  ])('a cdk8s-plus workload with %s named like the sidecar is refused at attach, with debug off too', (_what, props) => {
    // GIVEN a cdk8s-plus Deployment that has a container named 'debug'
    const chart = Testing.chart();
    const dep = new kplus.Deployment(chart, 'web', props as kplus.DeploymentProps);
    // WHEN a sidecar with the default name is attached, debug off
    // THEN attach refuses it (staging finds it, not the day debug is switched on)
    expect(errorOf(() => DebugSidecar.attach(dep, { enabled: false })))
      .toBe("test/web/Resource: 'debug.name' clashes with a container of the application (got \"debug\"). Set 'debug.name' to a name no container in this Pod uses.");
  });

  /** A chart with a plain Deployment 'web' whose Pod has a volume named `volume`, and a sidecar attached, debug on. */
  const withAppVolume = (volume: string): Chart => {
    const chart = Testing.chart();
    DebugSidecar.attach(plainDeployment(chart, 'web', { containers: [{ name: 'app', image: IMAGE }], volumes: [{ name: volume, emptyDir: {} }] }),
      { enabled: true });
    return chart;
  };

  test('an app volume with the name of the sidecar\'s scratch volume is refused at synth, whole', () => {
    // GIVEN an app that already has a volume 'debug-scratch'
    const chart = withAppVolume('debug-scratch');
    // THEN synth refuses the sidecar's volume rather than writing two volumes of one name
    expect(errorOf(() => Testing.synth(chart))).toBe("test/web: 'debug.name' gives the sidecar a volume 'debug-scratch' that the application already has "
      + "(got \"debug\"). Set 'debug.name' to another name (its volumes are '<name>-scratch' and '<name>-no-token').");
  });

  test('an app volume with another name is kept next to the sidecar\'s', () => {
    const spec = podSpecOf(only(Testing.synth(withAppVolume('data')), 'Deployment'));
    expect(spec.volumes.map((v: any) => v.name)).toEqual(['data', 'debug-scratch', 'debug-no-token']);
  });
});

describe('attach: a workload object without a pod spec yet', () => {
  test('a plain Deployment with no spec takes the sidecar at attach; synth names podSpecPath', () => {
    // GIVEN a Deployment object with no spec at all (it may be patched in later)
    const chart = Testing.chart();
    const obj = new ApiObject(chart, 'web', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } });
    // WHEN a sidecar is attached, debug on
    const sidecar = DebugSidecar.attach(obj, { enabled: true });
    expect(sidecar.enabled).toBe(true);
    // THEN synth says where it looked for the pod spec, whole
    expect(errorOf(() => Testing.synth(chart))).toBe("test/web: 'podSpecPath' does not point at a pod spec (an object with 'containers') in this Deployment "
      + '(got "/spec/template/spec"). Give the JSON pointer of the pod spec.');
  });
});

describe('attachAll: bad arguments and the no-match warning', () => {
  test('a scope without a node (from JavaScript) is not a construct', () => {
    expect(errorOf(() => DebugSidecar.attachAll({} as any)))
      .toBe("'scope' is not a construct (got {}). Pass the chart (or any construct) whose workloads get the sidecar.");
  });

  test('options that are not an object are refused with an example', () => {
    expect(errorOf(() => DebugSidecar.attachAll(Testing.chart(), 'Deployment' as any)))
      .toBe("'debug' is not an object (got \"Deployment\"). Pass an object such as { kinds: ['Deployment'] }.");
  });

  test('attachAll that finds a workload warns about nothing', () => {
    // GIVEN a chart with one Deployment
    const chart = Testing.chart();
    new kplus.Deployment(chart, 'web', { containers: [APP] });
    // WHEN attachAll runs with debug on
    const attached = DebugSidecar.attachAll(chart, { enabled: true, tools: [DebugTool.DIG] });
    // THEN the Deployment has its sidecar, and there is no "found no workload" warning
    expect(attached.map(s => s.workload.kind)).toEqual(['Deployment']);
    expect(DebugWarnings.of(chart)).toEqual([]);
  });
});

describe('DebugSidecar.of', () => {
  test('something that is not a construct (from JavaScript) has no sidecar', () => {
    expect(DebugSidecar.of(undefined as any)).toBeUndefined();
    expect(DebugSidecar.of({} as any)).toBeUndefined();
  });

  test('the cdk8s-plus workload and its object give the attached sidecar', () => {
    const { dep, sidecar } = kplusWeb({ enabled: false });
    expect(DebugSidecar.of(dep)).toBe(sidecar);
    expect(DebugSidecar.of(ApiObject.of(dep))).toBe(sidecar);
  });
});

describe('the getters say what is in the manifest', () => {
  test.each([
    ['NETADMIN, defaults', { profile: DebugProfile.NETADMIN }],
    ['a command and a hardened securityContext', {
      command: ['sleep', '86400'],
      securityContext: { user: 1000, group: 1000, ensureNonRoot: true, readOnlyRootFilesystem: false },
    }],
    ['privileged with escalation', { command: ['/bin/sh'], securityContext: { privileged: true, allowPrivilegeEscalation: true } }],
  ])('%s', (_name, debug) => {
    // GIVEN a sidecar, debug on
    const { sidecar, synth } = kplusWeb({ enabled: true, ...debug } as DebugOptions);
    // WHEN the manifest is synthesized
    const container = containerNamed(podSpecOf(only(synth(), 'Deployment')), 'debug');
    // THEN each getter says what the container says
    expect(sidecar.command).toEqual(container.command);
    expect(sidecar.ensureNonRoot).toBe(container.securityContext.runAsNonRoot);
    expect(sidecar.allowPrivilegeEscalation).toBe(container.securityContext.allowPrivilegeEscalation);
    expect(sidecar.readOnlyRootFilesystem).toBe(container.securityContext.readOnlyRootFilesystem);
    expect(sidecar.profile).toBe((debug as DebugOptions).profile);
  });

  test('the values given come back as given', () => {
    const { sidecar } = kplusWeb({
      enabled: false,
      profile: DebugProfile.RESTRICTED,
      command: ['sleep', '86400'],
      securityContext: { user: 1000, group: 1000, readOnlyRootFilesystem: false },
    });
    expect(sidecar.command).toEqual(['sleep', '86400']);
    expect(sidecar.profile).toBe(DebugProfile.RESTRICTED);
    expect(sidecar.ensureNonRoot).toBe(true);
    expect(sidecar.allowPrivilegeEscalation).toBe(false);
    expect(sidecar.readOnlyRootFilesystem).toBe(false);
  });

  test('command is a copy: changing it changes nothing', () => {
    const { sidecar } = kplusWeb({ enabled: false, command: ['sleep', '86400'] });
    sidecar.command.push('--oops');
    expect(sidecar.command).toEqual(['sleep', '86400']);
    expect(sidecar.containerJson().command).toEqual(['sleep', '86400']);
  });
});

describe('containerJson', () => {
  test('without an argument the Pod mounts no token, so nothing is masked; with true the token is masked', () => {
    const { sidecar } = kplusWeb({ enabled: false });
    expect(sidecar.containerJson().volumeMounts).toEqual([{ mountPath: '/tmp', name: 'debug-scratch' }]);
    expect(sidecar.containerJson(true).volumeMounts).toEqual([
      { mountPath: '/tmp', name: 'debug-scratch' },
      { mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: 'debug-no-token' },
    ]);
  });

  test('without runAsAppUser or appVolumes it reads nothing from the workload: a workload that cannot serialize yet still gives it', () => {
    // GIVEN a workload whose JSON patch fails (it removes a field that is not there)
    const { dep, sidecar } = kplusWeb({ enabled: false, command: ['sleep', '86400'] });
    ApiObject.of(dep).addJsonPatch(JsonPatch.test('/spec/template/spec/nope', 1));
    // THEN the sidecar container is still known
    expect(sidecar.containerJson().command).toEqual(['sleep', '86400']);
  });

  test('appVolumes alone (no runAsAppUser): the app\'s volumes are mounted, a subPath mount as it is', () => {
    // GIVEN an app that mounts one volume whole and one file by subPath
    const chart = Testing.chart();
    const sidecar = DebugSidecar.attach(plainDeployment(chart, 'web', {
      containers: [{
        name: 'app',
        image: IMAGE,
        volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'config', mountPath: '/etc/app.conf', subPath: 'app.conf' }],
      }],
      volumes: [{ name: 'data', emptyDir: {} }, { name: 'config', configMap: { name: 'app' } }],
    }), { enabled: false, appVolumes: {} });
    // WHEN the sidecar container is asked for
    // THEN it mounts both under /app, read-only by default, the subPath kept (a sidecar, unlike an ephemeral container, may)
    expect(sidecar.containerJson().volumeMounts).toEqual([
      { mountPath: '/tmp', name: 'debug-scratch' },
      { mountPath: '/app/data', name: 'data', readOnly: true },
      { mountPath: '/app/etc/app.conf', name: 'config', readOnly: true, subPath: 'app.conf' },
    ]);
  });
});

describe('synth: the checks of the final pod spec', () => {
  test('an app that says shareProcessNamespace: false and a tool that needs it: the whole error', () => {
    // GIVEN a Pod that writes shareProcessNamespace: false, and strace, which needs the Pod's processes
    const chart = Testing.chart();
    DebugSidecar.attach(plainDeployment(chart, 'web', { shareProcessNamespace: false, containers: [{ name: 'app', image: IMAGE }] }),
      { enabled: true, tools: [DebugTool.STRACE] });
    // THEN synth refuses it, with both ways out
    expect(errorOf(() => Testing.synth(chart))).toBe("test/web: 'spec.shareProcessNamespace' is set by the application (cdk8s-plus releases since early 2025, "
      + "33 among them, write false unless told otherwise), and the debug sidecar needs the Pod's processes in view (got false). "
      + "Set 'shareProcessNamespace: true' on the workload, or drop the tools that need it; for a Job on Kubernetes 1.29+, "
      + 'KubernetesVersion.set(app, ...) makes the sidecar native, which needs no shared process namespace.');
  });

  test('hostNetwork: only the network capabilities are named, joined with "and"', () => {
    // GIVEN a hostNetwork Pod, and tools that need NET_ADMIN, NET_RAW and SYS_PTRACE
    const { chart, synth } = kplusWeb({ enabled: true, tools: [DebugTool.TCPDUMP, DebugTool.IPTABLES, DebugTool.STRACE] }, { hostNetwork: true });
    synth();
    // THEN the warning names NET_ADMIN and NET_RAW (they act on the node's network), not SYS_PTRACE
    expect(DebugWarnings.of(chart)).toEqual(["test/web/Resource: 'spec.hostNetwork' gives the debug sidecar NET_ADMIN and NET_RAW on the node's own network "
      + "(hostNetwork: true), not the Pod's (got true). Capture with care: this is the node's traffic."]);
  });

  test('hostNetwork and a tool without network capabilities: no warning', () => {
    const { chart, synth } = kplusWeb({ enabled: true, tools: [DebugTool.STRACE] }, { hostNetwork: true });
    synth();
    expect(DebugWarnings.of(chart)).toEqual([]);
  });

  test('hostNetwork and a privileged sidecar (no capabilities): a warning that says privileged mode', () => {
    const privileged = { privileged: true, allowPrivilegeEscalation: true };
    const { chart, synth } = kplusWeb({ enabled: true, securityContext: privileged }, { hostNetwork: true });
    synth();
    expect(DebugWarnings.of(chart)).toEqual(["test/web/Resource: 'spec.hostNetwork' gives the debug sidecar privileged mode on the node's own network "
      + "(hostNetwork: true), not the Pod's (got true). Capture with care: this is the node's traffic."]);
  });

  test.each([
    ['hostNetwork: false', { hostNetwork: false }],
    ['no hostNetwork field', {}],
  ])('a privileged sidecar in a Pod with %s: no hostNetwork warning', (_name, hostNetwork) => {
    // GIVEN a privileged sidecar in a Pod on its own network
    const chart = Testing.chart();
    DebugSidecar.attach(plainDeployment(chart, 'web', { ...hostNetwork, containers: [{ name: 'app', image: IMAGE }] }),
      { enabled: true, securityContext: { privileged: true, allowPrivilegeEscalation: true } });
    Testing.synth(chart);
    // THEN nothing is said about the node's network
    expect(DebugWarnings.of(chart)).toEqual([]);
  });
});

describe('synth with debug off', () => {
  test('a workload that fails to serialize fails with its own error, not a debug validation', () => {
    // GIVEN a workload with debug off and a JSON patch that fails
    const { chart, dep } = kplusWeb({ enabled: false });
    ApiObject.of(dep).addJsonPatch(JsonPatch.test('/spec/template/spec/nope', 1));
    // THEN synth fails with what the patch says, and debug (which asked for nothing from the app) adds no validation error
    const message = errorOf(() => Testing.synth(chart));
    expect(message).not.toMatch(/^Validation failed/);
    expect(message).toBe(errorOf(() => ApiObject.of(dep).toJson()));
  });
});

describe('synth: how the pod spec is written', () => {
  test('the keys the sidecar adds are sorted in with the app\'s, as cdk8s writes them', () => {
    // GIVEN a plain Pod spec without volumes or shareProcessNamespace
    const chart = Testing.chart();
    DebugSidecar.attach(plainDeployment(chart, 'web', { restartPolicy: 'Always', containers: [{ name: 'app', image: IMAGE }] }),
      { enabled: true, tools: [DebugTool.STRACE], imagePullSecrets: ['registry-credentials'] });
    // WHEN a sidecar that shares the processes and needs a pull secret is added
    const spec = podSpecOf(only(Testing.synth(chart), 'Deployment'));
    // THEN the pod spec's keys are in order
    expect(Object.keys(spec)).toEqual(['containers', 'imagePullSecrets', 'restartPolicy', 'shareProcessNamespace', 'volumes']);
  });

  test('a hand-written pull-secret list with an empty entry (YAML "- ") does not break synth', () => {
    // GIVEN an app whose imagePullSecrets has a null entry next to a named one
    const chart = Testing.chart();
    DebugSidecar.attach(plainDeployment(chart, 'web', { imagePullSecrets: [null, { name: 'app-pull' }], containers: [{ name: 'app', image: IMAGE }] }),
      { enabled: true, imagePullSecrets: ['registry-credentials'] });
    // THEN the debug image's secret is added after the app's, which stay as they are
    const secrets: any[] = podSpecOf(only(Testing.synth(chart), 'Deployment')).imagePullSecrets;
    expect(secrets).toHaveLength(3);
    expect(secrets.filter(s => s)).toEqual([{ name: 'app-pull' }, { name: 'registry-credentials' }]);
  });
});
