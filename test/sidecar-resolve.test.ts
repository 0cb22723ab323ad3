import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  Capability, DebugImage, DebugProfile, DebugSidecar, DebugSidecarAttachOptions, DebugToggle, DebugTool, KubernetesVersion, SidecarForm,
} from '../src';
import { errorOf } from './support/errors';
import { only, synth } from './support/manifests';

/*
 * What attach decides from the debug options (src/sidecar/resolve.ts), as a
 * user sees it: the sidecar's form, warnings, annotations and the whole
 * message of every refusal.
 */

const APP = { name: 'app', image: 'docker.io/nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };
const P = 'cdk8s-debuggable.dev/';
const DIGEST = 'sha256:' + 'a'.repeat(64);
const BOOLEAN_FIX = 'Write true or false without quotes.';

interface Setup {
  /** Declares the environment `production` on the chart. */
  readonly production?: boolean;
  /** The time synth runs at (context `cdk8s-debuggable/now`). */
  readonly now?: string;
  /** The declared Kubernetes version of the cluster. */
  readonly version?: KubernetesVersion;
}

function chartWith(setup: Setup): Chart {
  const chart = new Chart(Testing.app(), 'test');
  if (setup.production) DebugToggle.setEnvironment(chart, 'production');
  if (setup.now !== undefined) chart.node.setContext(DebugToggle.NOW_CONTEXT_KEY, setup.now);
  if (setup.version !== undefined) KubernetesVersion.set(chart, setup.version);
  return chart;
}

/** A cdk8s-plus Deployment with the sidecar attached. */
function onDeployment(debug: DebugSidecarAttachOptions, setup: Setup = {}): { chart: Chart; sidecar: DebugSidecar } {
  const chart = chartWith(setup);
  const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
  return { chart, sidecar: DebugSidecar.attach(web, debug) };
}

/** A plain ApiObject of `kind` whose pod spec is at /spec (Pod) or /spec/template/spec, with the sidecar attached. */
function onObject(kind: 'Pod' | 'Deployment', podSpec: Record<string, unknown>, debug: DebugSidecarAttachOptions = {}): DebugSidecar {
  const chart = chartWith({});
  const spec = { containers: [{ name: 'app', image: APP.image }], ...podSpec };
  const obj = new ApiObject(chart, 'workload', {
    apiVersion: kind === 'Pod' ? 'v1' : 'apps/v1',
    kind,
    metadata: { name: 'workload' },
    spec: kind === 'Pod' ? spec : { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec } },
  });
  return DebugSidecar.attach(obj, debug);
}

/** The whole message of the error attaching `debug` to a Deployment makes. */
function attachError(debug: Record<string, unknown>, setup: Setup = {}): string {
  return errorOf(() => onDeployment(debug as DebugSidecarAttachOptions, setup));
}

/** The annotations of the synthesized Deployment's pod template. */
function annotationsOf(debug: DebugSidecarAttachOptions, setup: Setup = {}): Record<string, string> {
  const { chart } = onDeployment({ enabled: true, ...debug }, setup);
  return only(synth(chart), 'Deployment').spec.template.metadata.annotations;
}

describe('the default form follows whether the workload runs to completion', () => {
  test('GIVEN a Pod without restartPolicy (Kubernetes reads Always) THEN the sidecar is a plain container that keeps running', () => {
    const sidecar = onObject('Pod', {});
    expect(sidecar.form).toBe(SidecarForm.CONTAINER);
  });

  test('GIVEN a Pod with restartPolicy Always THEN the sidecar is a plain container', () => {
    expect(onObject('Pod', { restartPolicy: 'Always' }).form).toBe(SidecarForm.CONTAINER);
  });

  test('GIVEN a Pod with restartPolicy Never THEN it completes, so the sidecar exits with the app', () => {
    expect(onObject('Pod', { restartPolicy: 'Never' }).form).toBe(SidecarForm.EXIT_WITH_APP);
  });

  test('GIVEN a Deployment object whose template says OnFailure THEN only a Pod counts its restartPolicy: a plain container', () => {
    expect(onObject('Deployment', { restartPolicy: 'OnFailure' }).form).toBe(SidecarForm.CONTAINER);
  });
});

