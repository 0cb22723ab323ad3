import { ApiObject, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DebugOptions, DebugProfile, DebugSidecar, DebugTool, PodSecurity, PodSecurityLevel, SidecarForm } from '../src';
import { errorOf } from './support/errors';
import { containerNamed, only, plainDeployment, podSpecOf } from './support/manifests';

/*
 * The debug container fitted to the app container (appContainer,
 * runAsAppUser, appVolumes), the debug copy of a Pod, the attachAll filter,
 * and what DebugSidecar.attach accepts as its target.
 */

const IMAGE = 'docker.io/library/busybox:1.36';
/** The sidecar's own mounts: its scratch space and the empty token directory. */
const SIDECAR_OWN_MOUNTS = [
  { mountPath: '/tmp', name: 'debug-scratch' },
  { mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: 'debug-no-token' },
];
const KEEP_ALIVE = ['/bin/sh', '-c', "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"];

/** A plain Deployment 'web' with this pod spec, in a fresh chart, with a sidecar attached. */
function attached(podSpec: any, debug: DebugOptions): { sidecar: DebugSidecar; synth: () => any[] } {
  const chart = Testing.chart();
  const sidecar = DebugSidecar.attach(plainDeployment(chart, 'web', podSpec), debug);
  return { sidecar, synth: () => Testing.synth(chart) };
}

/** The message of the error synth reports for a plain Deployment with this pod spec and sidecar. */
function synthErrorOf(podSpec: any, debug: DebugOptions): string {
  const { synth } = attached(podSpec, debug);
  return errorOf(synth);
}

describe('the app container the debug container fits', () => {
  test('a pod spec without app containers: debug on or off, synth names none', () => {
    // GIVEN a pod template with an empty list of containers (debug on), or none at all (debug off, checked at synth)
    const onEmpty = synthErrorOf({ containers: [] }, { enabled: true, runAsAppUser: true });
    const offMissing = synthErrorOf({}, { enabled: false, runAsAppUser: true });
    // THEN synth says there is no app container, whole
    expect(onEmpty).toBe('test/web: \'debug.appContainer\' is not a container of this Pod (it has none) (got undefined). Name one of them, or omit it for the first.');
    expect(offMissing).toBe('Validation failed with the following errors:\n  [test/web] test/web: \'debug.appContainer\' is not a container of this Pod (it has none) (got undefined). Name one of them, or omit it for the first.');
  });

  test('appContainer naming the sidecar itself is refused: the sidecar is not an app container', () => {
    expect(synthErrorOf({ containers: [{ name: 'app', image: IMAGE }] }, { enabled: true, runAsAppUser: true, appContainer: 'debug' }))
      .toBe('test/web: \'debug.appContainer\' is not a container of this Pod (it has app) (got "debug"). Name one of them, or omit it for the first.');
  });

  test('runAsAppUser reads the Pod\'s securityContext when the container has none, and the container\'s when the Pod has none', () => {
    const fromPod = attached({ securityContext: { runAsUser: 1001, runAsGroup: 1002 }, containers: [{ name: 'app', image: IMAGE }] },
      { enabled: true, runAsAppUser: true });
    const fromContainer = attached({ containers: [{ name: 'app', image: IMAGE, securityContext: { runAsUser: 2001, runAsGroup: 2002 } }] },
      { enabled: true, runAsAppUser: true });
    const userOf = (objects: any[]) => {
      const sc = containerNamed(podSpecOf(only(objects, 'Deployment')), 'debug').securityContext;
      return [sc.runAsUser, sc.runAsGroup];
    };
    expect(userOf(fromPod.synth())).toEqual([1001, 1002]);
    expect(userOf(fromContainer.synth())).toEqual([2001, 2002]);
  });

  test('runAsAppUser without a user or group anywhere: the message names what is missing', () => {
    // GIVEN no securityContext at all
    expect(synthErrorOf({ containers: [{ name: 'app', image: IMAGE }] }, { enabled: true, runAsAppUser: true })).toBe(
      "test/web: 'debug.runAsAppUser' needs the user (runAsUser) and group (runAsGroup) of the app container 'app', and neither it nor the Pod sets them "
      + "(the image's USER is not known at synth) (got true). "
      + "Set them on the app container or the Pod (cdk8s-plus: securityContext: { user: 1000, group: 1000 }), or remove 'runAsAppUser'.");
    // GIVEN only the group is missing
    expect(synthErrorOf({ containers: [{ name: 'app', image: IMAGE, securityContext: { runAsUser: 1000 } }] }, { enabled: true, runAsAppUser: true })).toBe(
      'test/web: \'debug.runAsAppUser\' needs the group (runAsGroup) of the app container \'app\', and neither it nor the Pod sets it (the image\'s USER is not known at synth) (got true). Set them on the app container or the Pod (cdk8s-plus: securityContext: { user: 1000, group: 1000 }), or remove \'runAsAppUser\'.');
    // GIVEN only the user is missing, on the Pod
    expect(synthErrorOf({ securityContext: { runAsGroup: 1000 }, containers: [{ name: 'app', image: IMAGE }] }, { enabled: true, runAsAppUser: true })).toBe(
      'test/web: \'debug.runAsAppUser\' needs the user (runAsUser) of the app container \'app\', and neither it nor the Pod sets it (the image\'s USER is not known at synth) (got true). Set them on the app container or the Pod (cdk8s-plus: securityContext: { user: 1000, group: 1000 }), or remove \'runAsAppUser\'.');
  });

  test('runAsAppUser with an app running as root: refused under the restricted profile, taken without it', () => {
    const rootApp = { containers: [{ name: 'app', image: IMAGE, securityContext: { runAsUser: 0, runAsGroup: 0 } }] };
    expect(synthErrorOf(rootApp, { enabled: true, runAsAppUser: true, profile: DebugProfile.RESTRICTED })).toBe(
      'test/web: \'debug.runAsAppUser\' runs the debug container as the user of the app container \'app\', root (0), which DebugProfile.RESTRICTED forbids (got true). Run the app as a non-root user, or remove \'runAsAppUser\' or the profile.');
    const plain = attached(rootApp, { enabled: true, runAsAppUser: true });
    expect(containerNamed(podSpecOf(only(plain.synth(), 'Deployment')), 'debug').securityContext.runAsUser).toBe(0);
  });

  test('runAsAppUser alone mounts none of the app\'s volumes', () => {
    const { synth } = attached({ containers: [{ name: 'app', image: IMAGE, securityContext: { runAsUser: 1000, runAsGroup: 1000 } }] },
      { enabled: true, runAsAppUser: true });
    expect(containerNamed(podSpecOf(only(synth(), 'Deployment')), 'debug').volumeMounts).toEqual(SIDECAR_OWN_MOUNTS);
  });
});

