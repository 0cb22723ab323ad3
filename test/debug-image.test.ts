import { Testing } from 'cdk8s';
import { DebuggableDeployment, DebugImage, DebugOptions, DebugTool, DebugWarnings, ImageFamily } from '../src';
import { containerNamed, everyManifestPassesTheSchema, only, podSpecOf, synth } from './support/manifests';

const APP = { image: 'nginxinc/nginx-unprivileged:1.27.3', portNumber: 8080 };

function sidecar(debug: DebugOptions) {
  const chart = Testing.chart();
  DebugWarnings.silence(chart);
  const dep = new DebuggableDeployment(chart, 'web', { containers: [APP], debug: { enabled: true, ...debug } });
  const container = containerNamed(podSpecOf(only(synth(chart), 'Deployment')), 'debug');
  return { dep, container, warnings: DebugWarnings.of(chart) };
}

describe('image and family travel together', () => {
  test.each<[string, ImageFamily]>([
    ['docker.io/nicolaka/netshoot:v0.14', ImageFamily.ALPINE],
    ['nicolaka/netshoot:v0.13', ImageFamily.ALPINE],
    ['ghcr.io/nicolaka/netshoot:v0.14', ImageFamily.ALPINE],
    ['debian:12', ImageFamily.DEBIAN],
    ['docker.io/library/ubuntu:24.04', ImageFamily.DEBIAN],
    ['index.docker.io/library/alpine:3.20', ImageFamily.ALPINE],
    ['busybox:1.36@sha256:' + 'b'.repeat(64), ImageFamily.ALPINE],
  ])('the family of %s is inferred: %s', (reference, family) => {
    expect(DebugImage.of(reference).family).toBe(family);
  });

  test.each(['registry.example.com/library/debian:12', 'localhost/debian:12', 'team/debian:12', 'registry.example.com/debug:1'])(
    'an image the library does not know (%s) has no family until you name it', (reference) => {
      expect(DebugImage.of(reference).family).toBeUndefined();
      expect(DebugImage.of(reference, ImageFamily.DEBIAN).family).toBe(ImageFamily.DEBIAN);
    });

  test('fails when the family contradicts a known image', () => {
    expect(() => DebugImage.of('docker.io/library/debian:12', ImageFamily.ALPINE))
      .toThrow(/'family' contradicts the image 'docker.io\/library\/debian:12', which is of the debian family \(got "alpine"\)\. Omit the family for this image, or pass ImageFamily\.DEBIAN\./);
  });

  test('fails on a family that is not an ImageFamily (from JavaScript)', () => {
    expect(() => DebugImage.of('registry.example.com/debug:1', 'fedora' as ImageFamily))
      .toThrow(/'family' is not an ImageFamily \(got "fedora"\)\. Use one of ImageFamily\.ALPINE, ImageFamily\.DEBIAN\./);
  });

  test('fails on a string where a DebugImage is expected (from JavaScript)', () => {
    expect(() => sidecar({ image: 'registry.example.com/debug:1' as unknown as DebugImage }))
      .toThrow(/'debug.image' is not a DebugImage \(got "registry.example.com\/debug:1"\)\. Pass DebugImage\.of\(/);
  });
});

describe('privileges follow the image family', () => {
  test("a Debian image: tcpdump gets SETUID and SETGID for Debian's privilege drop", () => {
    const { container, warnings } = sidecar({ image: DebugImage.of('debian:12'), tools: [DebugTool.TCPDUMP] });
    expect(container.securityContext.capabilities.add).toEqual(['NET_RAW', 'SETGID', 'SETUID']);
    expect(warnings).toEqual([]);
  });

  test('an image of unknown family gets the union of the families, and a warning that says how to narrow it', () => {
    const { dep, container, warnings } = sidecar({ image: DebugImage.of('registry.example.com/team/debug:1.4'), tools: [DebugTool.TCPDUMP, DebugTool.TSHARK] });
    // tcpdump: NET_RAW (Alpine) ∪ NET_RAW, SETUID, SETGID (Debian); tshark: NET_RAW, NET_ADMIN (Alpine) ∪ NET_RAW (Debian)
    expect(container.securityContext.capabilities.add).toEqual(['NET_ADMIN', 'NET_RAW', 'SETGID', 'SETUID']);
    expect(dep.debug.imageFamily).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(
      /^test\/web\/Resource: 'debug.image' is of an unknown family, so the sidecar gets the capabilities its tools need in every family .*Name the family to narrow them: DebugImage\.of\('registry\.example\.com\/team\/debug:1\.4', ImageFamily\.DEBIAN\)/)]);
  });

  test('naming the family narrows the union', () => {
    const { container, warnings } = sidecar({ image: DebugImage.of('registry.example.com/team/debug:1.4', ImageFamily.ALPINE), tools: [DebugTool.TCPDUMP] });
    expect(container.securityContext.capabilities.add).toEqual(['NET_RAW']);
    expect(warnings).toEqual([]);
  });
});

