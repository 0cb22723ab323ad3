#!/usr/bin/env bash
# Builds the official Pod Security evaluator to WebAssembly (GOOS=js and
# GOOS=wasip1) and times it against the library's TypeScript port: the
# numbers in docs/pod-security-engine.md. Needs Go and Node; writes only to a
# temporary directory. Usage: test/pss-oracle/wasm/measure.sh [runs]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
runs="${1:-3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/js" "$out/wasi"
GOROOT="$(go env GOROOT)"
cp "$GOROOT/lib/wasm/wasm_exec.js" "$out/js/"
echo "building (GOOS=js, then GOOS=wasip1)..." >&2
GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o "$out/js/pss.wasm" .
GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -ldflags='-s -w' -o "$out/wasi/pss.wasm" .
for f in js/pss.wasm wasi/pss.wasm; do
  echo "{\"file\":\"$f\",\"bytes\":$(wc -c < "$out/$f"),\"gzip9\":$(gzip -9 -c "$out/$f" | wc -c)}"
done
root="$(cd ../../.. && pwd)"
(cd "$root" && npx tsc -p bench/tsconfig.json)
checks="$root/bench/out/src/pod-security/evaluator/checks.js"
echo "{\"file\":\"src/pod-security (compiled)\",\"bytes\":$(cat "$root"/bench/out/src/pod-security/*.js "$root"/bench/out/src/pod-security/evaluator/*.js | wc -c),\"gzip9\":$(cat "$root"/bench/out/src/pod-security/*.js "$root"/bench/out/src/pod-security/evaluator/*.js | gzip -9 | wc -c)}"
for _ in $(seq 1 "$runs"); do
  node time.js js "$out/js"
  node --no-warnings time.js wasi "$out/wasi/pss.wasm"
  node time.js ts "$checks"
done