describe("the app's volumes", () => {
  const volumes = [{ name: 'data', emptyDir: {} }, { name: 'logs', emptyDir: {} }];
  /** A pod spec with the volumes 'data' and 'logs', and an app container that mounts them so. */
  const appMounting = (...volumeMounts: any[]) => ({ volumes, containers: [{ name: 'app', image: IMAGE, volumeMounts }] });

  test('a named volume the app container does not mount, when it mounts none', () => {
    expect(errorOf(() => attached({ volumes, containers: [{ name: 'app', image: IMAGE }] }, { appVolumes: { names: ['data'] } })
      .sidecar.ephemeralContainer())).toBe(
      'test/web: \'debug.appVolumes.names[0]\' is not a volume the app container \'app\' mounts (it mounts none) (got "data"). Name one of them, or omit \'names\' to mount them all.');
  });

  test('an ephemeral container may not mount a subPathExpr either: the message names each, and what was asked', () => {
    const app = appMounting({ name: 'data', mountPath: '/data' }, { name: 'logs', mountPath: '/var/log/app', subPathExpr: '$(POD_NAME)' });
    expect(errorOf(() => attached(app, { appVolumes: {} }).sidecar.ephemeralContainer())).toBe(
      'test/web: \'debug.appVolumes\' mounts \'logs\' (subPath $(POD_NAME)), and an ephemeral container may not mount a subPath (the API server refuses it) (got "every volume"). Name only volumes the app mounts whole in \'debug.appVolumes.names\', or read the file through the app\'s root: /proc/<pid>/root/var/log/app (see docs/fitting-pods.md).');
    expect(errorOf(() => attached(app, { appVolumes: { names: ['logs'] } }).sidecar.ephemeralContainer())).toBe(
      'test/web: \'debug.appVolumes\' mounts \'logs\' (subPath $(POD_NAME)), and an ephemeral container may not mount a subPath (the API server refuses it) (got ["logs"]). Name only volumes the app mounts whole in \'debug.appVolumes.names\', or read the file through the app\'s root: /proc/<pid>/root/var/log/app (see docs/fitting-pods.md).');
    // Naming only the volume mounted whole works.
    expect(attached(app, { appVolumes: { names: ['data'] } }).sidecar.ephemeralContainer().volumeMounts)
      .toStrictEqual([{ mountPath: '/app/data', name: 'data', readOnly: true }]);
  });

  test('the sidecar and the copy carry subPath and subPathExpr as they are, and only the keys the app set', () => {
    const app = appMounting(
      { name: 'data', mountPath: '/data' },
      { name: 'data', mountPath: '/etc/app.yaml', subPath: 'app.yaml', readOnly: true },
      { name: 'logs', mountPath: '/var/log/app', subPathExpr: '$(POD_NAME)', readOnly: false },
    );
    // WHEN the app's volumes are mounted as the app mounts them (readOnly: false)
    const { synth, sidecar } = attached(app, { enabled: true, appVolumes: { readOnly: false } });
    const expected = [
      { mountPath: '/app/data', name: 'data' },
      { mountPath: '/app/etc/app.yaml', name: 'data', readOnly: true, subPath: 'app.yaml' },
      { mountPath: '/app/var/log/app', name: 'logs', readOnly: false, subPathExpr: '$(POD_NAME)' },
    ];
    // THEN the sidecar mounts each under /app
    expect(containerNamed(podSpecOf(only(synth(), 'Deployment')), 'debug').volumeMounts)
      .toStrictEqual([SIDECAR_OWN_MOUNTS[0], SIDECAR_OWN_MOUNTS[1], ...expected]);
    // AND the copy's debug container takes exactly those keys
    expect(JSON.parse(sidecar.kubectlDebug({ pod: 'web-1', copyTo: 'web-1-debug' }).customJson).volumeMounts).toStrictEqual(expected);
  });

  test('the ephemeral container\'s mounts have only the keys the app set', () => {
    const app = appMounting({ name: 'data', mountPath: '/data' });
    expect(attached(app, { appVolumes: { readOnly: false } }).sidecar.ephemeralContainer().volumeMounts)
      .toStrictEqual([{ mountPath: '/app/data', name: 'data' }]);
  });
});

