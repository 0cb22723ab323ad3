import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  Capability, DebuggableDeployment, DebugImage, DebugOptions, DebugProfile, DebugSidecar, DebugTool, ImageFamily, PodSecurity, PodSecurityLevel,
} from '../src';
import { synthErrors } from './support/manifests';
import { APP, restrictedApp } from './support/pod-security-apps';

/*
 * The whole message a debug container gets when the namespace's Pod Security
 * level refuses it (src/sidecar/pod-security-advice.ts): what each tool needs,
 * which tools would fit, and the ways out, for the sidecar, the ephemeral
 * container and the debug copy.
 */

const BY_CONTEXT = 'enforced by context cdk8s-debuggable/pod-security-enforce (PodSecurity.enforce)';
const KUBECTL_DEBUG_TAIL = '(an ephemeral container; Pod Security checks those too, so this works only for a user or namespace the cluster exempts); ';

/** A chart whose namespace enforces `level` (PodSecurity.enforce). */
function chartEnforcing(level: PodSecurityLevel): Chart {
  const chart = Testing.chart();
  PodSecurity.enforce(chart, level);
  return chart;
}

/** A Deployment with the app container 'main' and a debug sidecar in a namespace enforcing baseline. */
function baselineSidecar(debug: DebugOptions): Chart {
  const chart = chartEnforcing(PodSecurityLevel.BASELINE);
  new DebuggableDeployment(chart, 'web', { containers: [APP], debug });
  return chart;
}

/** The restricted-ready app (non-root, drops ALL, seccomp) with a debug sidecar in a namespace enforcing restricted. */
function restrictedSidecar(debug: DebugOptions): Chart {
  const chart = chartEnforcing(PodSecurityLevel.RESTRICTED);
  restrictedApp(chart, 'web', debug);
  return chart;
}

describe('the lesser tool set names the tools that fit the enforced level', () => {
  test('baseline: a tool adding only a capability baseline allows, and a tool needing only root, both fit; tcpdump does not', () => {
    // GIVEN tcpdump (NET_RAW), a tool adding CHOWN (baseline allows it) and one that needs only root
    const chowner = DebugTool.custom({ name: 'chowner', capabilities: [Capability.CHOWN] });
    const lsof = DebugTool.custom({ name: 'lsof', needsRoot: true });

    // WHEN
    const errors = synthErrors(baselineSidecar({ enabled: true, tools: [DebugTool.TCPDUMP, chowner, lsof] }));

    // THEN only tcpdump is to remove; the two others fit baseline (plural: "fit")
    expect(errors).toEqual([
      "[test/web/Resource] 'debug.tools' of the debug sidecar 'debug' ask for more than Pod Security 'baseline:latest' allows "
      + `(${BY_CONTEXT}): tcpdump needs NET_RAW (got ["tcpdump","chowner","lsof"]). `
      + "Ways out: (1) run it in a namespace whose pod-security.kubernetes.io/enforce is 'privileged'; "
      + '(2) leave the sidecar off here and attach a debug container when needed: kubectl debug -it <pod> --target=main --profile=netadmin '
      + `--image=docker.io/nicolaka/netshoot:v0.14 ${KUBECTL_DEBUG_TAIL}`
      + "(3) a lesser tool set: remove tcpdump (chowner, lsof fit 'baseline'), with profile: DebugProfile.BASELINE to keep it within 'baseline'.",
    ]);
  });

  test('restricted: only a tool that needs neither a capability nor root fits; one that needs only root does not', () => {
    // GIVEN curl (nothing), tcpdump (NET_RAW, root) and a tool that needs only root
    const lsof = DebugTool.custom({ name: 'lsof', needsRoot: true });

    // WHEN
    const errors = synthErrors(restrictedSidecar({ enabled: true, tools: [DebugTool.CURL, DebugTool.TCPDUMP, lsof] }));

    // THEN curl alone fits (singular: "fits")
    expect(errors).toEqual([
      "[test/web/Resource] 'debug.tools' of the debug sidecar 'debug' ask for more than Pod Security 'restricted:latest' allows "
      + `(${BY_CONTEXT}): tcpdump needs NET_RAW and to run as root; lsof needs to run as root (got ["curl","tcpdump","lsof"]). `
      + "Ways out: (1) run it in a namespace whose pod-security.kubernetes.io/enforce is 'privileged'; "
      + '(2) leave the sidecar off here and attach a debug container when needed: kubectl debug -it <pod> --target=main --profile=netadmin '
      + `--image=docker.io/nicolaka/netshoot:v0.14 ${KUBECTL_DEBUG_TAIL}`
      + "(3) a lesser tool set: remove tcpdump, lsof (curl fits 'restricted'), with profile: DebugProfile.RESTRICTED to keep it within 'restricted'.",
    ]);
  });

  test('every tool fits and a profile adds the capabilities: the way out is to remove the explicit privileges', () => {
    // WHEN curl and dig (nothing needed) under DebugProfile.NETADMIN (NET_ADMIN, NET_RAW)
    const errors = synthErrors(baselineSidecar({ enabled: true, tools: [DebugTool.CURL, DebugTool.DIG], profile: DebugProfile.NETADMIN }));

    // THEN
    expect(errors).toEqual([
      "[test/web/Resource] 'debug.profile' of the debug sidecar 'debug' ask for more than Pod Security 'baseline:latest' allows "
      + `(${BY_CONTEXT}): DebugProfile.NETADMIN adds NET_ADMIN, NET_RAW (got "netadmin"). `
      + "Ways out: (1) run it in a namespace whose pod-security.kubernetes.io/enforce is 'privileged'; "
      + '(2) leave the sidecar off here and attach a debug container when needed: kubectl debug -it <pod> --target=main --profile=netadmin '
      + `--image=docker.io/nicolaka/netshoot:v0.14 ${KUBECTL_DEBUG_TAIL}`
      + "(3) a lesser tool set: remove the explicit privileges (curl, dig fit 'baseline'), with profile: DebugProfile.BASELINE to keep it within 'baseline'.",
    ]);
  });
});