describe('DebugImage.recipe: a minimal image for exactly the tools', () => {
  const debian = DebugImage.recipe({ tools: [DebugTool.TCPDUMP, DebugTool.STRACE, DebugTool.DIG], family: ImageFamily.DEBIAN });

  test('installs exactly the tools\' Debian packages (and getcap/setcap) on the pinned base', () => {
    expect(debian).toMatch(/^FROM docker\.io\/library\/debian:12\.8-slim$/m);
    expect(debian).toMatch(/apt-get install -y --no-install-recommends bind9-dnsutils libcap2-bin strace tcpdump \\$/m);
  });

  test('keeps only the file capabilities the derived set covers, strips setuid bits, keeps /bin/sh', () => {
    expect(debian).toMatch(/# The sidecar's derived capabilities for these tools: NET_RAW, SETGID, SETUID, SYS_PTRACE\./);
    expect(debian).toContain('case " NET_RAW SETGID SETUID SYS_PTRACE " in');
    expect(debian).toContain('find / -xdev -type f -perm /6000 -exec chmod ug-s {} +');
    expect(debian).toContain('test -x /bin/sh');
    expect(debian).toMatch(/^USER 0$/m);
  });

  test('a non-root default user when no tool needs root', () => {
    const curl = DebugImage.recipe({ tools: [DebugTool.CURL, DebugTool.DIG], family: ImageFamily.ALPINE });
    expect(curl).toMatch(/^FROM docker\.io\/library\/alpine:3\.20\.3$/m);
    expect(curl).toMatch(/^RUN apk add --no-cache bind-tools curl libcap-utils$/m);
    expect(curl).toContain('case " - " in');
    expect(curl).toMatch(/^USER 65534:65534$/m);
  });

  test('a custom base and a custom tool', () => {
    const pg = DebugTool.custom({ name: 'psql', packages: ['postgresql16-client'], debianPackages: ['postgresql-client'] });
    const text = DebugImage.recipe({ tools: [pg], family: ImageFamily.DEBIAN, baseImage: 'localhost/debian-base:12' });
    expect(text).toMatch(/^FROM localhost\/debian-base:12$/m);
    expect(text).toMatch(/install -y --no-install-recommends libcap2-bin postgresql-client \\$/m);
  });

  test('fails on a tool without packages for the family, and on no tools', () => {
    const mine = DebugTool.custom({ name: 'mine' });
    expect(() => DebugImage.recipe({ tools: [mine], family: ImageFamily.DEBIAN }))
      .toThrow(/'tools\[0\]' names no package for the debian family \(got "mine"\)\. Give the custom tool 'packages'/);
    expect(() => DebugImage.recipe({ tools: [], family: ImageFamily.DEBIAN })).toThrow(/'tools' must name at least one tool/);
    expect(() => DebugImage.recipe({ tools: [DebugTool.CURL] } as any)).toThrow(/'family' is required/);
  });
});

everyManifestPassesTheSchema();