describe('the debug copy', () => {
  test('a copy name of an over-long Pod suggests a name that is one', () => {
    const { sidecar } = attached({ containers: [{ name: 'app', image: IMAGE }] }, {});
    const pod = 'p'.repeat(250);
    expect(errorOf(() => sidecar.kubectlDebug({ pod, copyTo: pod }))).toBe(
      `test/web: 'copyTo' is the name of the Pod it copies (got "${pod}"). Name the copy differently from the Pod, in lowercase letters, digits, dashes and dots, such as 'web-debug'.`);
  });

  test('name, targetContainer and ttl reach the copy, and the copy\'s record', () => {
    // GIVEN a Pod with two app containers
    const { sidecar } = attached({
      containers: [{ name: 'app', image: IMAGE }, { name: 'worker', image: IMAGE, args: ['--work'] }],
    }, { tools: [DebugTool.CURL] });
    // WHEN the copy targets the second, under another name, for an hour, with the app asleep
    const cmd = sidecar.kubectlDebug({ pod: 'web-1', copyTo: 'web-1-debug', name: 'dbg', targetContainer: 'worker', ttl: Duration.hours(1), sleepApp: true });
    // THEN
    expect(cmd.args).toEqual([
      'debug', '-f', '-', '--copy-to=web-1-debug', '--share-processes', '--image=docker.io/nicolaka/netshoot:v0.14', '--image-pull-policy=IfNotPresent',
      '--container=dbg', '--profile=baseline', '--custom=debug-custom.json', '--', '/bin/sh', '-c', "trap 'exit 0' TERM INT; sleep 3600 & wait $!",
    ]);
    expect(cmd.pipedFrom).toEqual([
      ['get', 'pod', 'web-1', '--output=json'],
      ['patch', '--local', '--filename=-', '--type=strategic',
        `--patch=${JSON.stringify({ spec: { containers: [{ name: 'worker', command: KEEP_ALIVE, args: null }] } })}`, '--output=json'],
    ]);
    expect(cmd.annotateArgs).toEqual(['annotate', 'pod', 'web-1-debug', '--overwrite', 'cdk8s-debuggable.dev/capabilities=none',
      'cdk8s-debuggable.dev/container=dbg', 'cdk8s-debuggable.dev/tools=curl', 'cdk8s-debuggable.dev/ttl=3600s']);
    expect(Object.keys(cmd)).not.toContain('refusal');
  });

  test('the copy keeps the app containers: their privileges count in its Pod Security level', () => {
    // GIVEN an app container that is privileged, and a debug container that needs nothing
    const privilegedApp = { containers: [{ name: 'app', image: IMAGE, args: ['serve'], securityContext: { privileged: true } }] };
    const baseline = (sleepApp: boolean) => {
      const chart = Testing.chart();
      PodSecurity.enforce(chart, PodSecurityLevel.BASELINE);
      const sidecar = DebugSidecar.attach(plainDeployment(chart, 'web', privilegedApp), { tools: [DebugTool.CURL] });
      return sidecar.kubectlDebug({ pod: 'web-1', copyTo: 'web-1-debug', sleepApp });
    };
    // THEN the copy is privileged, whether the app sleeps or not, and the debug container itself is not refused
    expect(baseline(false).podSecurityLevel).toBe(PodSecurityLevel.PRIVILEGED);
    expect(baseline(true).podSecurityLevel).toBe(PodSecurityLevel.PRIVILEGED);
    expect(baseline(true).refusal).toBeUndefined();
  });
});

