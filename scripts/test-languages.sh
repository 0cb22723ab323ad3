#!/usr/bin/env bash
# Proves the library works in the jsii languages: builds the Python, Java and Go
# packages with jsii-pacmak (into dist/<lang>, as projen's package:<lang>), runs
# the seed example ported to each language (languages/<lang>) on the package
# just built, and checks that its manifests are byte-identical to the
# TypeScript example's (examples/seed/main.ts), debug off and debug on.
#
#   bash scripts/test-languages.sh [python] [java] [go]    (default: all three)
#
# A language whose toolchain is missing is skipped with a message, and is a
# failure under CI=true. Caches (gitignored, under .tools/languages/): the
# Python venv, the Maven local repository, and the cdk8s / cdk8s-plus-27
# bindings generated from node_modules; the Go module cache is machine-wide.
#
# Why cdk8s and cdk8s-plus-27 are generated here rather than downloaded: the
# registries this project reaches do not serve them for Java and Go. Maven
# Central has org.cdk8s:cdk8s up to 2.70.47 only and no org.cdk8s:cdk8s-plus-27;
# the Go module proxy answers 403 "not available" for
# github.com/cdk8s-team/cdk8s-core-go and cdk8s-plus-go. jsii-pacmak builds
# them from the very npm packages the TypeScript side uses (same versions).
# PyPI serves them, so Python installs them from PyPI.
#
# The last line is "languages: N passed, M failed, K skipped"; the exit code
# is non-zero when M > 0.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE=.tools/languages
OUT=$CACHE/out
export CDK8S_CHECK_UPGRADE=false
export PYTHONDONTWRITEBYTECODE=1
unset CDK8S_DEBUG CDK8S_ENVIRONMENT CDK8S_OUTDIR
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="$(node -p 'process.versions.node.split(".")[0]')"

LANGS=("$@")
[ ${#LANGS[@]} -gt 0 ] || LANGS=(python java go)
for lang in "${LANGS[@]}"; do
  case $lang in python|java|go) ;; *) echo "test-languages: unknown language '$lang' (python, java, go)" >&2; exit 2 ;; esac
done

SECONDS=0
TIMES=()
passed=0 failed=0 skipped=0
RESULTS=()

# step NAME COMMAND...: runs COMMAND with its output in $OUT/logs/NAME.log,
# records its duration; on failure prints the log's tail and returns 1.
# (COMMAND runs in an `if`, where bash ignores set -e: the functions below
# chain their commands with && or return on the first failure.)
step() {
  local name=$1; shift
  local log="$OUT/logs/$name.log" start=$SECONDS
  printf '  %-28s ' "$name"
  if "$@" >"$log" 2>&1; then
    printf 'ok   %4ss\n' $((SECONDS - start))
    TIMES+=("$name $((SECONDS - start))s")
  else
    printf 'FAIL %4ss (log: %s)\n' $((SECONDS - start)) "$log"
    TIMES+=("$name $((SECONDS - start))s FAILED")
    grep -v '^!!' "$log" | tail -25 | sed 's/^/    | /'
    return 1
  fi
}
pass() { passed=$((passed + 1)); RESULTS+=("$1: passed"); echo "$1: PASSED"; }
fail() { failed=$((failed + 1)); RESULTS+=("$1: FAILED ($2)"); echo "$1: FAILED: $2"; }
skip() {
  if [ "${CI:-}" = true ]; then
    fail "$1" "$2 (CI=true: a missing toolchain is a failure)"
  else
    skipped=$((skipped + 1)); RESULTS+=("$1: skipped ($2)"); echo "$1: SKIPPED: $2"
  fi
}

# Versions: the npm packages are the source of truth for every language.
npmver() { node -p "require('./node_modules/$1/package.json').version"; }
LIB_VERSION=$(node -p "require('./package.json').version")
CDK8S_VERSION=$(npmver cdk8s)
KPLUS_VERSION=$(npmver cdk8s-plus-27)
CONSTRUCTS_VERSION=$(npmver constructs)
PACMAK_VERSION=$(npmver jsii-pacmak)   # the jsii runtime version the generated code targets
DEPS_STAMP="cdk8s@$CDK8S_VERSION cdk8s-plus-27@$KPLUS_VERSION jsii-pacmak@$PACMAK_VERSION"

mkdir -p "$OUT/logs"
# Keep every cache here out of `npm pack`, hence out of every jsii package
# (jsii-pacmak bundles the npm tarball into the wheel, the jar and the Go module).
printf '# language caches: never in npm pack (so never in a jsii package)\n*\n' > "$CACHE/.npmignore"