describe('what each tool needs names only what the level forbids', () => {
  test("Debian's tcpdump adds NET_RAW, SETUID and SETGID; baseline forbids only NET_RAW, so only NET_RAW is named", () => {
    // WHEN
    const errors = synthErrors(baselineSidecar({
      enabled: true, tools: [DebugTool.TCPDUMP], image: DebugImage.of('registry.example.com/debug:1', ImageFamily.DEBIAN),
    }));

    // THEN
    expect(errors).toEqual([
      "[test/web/Resource] 'debug.tools' of the debug sidecar 'debug' ask for more than Pod Security 'baseline:latest' allows "
      + `(${BY_CONTEXT}): tcpdump needs NET_RAW (got ["tcpdump"]). `
      + "Ways out: (1) run it in a namespace whose pod-security.kubernetes.io/enforce is 'privileged'; "
      + '(2) leave the sidecar off here and attach a debug container when needed: kubectl debug -it <pod> --target=main --profile=netadmin '
      + `--image=registry.example.com/debug:1 ${KUBECTL_DEBUG_TAIL}`
      + "(3) a lesser tool set: remove tcpdump, with profile: DebugProfile.BASELINE to keep it within 'baseline'.",
    ]);
  });

  test('a privileged profile under restricted: "makes it privileged" covers root and privilege escalation; the missing drop is named', () => {
    // WHEN DebugProfile.SYSADMIN (privileged, root, allowPrivilegeEscalation, no capabilities list) in a restricted namespace
    const errors = synthErrors(restrictedSidecar({ enabled: true, profile: DebugProfile.SYSADMIN }));

    // THEN neither root nor allowPrivilegeEscalation is named apart, and the unset drop list is not taken for an added capability
    expect(errors).toEqual([
      "[test/web/Resource] 'debug.profile' of the debug sidecar 'debug' ask for more than Pod Security 'restricted:latest' allows "
      + `(${BY_CONTEXT}): DebugProfile.SYSADMIN makes it privileged; securityContext.capabilities.drop is (unset) (got "sysadmin"). `
      + "Ways out: (1) run it in a namespace whose pod-security.kubernetes.io/enforce is 'privileged'; "
      + '(2) leave the sidecar off here and attach a debug container when needed: kubectl debug -it <pod> --target=main --profile=sysadmin '
      + `--image=docker.io/nicolaka/netshoot:v0.14 ${KUBECTL_DEBUG_TAIL}`
      + "(3) a lesser tool set: remove the explicit privileges, with profile: DebugProfile.RESTRICTED to keep it within 'restricted'.",
    ]);
  });

  test('runAsAppUser with a non-root app and allowPrivilegeEscalation: true: the field is named, with the app user it runs as; runAsAppUser is not blamed', () => {
    // GIVEN the app runs as 101; the sidecar takes its user but allows privilege escalation
    const debug: DebugOptions = { enabled: true, runAsAppUser: true, tools: [DebugTool.CURL], securityContext: { allowPrivilegeEscalation: true } };

    // WHEN
    const errors = synthErrors(restrictedSidecar(debug));

    // THEN
    expect(errors).toEqual([
      "[test/web/Resource] 'debug.securityContext' of the debug sidecar 'debug' ask for more than Pod Security 'restricted:latest' allows "
      + `(${BY_CONTEXT}): securityContext.allowPrivilegeEscalation is true (got {"capabilities":[],"privileged":false,"user":101}). `
      + "Ways out: (1) run it in a namespace whose pod-security.kubernetes.io/enforce is 'baseline'; "
      + '(2) leave the sidecar off here and attach a debug container when needed: kubectl debug -it <pod> --target=main --profile=baseline '
      + `--image=docker.io/nicolaka/netshoot:v0.14 ${KUBECTL_DEBUG_TAIL}`
      + "(3) a lesser tool set: remove the explicit privileges (curl fits 'restricted'), with profile: DebugProfile.RESTRICTED to keep it within 'restricted'.",
    ]);
  });
});