test('a native sidecar on a cluster declared older than 1.29 is refused, naming the version and where it was declared', () => {
  expect(attachError({ form: SidecarForm.NATIVE_SIDECAR }, { version: KubernetesVersion.V1_28 })).toBe(
    "'debug.form' needs Kubernetes 1.29 or later, and the cluster is 1.28 (context cdk8s-debuggable/kubernetes-version) (got \"native-sidecar\"). "
    + 'Use SidecarForm.EXIT_WITH_APP (works on every version), or declare the cluster version you really run.');
});

describe('debug.command', () => {
  const FIX = 'Omit it to use the default keep-alive, or give the program and its arguments as a list of strings.';

  test('an item that is undefined is not a string', () => {
    expect(attachError({ command: ['sh', undefined] })).toBe(`'debug.command[1]' is not a string (got undefined). ${FIX}`);
  });

  test('an empty argument after the program is refused', () => {
    expect(attachError({ command: ['sh', ''] }))
      .toBe(`'debug.command' must be a non-empty list of non-empty strings (got ["sh",""]). ${FIX}`);
  });

  test('a program that is only blanks is refused', () => {
    expect(attachError({ command: ['  ', '-c'] }))
      .toBe(`'debug.command' must be a non-empty list of non-empty strings (got ["  ","-c"]). ${FIX}`);
  });

  test('blank arguments after a real program are kept as given', () => {
    const { sidecar } = onDeployment({ command: ['sleep', ' ', 'infinity'] });
    expect(sidecar.command).toEqual(['sleep', ' ', 'infinity']);
  });
});

describe('debug.requireDigestInProduction', () => {
  const notPinned = (reference: string, pinned: string) =>
    `'debug.image' is not pinned by digest, and 'requireDigestInProduction' refuses that where the environment is production (got "${reference}"). `
    + `Pin it by digest: DebugImage.of('${pinned}@sha256:<digest>', family) (crane digest or docker buildx imagetools inspect prints it).`;

  test('a string is not a boolean', () => {
    expect(attachError({ requireDigestInProduction: 'true' }))
      .toBe(`'debug.requireDigestInProduction' is not a boolean (got "true"). ${BOOLEAN_FIX}`);
  });

  test('GIVEN production THEN an image pinned by digest is accepted without a warning', () => {
    const { sidecar } = onDeployment({
      enabled: true,
      allowInProduction: true,
      requireDigestInProduction: true,
      image: DebugImage.of(`registry.example.com/team/debug@${DIGEST}`),
    }, { production: true });
    expect(sidecar.enabled).toBe(true);
    expect(sidecar.warnings).toEqual([]);
  });

  test('GIVEN production THEN a tagged image on a registry with a port is refused, and the fix strips only the tag', () => {
    const reference = 'registry.example.com:5000/team/debug:1.4';
    const debug = { enabled: true, allowInProduction: true, requireDigestInProduction: true, image: DebugImage.of(reference) };
    expect(attachError(debug, { production: true })).toBe(notPinned(reference, 'registry.example.com:5000/team/debug'));
  });

  test('GIVEN not production THEN a version tag gives the digest warning alone', () => {
    const reference = 'registry.example.com/team/debug:1.4';
    const { sidecar } = onDeployment({ requireDigestInProduction: true, image: DebugImage.of(reference) });
    expect(sidecar.warnings).toEqual([notPinned(reference, 'registry.example.com/team/debug')]);
  });

  test('GIVEN not production THEN a mutable tag gives the mutable-tag warning and then the digest warning', () => {
    const reference = 'registry.example.com/team/debug:latest';
    const { sidecar } = onDeployment({ requireDigestInProduction: true, image: DebugImage.of(reference) });
    expect(sidecar.warnings).toEqual([
      `'debug.image' uses a mutable tag (latest or none): the sidecar can change under you between two Pod starts (got "${reference}"). Pin a version tag or a digest.`,
      notPinned(reference, 'registry.example.com/team/debug'),
    ]);
  });
});

describe('debug.imagePullSecrets', () => {
  const FIX = "Pass the names of Secrets of type kubernetes.io/dockerconfigjson in the Pod's namespace, such as ['registry-credentials'].";

  test('a single name instead of a list is refused', () => {
    expect(attachError({ imagePullSecrets: 'registry-credentials' })).toBe(`'debug.imagePullSecrets' is not a list (got "registry-credentials"). ${FIX}`);
  });

  test('an item that is undefined is not a string', () => {
    expect(attachError({ imagePullSecrets: [undefined] })).toBe(`'debug.imagePullSecrets[0]' is not a string (got undefined). ${FIX}`);
  });
});

