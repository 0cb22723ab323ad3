import { Testing } from 'cdk8s';
import { DebuggableDeployment, DebugImage, DebugOptions, DebugTool, DebugWarnings, ImageFamily, RecipeStyle } from '../src';
import { containerNamed, everyManifestPassesTheSchema, only, podSpecOf, synth } from './support/manifests';
import { repositoryOf } from '../src/image/image-reference';

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

  test('a family that agrees with a known image is taken; the image reads as its reference', () => {
    expect(DebugImage.of('debian:12', ImageFamily.DEBIAN).family).toBe(ImageFamily.DEBIAN);
    expect(DebugImage.of('nicolaka/netshoot:v0.14', ImageFamily.ALPINE).family).toBe(ImageFamily.ALPINE);
    expect(`${DebugImage.of('registry.example.com/team/debug:1.4')}`).toBe('registry.example.com/team/debug:1.4');
  });

  test.each<[string, unknown]>([
    ['an uppercase repository', 'registry.example.com/team/Debug:1.4'],
    ['a number (from JavaScript)', 42],
    ['a reference of 256 characters', `registry.example.com/${'a'.repeat(233)}:1`],
  ])('fails on %s, with the grammar and an example', (_case, reference) => {
    expect(() => DebugImage.of(reference as string)).toThrow(new Error(`'image' is not a valid image reference (got ${JSON.stringify(reference)}). `
      + "Use [registry/]repository:tag or ...@sha256:digest with a lowercase repository, for example 'registry.example.com/team/debug:1.4'."));
  });

  test('a reference of 255 characters is valid (the registries\' limit)', () => {
    const reference = `registry.example.com/${'a'.repeat(232)}:1`;
    expect(reference).toHaveLength(255);
    expect(DebugImage.of(reference).reference).toBe(reference);
  });

  test.each<[string, boolean]>([
    ['localhost:5000/team/debug', true], // the registry's port is not a tag
    ['debian:latest', true],
    ['localhost:5000/team/debug:1', false],
    [`debian:latest@sha256:${'b'.repeat(64)}`, false], // a digest pins it, whatever the tag says
  ])('a mutable tag is a warning: %s -> %s', (reference, warned) => {
    const { warnings } = sidecar({ image: DebugImage.of(reference, ImageFamily.DEBIAN), tools: [DebugTool.CURL] });
    expect(warnings).toEqual(warned ? [`test/web/Resource: 'debug.image' uses a mutable tag (latest or none): the sidecar can change under you between two Pod starts (got "${reference}"). Pin a version tag or a digest.`] : []);
  });

  test.each([
    ['debian:12', 'docker.io/library/debian'],
    ['my.debian:1', 'docker.io/library/my.debian'], // a dot makes a registry only before a slash
    ['team/debug:1', 'docker.io/team/debug'],
    ['localhost/debian:12', 'localhost/debian'],
    ['localhost:5000/debug', 'localhost:5000/debug'],
    ['registry.example.com:5000/team/debug:1.4', 'registry.example.com:5000/team/debug'],
    ['index.docker.io/library/alpine:3.20', 'docker.io/library/alpine'],
    [`team/debug@sha256:${'b'.repeat(64)}`, 'docker.io/team/debug'],
  ])('the repository of %s, as Docker normalizes it: %s', (reference, repository) => {
    expect(repositoryOf(reference)).toBe(repository);
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
    expect(dep.debug.image.family).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(
      /^test\/web\/Resource: 'debug.image' is of an unknown family, so the sidecar gets NET_ADMIN, NET_RAW, SETGID, SETUID, what its tools need in every family .*Name the family to narrow them: DebugImage\.of\('registry\.example\.com\/team\/debug:1\.4', ImageFamily\.ALPINE\) or DebugImage\.of\(\.\.\., ImageFamily\.DEBIAN\)/)]);
  });

  test('an image of unknown family gets no warning when its tools need the same in every family (naming it would change nothing)', () => {
    const { container, warnings } = sidecar({ image: DebugImage.of('registry.example.com/team/debug:1.4'), tools: [DebugTool.STRACE, DebugTool.CURL] });
    expect(container.securityContext.capabilities.add).toEqual(['SYS_PTRACE']);
    expect(warnings).toEqual([]);
  });

  test('naming the family narrows the union', () => {
    const { container, warnings } = sidecar({ image: DebugImage.of('registry.example.com/team/debug:1.4', ImageFamily.ALPINE), tools: [DebugTool.TCPDUMP] });
    expect(container.securityContext.capabilities.add).toEqual(['NET_RAW']);
    expect(warnings).toEqual([]);
  });
});