describe("attachAll's filter", () => {
  test.each([
    ['kinds not a list', { kinds: 'Deployment' },
      '\'kinds\' is not a list (got "Deployment"). Pass a list of kinds such as [\'Deployment\'].'],
    ['a kind not a string', { kinds: [3] },
      '\'kinds[0]\' is not a string (got 3). Use one of Pod, CronJob, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, PodTemplate.'],
    ['a kind with no pod template', { kinds: ['Service'] },
      '\'kinds[0]\' is not a kind with a pod template, so it can never match (got "Service"). Use one of Pod, CronJob, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, PodTemplate; for a custom resource use DebugSidecar.attach with \'podSpecPath\'.'],
    ['a missing kind', { kinds: [undefined] },
      '\'kinds[0]\' is not a kind with a pod template, so it can never match (got undefined). Use one of Pod, CronJob, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, PodTemplate; for a custom resource use DebugSidecar.attach with \'podSpecPath\'.'],
    ['names not a list', { names: 'web' },
      '\'names\' is not a list (got "web"). Pass a list of names such as [\'web\'].'],
    ['a name not a string', { names: [3] },
      '\'names[0]\' is not a string (got 3). Pass a name as a string.'],
    ['a missing name', { names: [undefined] },
      '\'names[0]\' is not a string (got undefined). Pass a name as a string.'],
    ['labels not an object', { labels: 'app=web' },
      '\'labels\' is not an object (got "app=web"). Pass an object such as { app: \'web\' }.'],
  ])('%s: the whole message', (_what, filter, message) => {
    const chart = Testing.chart();
    plainDeployment(chart, 'web', { containers: [{ name: 'app', image: IMAGE }] });
    expect(errorOf(() => DebugSidecar.attachAll(chart, filter as any))).toBe(message);
  });
});