describe('debug.appContainer and debug.appVolumes', () => {
  const CONTAINER_FIX = "Pass the name of the app's container, such as 'app'.";
  const NAMES_FIX = "Pass the names of volumes the app container mounts, such as ['data'], or omit 'names' to mount them all.";

  test('an app container that is not a string is refused', () => {
    expect(attachError({ appContainer: 42 })).toBe(`'debug.appContainer' is not a string (got 42). ${CONTAINER_FIX}`);
  });

  test('an app container that is not a container name is refused at attach', () => {
    expect(attachError({ appContainer: 'App_1' })).toBe(`'debug.appContainer' is not a container name (got "App_1"). ${CONTAINER_FIX}`);
  });

  test('app volumes that are not an object are refused', () => {
    expect(attachError({ appVolumes: 'data' }))
      .toBe("'debug.appVolumes' is not an object (got \"data\"). Pass an object such as { names: ['data'] }, or {} for every volume.");
  });

  test('volume names that are not a list are refused', () => {
    expect(attachError({ appVolumes: { names: 'data' } })).toBe(`'debug.appVolumes.names' is not a list (got "data"). ${NAMES_FIX}`);
  });

  test('a volume name that is undefined is not a string', () => {
    expect(attachError({ appVolumes: { names: ['data', undefined] } })).toBe(`'debug.appVolumes.names[1]' is not a string (got undefined). ${NAMES_FIX}`);
  });

  test('a volume name that is not a DNS label is refused at attach', () => {
    expect(attachError({ appVolumes: { names: ['Data_1'] } })).toBe(`'debug.appVolumes.names[0]' is not a volume name (got "Data_1"). ${NAMES_FIX}`);
  });

  test('an empty list of names is refused: it would mount nothing', () => {
    expect(attachError({ appVolumes: { names: [] } })).toBe(`'debug.appVolumes.names' is empty, so nothing would be mounted (got []). ${NAMES_FIX}`);
  });

  test('readOnly must be a boolean', () => {
    expect(attachError({ appVolumes: { readOnly: 'false' } })).toBe(`'debug.appVolumes.readOnly' is not a boolean (got "false"). ${BOOLEAN_FIX}`);
  });
});

describe('debug.runAsAppUser', () => {
  const prefix = "'debug.runAsAppUser' runs the debug container as the app's user, but ";
  const suffix = '; Kubernetes gives a non-root container no effective capabilities (kubernetes/kubernetes#56374) (got true). '
    + "Remove 'runAsAppUser' (the tools then run as root with their capabilities), or keep only tools that need no capability (curl, dig).";

  test('a string is not a boolean', () => {
    expect(attachError({ runAsAppUser: 'true' })).toBe(`'debug.runAsAppUser' is not a boolean (got "true"). ${BOOLEAN_FIX}`);
  });

  test('a user in the security context conflicts with it, and the fix names the key', () => {
    expect(attachError({ runAsAppUser: true, securityContext: { group: 3000 } })).toBe(
      "'debug.securityContext.group' conflicts with 'debug.runAsAppUser', which takes the user, the group and the non-root setting from the app container "
      + "(got 3000). Remove 'group', or remove 'runAsAppUser'.");
  });

  test('every tool that needs a capability or root is named, one after the other', () => {
    const psql = DebugTool.custom({ name: 'psql', needsRoot: true });
    expect(attachError({ runAsAppUser: true, tools: [DebugTool.STRACE, psql, DebugTool.DIG] }))
      .toBe(`${prefix}strace needs SYS_PTRACE; psql needs to run as root${suffix}`);
  });

  test('capabilities from the security context are blamed on it, not on a profile that gives none', () => {
    expect(attachError({ runAsAppUser: true, profile: DebugProfile.BASELINE, securityContext: { capabilities: [Capability.CHOWN] } }))
      .toBe(`${prefix}'debug.securityContext' adds CHOWN${suffix}`);
  });

  test('capabilities from the security context without a profile are blamed on it', () => {
    expect(attachError({ runAsAppUser: true, securityContext: { capabilities: [Capability.NET_ADMIN] } }))
      .toBe(`${prefix}'debug.securityContext' adds NET_ADMIN${suffix}`);
  });
});

