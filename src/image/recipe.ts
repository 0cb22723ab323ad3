// A Containerfile for a minimal debug image: exactly the tools' packages, on
// a pinned base of the family, with no setuid bit and no file capability
// beyond what the sidecar's derived capabilities cover.

import { fail } from '../errors';
import { optionalArray, optionalEnum, optionalInstance, optionalObject } from '../input';
import { RECIPE_KEYS } from '../option-keys';
import { ImageFamily } from './image-family';
import { checkImageReference } from './image-reference';
import { DebugImageRecipeOptions } from './recipe-options';
import { RecipeStyle } from './recipe-style';
import { DebugTool } from '../privileges/debug-tool';
import { derivePrivileges } from '../privileges/derive';

const BASES: Record<ImageFamily, string> = {
  [ImageFamily.DEBIAN]: 'docker.io/library/debian:12.8-slim',
  [ImageFamily.ALPINE]: 'docker.io/library/alpine:3.20.3',
};

/**
 * The minimal style's builder extras, and where its static shell and `sleep` come from. Debian's
 * busybox-static runs its own applets before PATH when it is the shell (ping, nslookup and nsenter
 * ran busybox's, measured; traceroute, ip and nc are applets too), so there the shell is mksh-static
 * and busybox gives `sleep` only. netbase brings /etc/services and /etc/protocols; musl-utils brings ldd.
 */
const MINIMAL_BUILDER: Record<ImageFamily, { packages: string[]; shell: string; busybox: string }> = {
  [ImageFamily.DEBIAN]: { packages: ['busybox-static', 'mksh', 'netbase'], shell: '/bin/mksh-static', busybox: '/bin/busybox' },
  [ImageFamily.ALPINE]: { packages: ['busybox-static', 'musl-utils'], shell: '/bin/busybox.static', busybox: '/bin/busybox.static' },
};

/** Where the builder stage assembles the minimal image's root filesystem. */
const ROOT = '/minimal';

/** The files every minimal image carries when the builder has them (name lookups, port and protocol names). */
const COMMON_FILES = ['/etc/nsswitch.conf', '/etc/host.conf', '/etc/services', '/etc/protocols'];

/** A program name, or an absolute path (shell wildcards allowed): written into the build script unquoted. */
const BINARY = /^(?:[A-Za-z0-9_][A-Za-z0-9_.+-]*|\/[A-Za-z0-9_.+*?\/-]+)$/;

/** The package that provides getcap/setcap, used to strip file capabilities. */
const LIBCAP_TOOLS: Record<ImageFamily, string> = {
  [ImageFamily.DEBIAN]: 'libcap2-bin',
  [ImageFamily.ALPINE]: 'libcap-utils',
};

function install(family: ImageFamily, packages: string[]): string {
  if (family === ImageFamily.DEBIAN) {
    return 'RUN apt-get update \\\n'
      + ` && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages.join(' ')} \\\n`
      // Not every base cleans apt's cache by itself (the official debian images do); 90 MB otherwise.
      + ' && apt-get clean && rm -rf /var/lib/apt/lists/*';
  }
  return `RUN apk add --no-cache ${packages.join(' ')}`;
}

/**
 * Strips every setuid/setgid bit, and every file capability that is not in
 * `allowed` (Kubernetes names). getcap prints `file cap_a,cap_b=ep` (libcap
 * 2.4x and later) or `file = cap_a,cap_b+ep` (older); both are handled.
 */
function hardening(allowed: string[], root = ''): string {
  const list = allowed.length > 0 ? allowed.join(' ') : '-';
  return `RUN find ${root || '/'} -xdev -type f -perm /6000 -exec chmod ug-s {} + \\\n`
    + ` && getcap -r ${root || '/usr /bin /sbin /lib'} 2>/dev/null | while read -r file rest; do \\\n`
    + "      caps=$(echo \"$rest\" | sed 's/^= //; s/[=+].*$//' | tr ',' ' '); keep=1; \\\n"
    + '      for c in $caps; do \\\n'
    + "        name=$(echo \"$c\" | sed 's/^cap_//' | tr '[:lower:]' '[:upper:]'); \\\n"
    + `        case " ${list} " in *" $name "*) ;; *) keep=0 ;; esac; \\\n`
    + '      done; \\\n'
    + '      [ "$keep" = 1 ] || setcap -r "$file"; \\\n'
    + '    done \\\n'
    + ` && test -x ${root}/bin/sh`;
}

