import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { KubernetesVersion, PodSecurity } from '../src';
import { NEWEST_KNOWN_MINOR, OLDEST_KNOWN_MINOR } from '../src/pod-security/evaluator/policy-version';

const KNOWN = Array.from({ length: NEWEST_KNOWN_MINOR - OLDEST_KNOWN_MINOR + 1 }, (_, i) => OLDEST_KNOWN_MINOR + i);

describe('KubernetesVersion', () => {
  test.each(KNOWN)('minor %i: a constant V1_<minor>, and of() reads its name', minor => {
    const constant = (KubernetesVersion as any)[`V1_${minor}`];
    expect(constant).toBeInstanceOf(KubernetesVersion);
    expect(constant.minor).toBe(minor);
    expect(constant.name).toBe(`1.${minor}`);
    expect(KubernetesVersion.of(`1.${minor}`).minor).toBe(minor);
    expect(KubernetesVersion.of(`v1.${minor}.3`).minor).toBe(minor);
  });

  test('every V1_<minor> constant is in the known range, and the range is the policy versions PodSecurity knows', () => {
    const constants = Object.keys(KubernetesVersion).filter(k => /^V1_\d+$/.test(k)).map(k => Number(k.slice(3))).sort((a, b) => a - b);
    expect(constants).toEqual(KNOWN);
    expect(PodSecurity.LATEST_VERSION).toBe(`v1.${NEWEST_KNOWN_MINOR}`);
    expect(() => PodSecurity.levelOfPodSpec({ containers: [{ name: 'app', image: 'busybox:1.37' }] }, undefined, { version: `v1.${OLDEST_KNOWN_MINOR}` })).not.toThrow();
    expect(() => PodSecurity.levelOfPodSpec({ containers: [{ name: 'app', image: 'busybox:1.37' }] }, undefined, { version: `v1.${OLDEST_KNOWN_MINOR - 1}` }))
      .toThrow(`is out of support; use 'v1.${OLDEST_KNOWN_MINOR}' or later.`);
  });

  test('versions outside the range are errors that name the range', () => {
    expect(() => KubernetesVersion.of(`1.${OLDEST_KNOWN_MINOR - 1}`))
      .toThrow(`'version' is not a Kubernetes version this library knows (1.${OLDEST_KNOWN_MINOR} to 1.${NEWEST_KNOWN_MINOR}) (got "1.${OLDEST_KNOWN_MINOR - 1}"). Kubernetes 1.${OLDEST_KNOWN_MINOR - 1} is out of support; use '1.${OLDEST_KNOWN_MINOR}' or later.`);
    expect(() => KubernetesVersion.of(`1.${NEWEST_KNOWN_MINOR + 1}`))
      .toThrow(`Use '1.${NEWEST_KNOWN_MINOR}' until a release of cdk8s-debuggable knows 1.${NEWEST_KNOWN_MINOR + 1}.`);
  });

  test('KubernetesVersion.set after children exist names them and says when to call it', () => {
    const chart = Testing.chart();
    new kplus.Deployment(chart, 'web', { containers: [{ image: 'nginx:1.27' }] });
    new kplus.Deployment(chart, 'api', { containers: [{ image: 'nginx:1.27' }] });
    expect(() => KubernetesVersion.set(chart, KubernetesVersion.V1_23))
      .toThrow("'scope' already has children ('web', 'api'), and construct context only reaches constructs added after it (got \"test\"). "
        + 'Call KubernetesVersion.set right after creating the scope, before adding constructs to it.');
  });
});
