import { validateSchema } from './support/manifests';

// The schema check behind everyManifestPassesTheSchema() must be able to fail.
const pod = (container: any) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [container] } });

describe('the Kubernetes 1.27 schema validator (kubernetes-validate, strict)', () => {
  test('accepts a valid Pod', () => {
    expect(validateSchema([pod({ name: 'app', image: 'nginx:1.27' })])).toEqual([]);
  });
  test('rejects an unknown field (a typo in securityContext)', () => {
    expect(validateSchema([pod({ name: 'app', image: 'nginx:1.27', securityContxt: {} })]))
      .toEqual([expect.objectContaining({ kind: 'Pod', error: expect.stringMatching(/securityContxt/) })]);
  });
  test('rejects a wrong type (runAsUser as a string)', () => {
    expect(validateSchema([pod({ name: 'app', image: 'nginx:1.27', securityContext: { runAsUser: '0' } })]))
      .toEqual([expect.objectContaining({ error: expect.stringMatching(/runAsUser/) })]);
  });
});