# missing_LANG: prints what is missing for LANG, or nothing.
missing_python() {
  command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' 2>/dev/null ||
    echo "python3 with venv and ensurepip is missing (apt-get install python3 python3-venv)"
}
missing_java() {
  local tool
  for tool in java javac mvn; do
    command -v $tool >/dev/null || { echo "$tool is missing (apt-get install openjdk-17-jdk-headless maven)"; return; }
  done
}
missing_go() {
  command -v go >/dev/null || echo "go is missing (apt-get install golang-go, Go 1.25 or later)"
}
RUN=()
for lang in "${LANGS[@]}"; do
  why=$("missing_$lang")
  if [ -n "$why" ]; then skip "$lang" "$why"; else RUN+=("$lang"); fi
done
if [ ${#RUN[@]} -eq 0 ]; then
  echo "languages: $passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ]; exit
fi

echo "test-languages: ${RUN[*]} (node $(node --version), jsii-pacmak $PACMAK_VERSION, cdk8s $CDK8S_VERSION, cdk8s-plus-27 $KPLUS_VERSION, constructs $CONSTRUCTS_VERSION)"

# ---------------------------------------------------------------- reference
# The library compiled (lib/, .jsii); the README snippets translated into
# .jsii.tabl.json, which jsii-pacmak uses for the packages' READMEs (without
# it they show TypeScript under a python/java/go heading; not --strict here:
# that the snippets compile is post-compile's job); and the TypeScript example,
# synthesized in-process as `cdk8s synth` would.
reference() {
  local mode
  for mode in off on; do
    rm -rf "$OUT/ts/debug-$mode"
    CDK8S_DEBUG=$([ $mode = on ] && echo true || echo false) CDK8S_OUTDIR="$ROOT/$OUT/ts/debug-$mode" \
      npx ts-node --project examples/tsconfig.json examples/seed/main.ts || return 1
    test -s "$OUT/ts/debug-$mode/seed.k8s.yaml" || return 1
  done
}
echo "build:"
if ! step compile npx jsii --silence-warnings=reserved-word \
  || ! step rosetta-extract npx jsii-rosetta extract \
  || ! step ts-reference reference; then
  echo "test-languages: the TypeScript build or reference failed; no language can be checked" >&2
  for lang in "${RUN[@]}"; do fail "$lang" "build failed"; done
  echo "languages: $passed passed, $failed failed, $skipped skipped"
  exit 1
fi

# compare LANG: the language's manifests against the TypeScript ones.
compare() {
  local lang=$1 mode ok=0
  for mode in off on; do
    if cmp -s "$OUT/ts/debug-$mode/seed.k8s.yaml" "$OUT/$lang/debug-$mode/seed.k8s.yaml"; then
      echo "  debug-$mode: identical to TypeScript ($(grep -c '^kind:' "$OUT/ts/debug-$mode/seed.k8s.yaml") objects, $(wc -c <"$OUT/ts/debug-$mode/seed.k8s.yaml") bytes)"
    else
      echo "  debug-$mode: DIFFERS from TypeScript:"
      diff -u "$OUT/ts/debug-$mode/seed.k8s.yaml" "$OUT/$lang/debug-$mode/seed.k8s.yaml" | head -40 | sed 's/^/    /' || true
      ok=1
    fi
  done
  return $ok
}

# synth LANG COMMAND...: runs the language's app twice, debug off and on.
synth() {
  local lang=$1 mode; shift
  for mode in off on; do
    rm -rf "$OUT/$lang/debug-$mode"
    CDK8S_DEBUG=$([ $mode = on ] && echo true || echo false) CDK8S_OUTDIR="$ROOT/$OUT/$lang/debug-$mode" "$@" || return 1
    test -s "$OUT/$lang/debug-$mode/seed.k8s.yaml" || return 1
  done
}

# ------------------------------------------------------------------- python
python_venv() {
  local venv=$CACHE/py-venv
  local stamp="$(python3 --version) $DEPS_STAMP constructs@$CONSTRUCTS_VERSION"
  if [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$venv" &&
      python3 -m venv "$venv" &&
      "$venv/bin/pip" install --disable-pip-version-check -q \
        "cdk8s==$CDK8S_VERSION" "cdk8s-plus-27==$KPLUS_VERSION" "constructs==$CONSTRUCTS_VERSION" "jsii==$PACMAK_VERSION" &&
      echo "$stamp" > "$venv/.stamp" || return 1
  fi
  # the wheel just built, never a cached one; its dependencies are pinned above
  local wheel
  wheel=$(ls -t dist/python/cdk8s_debuggable-*-py3-none-any.whl | head -1) &&
    "$venv/bin/pip" install --disable-pip-version-check -q --no-deps --force-reinstall "$wheel" &&
    "$venv/bin/pip" check
}
test_python() {
  step python-package npx jsii-pacmak -v --target python || { fail python "jsii-pacmak --target python"; return; }
  step python-venv python_venv || { fail python "venv with the wheel and cdk8s from PyPI"; return; }
  step python-synth synth python "$CACHE/py-venv/bin/python" languages/python/main.py || { fail python "languages/python/main.py"; return; }
  if compare python; then pass python; else fail python "manifests differ from TypeScript"; fi
}

# --------------------------------------------------------------------- java
M2=$ROOT/$CACHE/m2
mvn_() { mvn -B -q -Dmaven.repo.local="$M2" "$@"; }
install_jar() { # $1 = .../name-version: installs name-version.jar with name-version.pom
  mvn_ install:install-file -Dfile="$1.jar" -DpomFile="$1.pom"
}
java_deps() {
  local deps=$CACHE/deps/java
  if [ "$(cat "$deps/.stamp" 2>/dev/null)" != "$DEPS_STAMP" ]; then
    rm -rf "$deps" &&
      npx jsii-pacmak -v --target java --no-npmignore --maven-local-repository "$M2" -o "$CACHE/deps" \
        node_modules/cdk8s node_modules/cdk8s-plus-27 &&
      echo "$DEPS_STAMP" > "$deps/.stamp" || return 1
  fi
  local a
  for a in "cdk8s/$CDK8S_VERSION/cdk8s-$CDK8S_VERSION" "cdk8s-plus-27/$KPLUS_VERSION/cdk8s-plus-27-$KPLUS_VERSION"; do
    cmp -s "$deps/org/cdk8s/$a.jar" "$M2/org/cdk8s/$a.jar" || install_jar "$deps/org/cdk8s/$a" || return 1
  done
}
java_build() {
  install_jar "dist/java/dev/cdk8s-debuggable/cdk8s-debuggable/$LIB_VERSION/cdk8s-debuggable-$LIB_VERSION" &&
    (cd languages/java && mvn_ compile dependency:build-classpath \
    -Dcdk8s-debuggable.version="$LIB_VERSION" -Dcdk8s.version="$CDK8S_VERSION" -Dcdk8s-plus-27.version="$KPLUS_VERSION" \
    -Dconstructs.version="$CONSTRUCTS_VERSION" -Djsii-runtime.version="$PACMAK_VERSION" \
    -Dmdep.outputFile="$ROOT/$CACHE/java-target/classpath.txt")
}
test_java() {
  step java-deps java_deps || { fail java "cdk8s / cdk8s-plus-27 jars from node_modules"; return; }
  step java-package npx jsii-pacmak -v --target java --maven-local-repository "$M2" || { fail java "jsii-pacmak --target java"; return; }
  step java-compile java_build || { fail java "languages/java against the new jar"; return; }
  step java-synth synth java java -cp "$CACHE/java-target/classes:$(cat "$CACHE/java-target/classpath.txt")" seed.Main \
    || { fail java "languages/java seed.Main"; return; }
  if compare java; then pass java; else fail java "manifests differ from TypeScript"; fi
}

# ----------------------------------------------------------------------- go
go_deps() {
  local deps=$CACHE/deps/go
  if [ "$(cat "$deps/.stamp" 2>/dev/null)" != "$DEPS_STAMP" ]; then
    rm -rf "$deps" &&
      npx jsii-pacmak -v --target go --no-npmignore -o "$CACHE/deps" node_modules/cdk8s node_modules/cdk8s-plus-27 &&
      echo "$DEPS_STAMP" > "$deps/.stamp" || return 1
  fi
}
go_package() {
  # --code-only: jsii-pacmak's own check of the Go package (go mod tidy, go
  # build) downloads cdk8s-core-go, which the proxy refuses; the module is
  # compiled below, against the generated cdk8s, by building languages/go.
  rm -rf dist/go && npx jsii-pacmak -v --target go --code-only
}
test_go() {
  step go-deps go_deps || { fail go "cdk8s / cdk8s-plus-27 Go modules from node_modules"; return; }
  step go-package go_package || { fail go "jsii-pacmak --target go"; return; }
  if ! step go-build bash -c "cd languages/go && go build -o '$ROOT/$CACHE/go/seed' ."; then
    echo "    (if go.sum is missing entries after a jsii upgrade: cd languages/go && go mod tidy, and commit go.mod/go.sum)"
    fail go "languages/go against dist/go"; return
  fi
  step go-synth synth go "$CACHE/go/seed" || { fail go "languages/go binary"; return; }
  if compare go; then pass go; else fail go "manifests differ from TypeScript"; fi
}

for lang in "${RUN[@]}"; do
  echo "$lang:"
  "test_$lang"
done

echo
echo "times:"
printf '  %s\n' "${TIMES[@]}"
echo "  total ${SECONDS}s"
echo "results:"
printf '  %s\n' "${RESULTS[@]}"
echo "languages: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