describe('the second way out depends on the kind of debug container', () => {
  /** A Deployment with the app container 'app' and debug off, in a namespace enforcing baseline. */
  function tcpdumpOff(): DebuggableDeployment {
    const chart = chartEnforcing(PodSecurityLevel.BASELINE);
    return new DebuggableDeployment(chart, 'web', { containers: [{ ...APP, name: 'app' }], debug: { tools: [DebugTool.TCPDUMP] } });
  }

  test.each([
    ['the ephemeral container: an exemption, as pods/ephemeralcontainers is checked like the Pod', { pod: 'p' },
      "the ephemeral debug container 'debug'", 'pods/ephemeralcontainers is checked like the Pod'],
    ['the debug copy: an exemption, as the copy is a new Pod', { pod: 'p', copyTo: 'p-debug' },
      "the debug container 'debug' of the Pod's copy", 'the copy is a new Pod, checked as any'],
  ])('%s', (_name, options, container, exemption) => {
    expect(tcpdumpOff().debug.kubectlDebug(options).refusal).toBe(
      `'debug.tools' of ${container} ask for more than Pod Security 'baseline:latest' allows `
      + `(${BY_CONTEXT}): tcpdump needs NET_RAW (got ["tcpdump"]). `
      + "Ways out: (1) run it in a namespace whose pod-security.kubernetes.io/enforce is 'privileged'; "
      + '(2) ask for an exemption (the PodSecurity admission configuration exempts users, runtime classes or namespaces; '
      + `${exemption}); `
      + "(3) a lesser tool set: remove tcpdump, with profile: DebugProfile.BASELINE to keep it within 'baseline'.");
  });

  test('a sidecar in a Pod with no app container: the kubectl debug --target is a placeholder, not the sidecar', () => {
    // GIVEN a hand-written Pod whose containers are empty
    const chart = chartEnforcing(PodSecurityLevel.BASELINE);
    const pod = new ApiObject(chart, 'pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] } });
    DebugSidecar.attach(pod, { enabled: true, tools: [DebugTool.TCPDUMP] });

    // WHEN
    const errors = synthErrors(chart);

    // THEN
    expect(errors).toEqual([
      "[test/pod] 'debug.tools' of the debug sidecar 'debug' ask for more than Pod Security 'baseline:latest' allows "
      + `(${BY_CONTEXT}): tcpdump needs NET_RAW (got ["tcpdump"]). `
      + "Ways out: (1) run it in a namespace whose pod-security.kubernetes.io/enforce is 'privileged'; "
      + '(2) leave the sidecar off here and attach a debug container when needed: kubectl debug -it <pod> --target=<app container> --profile=netadmin '
      + `--image=docker.io/nicolaka/netshoot:v0.14 ${KUBECTL_DEBUG_TAIL}`
      + "(3) a lesser tool set: remove tcpdump, with profile: DebugProfile.BASELINE to keep it within 'baseline'.",
    ]);
  });
});

test("a sidecar's workload validated on its own, outside the app's pass, reads the Namespaces itself", () => {
  // GIVEN tcpdump in a namespace a kplus.Namespace of another chart labels baseline
  const app = Testing.app();
  const cluster = new Chart(app, 'cluster');
  new kplus.Namespace(cluster, 'shop', { metadata: { name: 'shop', labels: { [PodSecurity.ENFORCE_LABEL]: 'baseline' } } });
  const chart = new Chart(app, 'web', { namespace: 'shop' });
  const dep = new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true, tools: [DebugTool.TCPDUMP] } });

  // WHEN only the workload's own validations run (constructs' node.validate(), not the app's synth)
  const errors = ApiObject.of(dep).node.validate();

  // THEN
  expect(errors).toEqual([
    "'debug.tools' of the debug sidecar 'debug' ask for more than Pod Security 'baseline:latest' allows "
    + '(enforced by Namespace shop via label pod-security.kubernetes.io/enforce): tcpdump needs NET_RAW (got ["tcpdump"]). '
    + "Ways out: (1) run it in a namespace whose pod-security.kubernetes.io/enforce is 'privileged'; "
    + '(2) leave the sidecar off here and attach a debug container when needed: kubectl debug -it <pod> --target=main --profile=netadmin '
    + `--image=docker.io/nicolaka/netshoot:v0.14 ${KUBECTL_DEBUG_TAIL}`
    + "(3) a lesser tool set: remove tcpdump, with profile: DebugProfile.BASELINE to keep it within 'baseline'.",
  ]);
});