describe('the target of DebugSidecar.attach', () => {
  test('the ApiObject of a cdk8s-plus workload is read through the workload: containers added later count', () => {
    // GIVEN a cdk8s-plus Deployment with no container yet, attached through its ApiObject
    const chart = Testing.chart();
    const dep = new kplus.Deployment(chart, 'web');
    const sidecar = DebugSidecar.attach(dep.node.defaultChild as ApiObject, { enabled: true });
    dep.addContainer({ name: 'app', image: IMAGE });
    // THEN the sidecar joins the app container at synth
    expect(podSpecOf(only(Testing.synth(chart), 'Deployment')).containers.map((c: any) => c.name)).toEqual(['app', 'debug']);
    expect(sidecar.workload).toBe(dep.node.defaultChild);
  });

  test('an ApiObject that is another object of a cdk8s-plus workload is read from its own pod spec', () => {
    // GIVEN an extra Deployment object inside a cdk8s-plus Deployment, whose container is named as the sidecar
    const chart = Testing.chart();
    const dep = new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: IMAGE }] });
    const extra = plainDeployment(dep, 'extra', { containers: [{ name: 'debug', image: IMAGE }] });
    // THEN its own container names count
    expect(errorOf(() => DebugSidecar.attach(extra, { enabled: true }))).toBe(
      'test/web/extra: \'debug.name\' clashes with a container of the application (got "debug"). Set \'debug.name\' to a name no container in this Pod uses.');
  });

  test('an ApiObject that is the default child of a construct of the user\'s', () => {
    // GIVEN a construct of the user's whose default child (id 'Resource') is a Deployment object
    class Web extends Construct {
      constructor(scope: Construct, id: string) {
        super(scope, id);
        plainDeployment(this, 'Resource', { containers: [{ name: 'app', image: IMAGE }] });
      }
    }
    const chart = Testing.chart();
    const web = new Web(chart, 'web');
    // WHEN attached through the construct and through the object
    const sidecar = DebugSidecar.attach(web, { enabled: true });
    // THEN it works, and is the one sidecar of that object
    expect(DebugSidecar.of(web.node.defaultChild as ApiObject)).toBe(sidecar);
    expect(containerNamed(podSpecOf(only(Testing.synth(chart), 'Deployment')), 'debug')).toBeDefined();
  });

  test('a workload of a cdk8s-plus older than the library knows is treated as of no library', () => {
    // GIVEN a construct whose jsii type name says cdk8s-plus-22, around a Job object
    class OldJob extends Construct {
      constructor(scope: Construct, id: string) {
        super(scope, id);
        new ApiObject(this, 'Resource', {
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: { name: id },
          spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'app', image: IMAGE }] } } },
        });
      }
    }
    // jsii's runtime type information, as cdk8s-plus-22 would carry it
    Object.defineProperty(OldJob, Symbol.for('jsii.rtti'), { value: { fqn: 'cdk8s-plus-22.Job' } });
    const chart = Testing.chart();
    // THEN the Job gets the form that works on any Kubernetes
    expect(DebugSidecar.attach(new OldJob(chart, 'job'), { enabled: true }).form).toBe(SidecarForm.EXIT_WITH_APP);
  });

  test('no construct at all, or one without a node: the whole message', () => {
    expect(errorOf(() => DebugSidecar.attach(undefined as any))).toBe(
      '\'target\' has no Kubernetes object, so it is not a workload (got undefined). Attach to a cdk8s-plus workload or an ApiObject with a pod template.');
    expect(errorOf(() => DebugSidecar.attach({} as any))).toBe(
      '\'target\' has no Kubernetes object, so it is not a workload (got {}). Attach to a cdk8s-plus workload or an ApiObject with a pod template.');
  });

  test('a construct holding objects none of which is a workload, or several workloads', () => {
    const chart = Testing.chart();
    const config = new Construct(chart, 'config');
    new ApiObject(config, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    const many = new Construct(chart, 'many');
    plainDeployment(many, 'web', { containers: [{ name: 'app', image: IMAGE }] });
    plainDeployment(many, 'api', { containers: [{ name: 'app', image: IMAGE }] });
    expect(errorOf(() => DebugSidecar.attach(config))).toBe(
      '\'target\' has no Kubernetes object, so it is not a workload (got "test/config"). Attach to a cdk8s-plus workload or an ApiObject with a pod template.');
    expect(errorOf(() => DebugSidecar.attach(many))).toBe(
      '\'target\' holds 2 workload object(s) (Deployment web, Deployment api), not one workload (an Include or a Helm chart?) (got "test/many"). Use DebugSidecar.attachAll(target, options) for all of them (filter with kinds, names or labels), or attach to one of its ApiObjects (include.apiObjects).');
  });
});

describe('a hand-written pod spec whose containers are not a list', () => {
  test('attach takes it, and synth names podSpecPath instead of failing inside the library', () => {
    // GIVEN a plain Deployment with `containers: {}` (an object, not a list)
    const { synth } = attached({ containers: {} }, { enabled: true });
    // THEN synth reports the pod spec, whole
    expect(errorOf(synth)).toBe("test/web: 'podSpecPath' does not point at a pod spec (an object with 'containers') in this Deployment " +
      '(got "/spec/template/spec"). Give the JSON pointer of the pod spec.');
  });
});