/**
 * The builder's script that assembles the minimal root filesystem under ROOT: the merged-/usr links
 * of the base, each wanted path with every symlink on its way (so the alternatives and the loader's
 * names still resolve), the libraries `ldd` lists for every ELF file, the passwd and group entries of
 * root, of 65534 and of the users the packages added, the common files, a static shell as sh and a
 * static busybox as sleep.
 */
function assemble(wanted: string[], shell: string, busybox: string): string {
  // Each entry is one line of the RUN; those ending in do/then/else/{ take no ';'.
  const lines = [
    `set -eu; out=${ROOT}; mkdir -p "$out/etc" "$out/tmp"; chmod 1777 "$out/tmp"`,
    'for d in bin sbin lib lib32 lib64 libx32; do',
    '  if [ -L "/$d" ]; then t=$(realpath "/$d"); mkdir -p "$out$t"; ln -s "${t#/}" "$out/$d"; fi',
    'done',
    'put() {',
    '  p=$1',
    '  while :; do',
    '    d=$(realpath "$(dirname "$p")"); p="$d/$(basename "$p")"',
    '    if [ -e "$out$p" ] || [ -L "$out$p" ]; then return 0; fi',
    '    mkdir -p "$out$d"',
    '    if [ ! -L "$p" ]; then cp -pR "$p" "$out$p"; return 0; fi',
    '    l=$(readlink "$p"); ln -s "$l" "$out$p"',
    '    case "$l" in /*) p=$l ;; *) p="$d/$l" ;; esac',
    '  done',
    '}',
    `for w in ${wanted.join(' ')}; do`,
    '  case "$w" in /*) ;; *) p=$(command -v "$w") || { echo "minimal image: no program $w in the builder" >&2; exit 1; }; w=$p ;; esac',
    '  if [ ! -e "$w" ]; then echo "minimal image: $w is not in the builder" >&2; exit 1; fi',
    '  put "$w"',
    'done',
    `for f in ${COMMON_FILES.join(' ')}; do if [ -e "$f" ]; then put "$f"; fi; done`,
    'find "$out" -type f | sed "s|^$out||" > /tmp/files',
    'while read -r f; do',
    "  if [ \"$(od -An -tx1 -N4 \"$f\" | tr -d ' ')\" != 7f454c46 ]; then continue; fi",
    '  if ldd "$f" 2>/dev/null | grep -q "not found"; then echo "minimal image: $f needs a library the builder lacks:" >&2; ldd "$f" >&2; exit 1; fi',
    "  for l in $(ldd \"$f\" 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\\//) print $i }'); do put \"$l\"; done",
    'done < /tmp/files',
    "awk -F: 'NR == FNR { base[$1]; next } !($1 in base) || $3 == 0 || $3 == 65534' /tmp/passwd.base /etc/passwd > \"$out/etc/passwd\"",
    "awk -F: 'NR == FNR { base[$1]; next } !($1 in base) || $3 == 0 || $3 == 65534' /tmp/group.base /etc/group > \"$out/etc/group\"",
    `bin="$out$(realpath /bin)"; mkdir -p "$bin"; cp -p "$(realpath ${busybox})" "$bin/busybox"; ln -s busybox "$bin/sleep"`,
    shell === busybox ? 'ln -s busybox "$bin/sh"' : `cp -p "$(realpath ${shell})" "$bin/sh"`,
  ];
  const joined = lines.map((l, i) => {
    const last = i === lines.length - 1;
    const sep = last ? '' : /(?:\bdo|\bthen|\belse|\{)$/.test(l) ? ' \\' : '; \\';
    return `${i === 0 ? 'RUN ' : '    '}${l}${sep}`;
  });
  return joined.join('\n');
}

/** The Containerfile text for `DebugImage.recipe`. */
export function imageRecipe(options: DebugImageRecipeOptions): string {
  const optionsFix = 'Pass { tools: [DebugTool.TCPDUMP], family: ImageFamily.DEBIAN }.';
  if (optionalObject('options', options, optionsFix, RECIPE_KEYS) === undefined) fail('options', options, 'is not an object', optionsFix);
  const toolFix = 'Pass a list of DebugTool members, such as [DebugTool.TCPDUMP].';
  const tools = optionalArray('tools', options.tools, toolFix,
    (field, v) => optionalInstance(field, v, DebugTool, toolFix) ?? fail(field, v, 'is not a DebugTool', toolFix));
  if (tools === undefined || tools.length === 0) fail('tools', options.tools, 'must name at least one tool', toolFix);
  const family = optionalEnum('family', options.family, ImageFamily as unknown as Record<string, ImageFamily>, 'ImageFamily');
  if (family === undefined) fail('family', family, 'is required: package names differ per family', 'Pass ImageFamily.DEBIAN or ImageFamily.ALPINE.');
  const base = checkImageReference('baseImage', options.baseImage ?? BASES[family], BASES[family]);

  const packages = [...new Set(tools.flatMap(t => t.packagesIn(family)))];
  tools.forEach((t, i) => {
    if (t.packagesIn(family).length === 0) {
      fail(`tools[${i}]`, t.name, `names no package for the ${family} family`,
        'Give the custom tool \'packages\' (Alpine) and \'debianPackages\' (Debian).');
    }
  });
  const style = optionalEnum('style', options.style, RecipeStyle as unknown as Record<string, RecipeStyle>, 'RecipeStyle') ?? RecipeStyle.FULL;
  const privileges = derivePrivileges(tools, family, undefined, undefined);
  const user = privileges.runAsUser === 0 ? '0' : `${privileges.runAsUser}:${privileges.runAsUser}`;
  if (style === RecipeStyle.MINIMAL) return minimalRecipe(tools, family, base, packages, privileges.capabilities, user);
  return [
    `# Generated by cdk8s-debuggable: DebugImage.recipe for ${tools.map(t => t.name).join(', ')} (${family} family).`,
    `# The sidecar's derived capabilities for these tools: ${privileges.capabilities.join(', ') || 'none'}.`,
    `FROM ${base}`,
    install(family, [...packages, LIBCAP_TOOLS[family]].sort()),
    '# No setuid binary, and no file capability beyond the derived ones; /bin/sh stays for the keep-alive.',
    hardening(privileges.capabilities),
    privileges.runAsUser === 0 ? '# These tools need root (capabilities only take effect for user 0 in Kubernetes).' : '# No tool needs root.',
    `USER ${user}`,
    '',
  ].join('\n');
}

/** The minimal style: a builder stage on the family's base, and an image FROM scratch with what the tools need. */
function minimalRecipe(tools: DebugTool[], family: ImageFamily, base: string, packages: string[], capabilities: string[], user: string): string {
  const wanted: string[] = [];
  tools.forEach((t, i) => {
    const binaries = t.binariesIn(family);
    if (binaries.length === 0) {
      fail(`tools[${i}]`, t.name, `declares no binaries for the ${family} family, which RecipeStyle.MINIMAL needs`,
        "Give the custom tool 'binaries' (any family), or 'alpineBinaries' / 'debianBinaries', such as ['psql']; or use RecipeStyle.FULL.");
    }
    binaries.forEach((b, j) => {
      if (!BINARY.test(b)) {
        fail(`tools[${i}] (${t.name}) binaries[${j}]`, b, 'is neither a program name nor an absolute path',
          "Name a program on the builder's PATH ('psql') or an absolute path ('/usr/share/nmap', wildcards allowed); no spaces or quotes.");
      }
    });
    for (const b of binaries) if (!wanted.includes(b)) wanted.push(b);
  });
  const builder = MINIMAL_BUILDER[family];
  const familyName = `ImageFamily.${family.toUpperCase()}`;
  return [
    `# Generated by cdk8s-debuggable: DebugImage.recipe (minimal style) for ${tools.map(t => t.name).join(', ')} (${family} family).`,
    `# The image holds the ${family} builder's binaries, so it is of the ${family} family: use it as`,
    `# DebugImage.of('<registry>/<name>:<tag>', ${familyName}). The sidecar's derived capabilities for these tools`,
    `# in that family: ${capabilities.join(', ') || 'none'}.`,
    `FROM ${base} AS builder`,
    'RUN cp /etc/passwd /tmp/passwd.base && cp /etc/group /tmp/group.base',
    install(family, [...new Set([...packages, ...builder.packages, LIBCAP_TOOLS[family]])].sort()),
    `# ${ROOT} gets the tools' files, the libraries the loader lists for them, a few /etc files, a static sh and sleep.`,
    assemble(wanted, builder.shell, builder.busybox),
    '# No setuid binary, and no file capability beyond the derived ones (copies carry none).',
    hardening(capabilities, ROOT),
    '',
    'FROM scratch',
    `LABEL io.github.cdk8s-debuggable.image-family="${family}"`,
    `COPY --from=builder ${ROOT}/ /`,
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    user === '0' ? '# These tools need root (capabilities only take effect for user 0 in Kubernetes).' : '# No tool needs root.',
    `USER ${user}`,
    'CMD ["/bin/sh"]',
    '',
  ].join('\n');
}