describe('DebugImage.recipe: a minimal image for exactly the tools', () => {
  // Written inside each test, not once for the describe block: Stryker's per-test coverage counts
  // only what a test runs, so a recipe written at load time would test no mutant.
  const debian = () => DebugImage.recipe({ tools: [DebugTool.TCPDUMP, DebugTool.STRACE, DebugTool.DIG], family: ImageFamily.DEBIAN });

  test('installs exactly the tools\' Debian packages (and getcap/setcap) on the pinned base', () => {
    expect(debian()).toMatch(/^FROM docker\.io\/library\/debian:12\.8-slim$/m);
    expect(debian()).toMatch(/apt-get install -y --no-install-recommends bind9-dnsutils libcap2-bin strace tcpdump \\$/m);
  });

  test('keeps only the file capabilities the derived set covers, strips setuid bits, keeps /bin/sh', () => {
    expect(debian()).toMatch(/# The sidecar's derived capabilities for these tools: NET_RAW, SETGID, SETUID, SYS_PTRACE\./);
    expect(debian()).toContain('case " NET_RAW SETGID SETUID SYS_PTRACE " in');
    expect(debian()).toContain('find / -xdev -type f -perm /6000 -exec chmod ug-s {} +');
    expect(debian()).toContain('test -x /bin/sh');
    expect(debian()).toMatch(/^USER 0$/m);
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

  test('the full style is the default, and RecipeStyle.FULL writes the same text', () => {
    const options = { tools: [DebugTool.TCPDUMP, DebugTool.STRACE, DebugTool.DIG], family: ImageFamily.DEBIAN };
    expect(DebugImage.recipe({ ...options, style: RecipeStyle.FULL })).toBe(debian());
    expect(debian()).not.toMatch(/FROM scratch/);
    expect(debian().match(/^FROM /gm)).toHaveLength(1);
  });

  test('the header names the tools, the family and the derived capabilities (none when none)', () => {
    expect(debian().split('\n').slice(0, 2)).toEqual([
      '# Generated by cdk8s-debuggable: DebugImage.recipe for tcpdump, strace, dig (debian family).',
      "# The sidecar's derived capabilities for these tools: NET_RAW, SETGID, SETUID, SYS_PTRACE.",
    ]);
    expect(DebugImage.recipe({ tools: [DebugTool.CURL, DebugTool.DIG], family: ImageFamily.ALPINE }))
      .toMatch(/^# The sidecar's derived capabilities for these tools: none\.$/m);
  });

  test('comments say why: before the hardening step, and before USER whether the tools need root', () => {
    const lineBefore = (text: string, line: RegExp) => text.split('\n')[text.split('\n').findIndex(l => line.test(l)) - 1];
    expect(lineBefore(debian(), /^RUN find /)).toBe('# No setuid binary, and no file capability beyond the derived ones; /bin/sh stays for the keep-alive.');
    expect(lineBefore(debian(), /^USER /)).toBe('# These tools need root (capabilities only take effect for user 0 in Kubernetes).');
    expect(lineBefore(DebugImage.recipe({ tools: [DebugTool.DIG], family: ImageFamily.DEBIAN }), /^USER /)).toBe('# No tool needs root.');
  });

  test.each<[string, () => unknown, string]>([
    ['no options', () => DebugImage.recipe(undefined as any),
      "'options' is not an object (got undefined). Pass { tools: [DebugTool.TCPDUMP], family: ImageFamily.DEBIAN }."],
    ['no tools', () => DebugImage.recipe({ family: ImageFamily.DEBIAN } as any),
      "'tools' must name at least one tool (got undefined). Pass a list of DebugTool members, such as [DebugTool.TCPDUMP]."],
    ['a tool name for a list', () => DebugImage.recipe({ tools: 'tcpdump' as any, family: ImageFamily.DEBIAN }),
      '\'tools\' is not a list (got "tcpdump"). Pass a list of DebugTool members, such as [DebugTool.TCPDUMP].'],
    ['a tool name for a tool', () => DebugImage.recipe({ tools: ['tcpdump' as any], family: ImageFamily.DEBIAN }),
      '\'tools[0]\' is not a DebugTool (got "tcpdump"). Pass a list of DebugTool members, such as [DebugTool.TCPDUMP].'],
    ['a hole in the list', () => DebugImage.recipe({ tools: [undefined as any], family: ImageFamily.DEBIAN }),
      "'tools[0]' is not a DebugTool (got undefined). Pass a list of DebugTool members, such as [DebugTool.TCPDUMP]."],
    ['no family', () => DebugImage.recipe({ tools: [DebugTool.CURL] } as any),
      "'family' is required: package names differ per family (got undefined). Pass ImageFamily.DEBIAN or ImageFamily.ALPINE."],
    ['a family the library does not know', () => DebugImage.recipe({ tools: [DebugTool.CURL], family: 'fedora' as ImageFamily }),
      '\'family\' is not an ImageFamily (got "fedora"). Use one of ImageFamily.ALPINE, ImageFamily.DEBIAN.'],
    ['an uppercase base image', () => DebugImage.recipe({ tools: [DebugTool.CURL], family: ImageFamily.DEBIAN, baseImage: 'Debian:12' }),
      '\'baseImage\' is not a valid image reference (got "Debian:12"). Use [registry/]repository:tag or ...@sha256:digest with a lowercase repository, for example \'docker.io/library/debian:12.8-slim\'.'],
  ])('fails on %s, with a message that says what to pass', (_case, call, message) => {
    expect(call).toThrow(new Error(message));
  });

  test("Debian's curl gets the CA certificates (with --no-install-recommends it would have none)", () => {
    expect(DebugImage.recipe({ tools: [DebugTool.CURL], family: ImageFamily.DEBIAN }))
      .toMatch(/--no-install-recommends ca-certificates curl libcap2-bin \\$/m);
  });
});

describe('DebugImage.recipe with RecipeStyle.MINIMAL: the tools\' files FROM scratch', () => {
  const SEED = [DebugTool.TCPDUMP, DebugTool.STRACE, DebugTool.DIG];
  // Inside each test (see above): Stryker's per-test coverage.
  const minimalText = () => DebugImage.recipe({ tools: SEED, family: ImageFamily.DEBIAN, style: RecipeStyle.MINIMAL });
  const minimalStages = () => minimalText().split(/^(?=FROM )/m);

  test('two stages: a builder on the family\'s pinned base, and the image FROM scratch', () => {
    const minimal = minimalText();
    const stages = minimal.split(/^(?=FROM )/m);
    expect(minimal.match(/^FROM .*$/gm)).toEqual(['FROM docker.io/library/debian:12.8-slim AS builder', 'FROM scratch']);
    expect(stages).toHaveLength(3); // the header comment, the builder, the image
    expect(stages[2]).toMatch(/^COPY --from=builder \/minimal\/ \/$/m);
    // The image stage runs nothing: no RUN, so no shell or package manager of the base is needed there.
    expect(stages[2]).not.toMatch(/^RUN /m);
    expect(stages[2].match(/^COPY /gm)).toHaveLength(1);
  });

  test('the header says the family, and so the capabilities, are the builder\'s', () => {
    const stages = minimalStages();
    expect(stages[0]).toBe([
      '# Generated by cdk8s-debuggable: DebugImage.recipe (minimal style) for tcpdump, strace, dig (debian family).',
      "# The image holds the debian builder's binaries, so it is of the debian family: use it as",
      "# DebugImage.of('<registry>/<name>:<tag>', ImageFamily.DEBIAN). The sidecar's derived capabilities for these tools",
      '# in that family: NET_RAW, SETGID, SETUID, SYS_PTRACE.',
      '',
    ].join('\n'));
    expect(stages[2]).toMatch(/^LABEL io\.github\.cdk8s-debuggable\.image-family="debian"$/m);
  });

  test('the builder installs the tools\' packages, a static shell and busybox, netbase, and getcap', () => {
    const stages = minimalStages();
    expect(stages[1]).toMatch(/^RUN cp \/etc\/passwd \/tmp\/passwd\.base && cp \/etc\/group \/tmp\/group\.base$/m);
    expect(stages[1]).toMatch(/--no-install-recommends bind9-dnsutils busybox-static libcap2-bin mksh netbase strace tcpdump \\$/m);
  });

  // What the builder's scripts do (copy the programs, their libraries and links, write /etc,
  // strip setuid bits and capabilities) is run, not read, in test/image-recipe-shell.test.ts.
  test('copies each declared binary, in the order the tools declare them, each once', () => {
    expect(minimalStages()[1]).toMatch(/^ {4}for w in tcpdump strace dig nslookup host; do \\$/m);
    const curl = DebugImage.recipe({ tools: [DebugTool.CURL], family: ImageFamily.DEBIAN, style: RecipeStyle.MINIMAL });
    expect(curl).toMatch(/for w in curl \/etc\/ssl\/certs\/ca-certificates\.crt; do/);
    const dumper = DebugTool.custom({ name: 'dumper', packages: ['tcpdump'], binaries: ['tcpdump', '/usr/share/doc/tcpdump'] });
    expect(DebugImage.recipe({ tools: [DebugTool.TCPDUMP, dumper], family: ImageFamily.DEBIAN, style: RecipeStyle.MINIMAL }))
      .toMatch(/for w in tcpdump \/usr\/share\/doc\/tcpdump; do/);
  });

  test('comments say why: before the copy step, the hardening step, and USER', () => {
    const lines = minimalText().split('\n');
    const lineBefore = (line: RegExp) => lines[lines.findIndex(l => line.test(l)) - 1];
    expect(lineBefore(/^RUN set -eu; /)).toBe("# /minimal gets the tools' files, the libraries the loader lists for them, a few /etc files, a static sh and sleep.");
    expect(lineBefore(/^RUN find /)).toBe('# No setuid binary, and no file capability beyond the derived ones (copies carry none).');
    expect(lineBefore(/^USER /)).toBe('# These tools need root (capabilities only take effect for user 0 in Kubernetes).');
    const dig = DebugImage.recipe({ tools: [DebugTool.DIG], family: ImageFamily.DEBIAN, style: RecipeStyle.MINIMAL }).split('\n');
    expect(dig[dig.findIndex(l => l.startsWith('USER '))]).toBe('USER 65534:65534');
    expect(dig[dig.findIndex(l => l.startsWith('USER ')) - 1]).toBe('# No tool needs root.');
  });

  test('a static shell for the keep-alive: mksh-static as sh, busybox as sleep (Debian)', () => {
    const stages = minimalStages();
    expect(stages[1]).toContain('cp -p "$(realpath /bin/busybox)" "$bin/busybox"; ln -s busybox "$bin/sleep"');
    expect(stages[1]).toContain('cp -p "$(realpath /bin/mksh-static)" "$bin/sh"');
    expect(stages[2]).toMatch(/^ENV PATH=\/usr\/local\/sbin:\/usr\/local\/bin:\/usr\/sbin:\/usr\/bin:\/sbin:\/bin$/m);
    expect(stages[2]).toMatch(/^CMD \["\/bin\/sh"\]$/m);
  });

  test('no file capability beyond the derived ones: the list the hardening step keeps', () => {
    expect(minimalStages()[1]).toContain('case " NET_RAW SETGID SETUID SYS_PTRACE " in');
  });

  test('USER as derived: 0 when a tool needs capabilities, 65534 otherwise', () => {
    const stages = minimalStages();
    expect(stages[2]).toMatch(/^USER 0$/m);
    const dig = DebugImage.recipe({ tools: [DebugTool.DIG], family: ImageFamily.DEBIAN, style: RecipeStyle.MINIMAL });
    expect(dig).toMatch(/^USER 65534:65534$/m);
    expect(dig).toMatch(/^# in that family: none\.$/m);
  });

  test('the Alpine family: apk, busybox.static as sh and sleep, the Alpine paths of a tool', () => {
    const alpine = DebugImage.recipe({ tools: [DebugTool.TSHARK], family: ImageFamily.ALPINE, style: RecipeStyle.MINIMAL });
    expect(alpine).toMatch(/^FROM docker\.io\/library\/alpine:3\.20\.3 AS builder$/m);
    expect(alpine).toMatch(/^RUN apk add --no-cache busybox-static libcap-utils musl-utils tshark$/m);
    expect(alpine).toMatch(/for w in tshark dumpcap \/usr\/lib\/wireshark \/usr\/share\/wireshark; do/);
    expect(alpine).toContain('cp -p "$(realpath /bin/busybox.static)" "$bin/busybox"; ln -s busybox "$bin/sleep"');
    expect(alpine).toContain('ln -s busybox "$bin/sh"');
    expect(alpine).toContain('case " NET_ADMIN NET_RAW " in');
    expect(alpine).toContain("DebugImage.of('<registry>/<name>:<tag>', ImageFamily.ALPINE)");
  });

  test('every built-in tool declares its binaries in both families', () => {
    const builtIn = Object.values(DebugTool).filter((t): t is DebugTool => t instanceof DebugTool);
    expect(builtIn.length).toBeGreaterThanOrEqual(12);
    for (const family of [ImageFamily.DEBIAN, ImageFamily.ALPINE]) {
      for (const t of builtIn) {
        expect({ tool: t.name, family, declared: t.binariesIn(family).length > 0 }).toEqual({ tool: t.name, family, declared: true });
      }
    }
    expect(DebugTool.TCPDUMP.binariesIn(ImageFamily.DEBIAN)).toEqual(['tcpdump']);
    expect(DebugTool.IPTABLES.binariesIn(ImageFamily.DEBIAN)).toContain('/usr/lib/*-linux-gnu/xtables');
    expect(DebugTool.IPTABLES.binariesIn(ImageFamily.ALPINE)).toContain('/usr/lib/xtables');
  });

  test('a custom tool with binaries (per family or for any), and wildcards in paths', () => {
    const pg = DebugTool.custom({ name: 'psql', packages: ['postgresql16-client'], debianPackages: ['postgresql-client'], binaries: ['psql'], debianBinaries: ['psql', '/usr/share/postgresql-common'] });
    expect(pg.binariesIn(ImageFamily.ALPINE)).toEqual(['psql']);
    const text = DebugImage.recipe({ tools: [pg, DebugTool.STRACE], family: ImageFamily.DEBIAN, baseImage: 'localhost/debian-base:12', style: RecipeStyle.MINIMAL });
    expect(text).toMatch(/^FROM localhost\/debian-base:12 AS builder$/m);
    expect(text).toMatch(/for w in psql \/usr\/share\/postgresql-common strace; do/);
    const xt = DebugTool.custom({ name: 'xt', packages: ['iptables'], binaries: ['/usr/lib/*-linux-gnu/xtables', 'xtables-nft-multi'] });
    expect(DebugImage.recipe({ tools: [xt], family: ImageFamily.DEBIAN, style: RecipeStyle.MINIMAL }))
      .toMatch(/for w in \/usr\/lib\/\*-linux-gnu\/xtables xtables-nft-multi; do/);
  });

  test('a custom tool without binaries is a clear error for the minimal style; the full style still builds it', () => {
    const pg = DebugTool.custom({ name: 'psql', debianPackages: ['postgresql-client'] });
    expect(() => DebugImage.recipe({ tools: [DebugTool.TCPDUMP, pg], family: ImageFamily.DEBIAN, style: RecipeStyle.MINIMAL }))
      .toThrow(/'tools\[1\]' declares no binaries for the debian family, which RecipeStyle\.MINIMAL needs \(got "psql"\)\. Give the custom tool 'binaries' \(any family\), or 'alpineBinaries' \/ 'debianBinaries', such as \['psql'\]; or use RecipeStyle\.FULL\./);
    expect(DebugImage.recipe({ tools: [DebugTool.TCPDUMP, pg], family: ImageFamily.DEBIAN })).toMatch(/postgresql-client tcpdump \\$/m);
    // Declared for Alpine only: still an error for a Debian image.
    const alpineOnly = DebugTool.custom({ name: 'psql', packages: ['postgresql-client'], alpineBinaries: ['psql'] });
    expect(() => DebugImage.recipe({ tools: [alpineOnly], family: ImageFamily.DEBIAN, style: RecipeStyle.MINIMAL })).toThrow(/declares no binaries for the debian family/);
  });

  test('fails on a binary that could break out of the build script, and on a style that is not a RecipeStyle', () => {
    for (const bad of ['psql; rm -rf /', 'bin/psql', '$(id)', '/usr/bin/ps ql', "'psql'", '']) {
      const t = DebugTool.custom({ name: 'x', packages: ['x'], binaries: [bad] });
      expect(() => DebugImage.recipe({ tools: [t], family: ImageFamily.DEBIAN, style: RecipeStyle.MINIMAL }))
        .toThrow(new Error(`'tools[0] (x) binaries[0]' is neither a program name nor an absolute path (got ${JSON.stringify(bad)}). `
          + "Name a program on the builder's PATH ('psql') or an absolute path ('/usr/share/nmap', wildcards allowed); no spaces or quotes."));
    }
    expect(() => DebugTool.custom({ name: 'x', binaries: [42 as any] })).toThrow(/'props\.binaries\[0\]' is not a string/);
    expect(() => DebugImage.recipe({ tools: [DebugTool.CURL], family: ImageFamily.DEBIAN, style: 'tiny' as RecipeStyle }))
      .toThrow(/'style' is not a RecipeStyle \(got "tiny"\)\. Use one of RecipeStyle\.FULL, RecipeStyle\.MINIMAL\./);
  });
});

everyManifestPassesTheSchema();