describe('debug.reason and debug.owner', () => {
  const reasonFix = "Pass a short text such as 'INC-1234: 502s from checkout', or omit it.";

  test('a reason that is not a string is refused, with an example of a reason', () => {
    expect(attachError({ reason: 42 })).toBe(`'debug.reason' is not a string (got 42). ${reasonFix}`);
  });

  test('an owner that is not a string is refused, with an example of an owner', () => {
    expect(attachError({ owner: 42 })).toBe("'debug.owner' is not a string (got 42). Pass a short text such as 'team-payments', or omit it.");
  });

  test('a reason of only blanks is refused', () => {
    expect(attachError({ reason: '   ' })).toBe(`'debug.reason' must be 1 to 1024 characters (got "   "). ${reasonFix}`);
  });

  test('a reason of exactly 1024 characters is accepted; 1025 is refused', () => {
    const long = 'x'.repeat(1024);
    expect(annotationsOf({ reason: long })[`${P}reason`]).toBe(long);
    expect(attachError({ reason: `${long}y` })).toBe(`'debug.reason' must be 1 to 1024 characters (got "${long}y"). ${reasonFix}`);
  });

  test('the annotations carry the reason and the owner without surrounding blanks', () => {
    const annotations = annotationsOf({ reason: '  INC-7: timeouts \n', owner: ' team-payments ' });
    expect(annotations[`${P}reason`]).toBe('INC-7: timeouts');
    expect(annotations[`${P}owner`]).toBe('team-payments');
  });
});

describe('debug.until', () => {
  const UNTIL_FIX = "Write it as '2026-12-31' (midnight UTC) or '2026-12-31T18:00:00+01:00' (ISO 8601, with a zone).";

  test('a date that is not a string is refused', () => {
    expect(attachError({ until: 20261231 })).toBe(`'debug.until' is not a string (got 20261231). ${UNTIL_FIX}`);
  });

  test('a date with surrounding blanks is annotated without them', () => {
    expect(annotationsOf({ until: ' 2026-12-31 ' }, { now: '2026-06-01T00:00:00Z' })[`${P}until`]).toBe('2026-12-31');
  });

  test('GIVEN production and debug allowed there THEN a date that has passed is an error, not a warning', () => {
    expect(attachError({ enabled: true, allowInProduction: true, until: '2026-01-01' }, { production: true, now: '2026-06-01T00:00:00Z' })).toBe(
      "'debug.until' has passed (it is 2026-06-01T00:00:00.000Z) and debug is switched on where the environment is production (got \"2026-01-01\"). "
      + "Set 'debug.until' to a later date to keep debugging, or switch debug off for this environment.");
  });
});

test('a profile given by its name is refused, pointing at the static members', () => {
  expect(attachError({ profile: 'NETADMIN' }))
    .toBe("'debug.profile' is not a DebugProfile (got \"NETADMIN\"). Use a static member such as DebugProfile.NETADMIN.");
});

test('an OpenShift SCC that is not a string is refused, with an example', () => {
  expect(attachError({ openShiftScc: 42 }))
    .toBe("'debug.openShiftScc' is not a string (got 42). Pass the name of a SecurityContextConstraints, such as 'privileged'.");
});

test('shareProcessNamespace: false names everything that needs the shared namespace, and only that', () => {
  // GIVEN a Job (so the sidecar exits with the app), a tool that needs the namespace, one that does not, and a profile that shares it
  const chart = chartWith({});
  const job = new kplus.Job(chart, 'job', { containers: [APP] });
  // WHEN the namespace is switched off THEN each of the three is named, the tool that needs nothing is not
  expect(errorOf(() => DebugSidecar.attach(job, {
    tools: [DebugTool.STRACE, DebugTool.DIG], profile: DebugProfile.GENERAL, shareProcessNamespace: false,
  }))).toBe("'debug.shareProcessNamespace' conflicts with strace, SidecarForm.EXIT_WITH_APP, DebugProfile.GENERAL, which must see the application's processes "
    + "(got false). Remove 'shareProcessNamespace: false', or remove what needs it.");
});
