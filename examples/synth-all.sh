#!/usr/bin/env bash
# Synthesizes every example with the cdk8s CLI, as a user would, into
# examples/<name>/dist/. The seed example is synthesized twice: debug off and
# debug on (CDK8S_DEBUG), the toggle it demonstrates.
set -euo pipefail
cd "$(dirname "$0")"
export CDK8S_CHECK_UPGRADE=false
unset CDK8S_DEBUG CDK8S_ENVIRONMENT

synth() {
  local dir=$1 out=$2; shift 2
  rm -rf "$dir/$out"
  (cd "$dir" && env "$@" npx cdk8s synth --output "$out" >/dev/null)
  for f in "$dir/$out"/*.yaml; do echo "examples/$f ($(grep -c '^kind:' "$f") objects)"; done
}

synth seed dist/debug-off CDK8S_DEBUG=false
synth seed dist/debug-on CDK8S_DEBUG=true
for dir in */; do
  dir=${dir%/}
  [ "$dir" = seed ] || [ ! -f "$dir/cdk8s.yaml" ] && continue
  # A fixed "now" for debug.until, so an example's output does not change on the day its date passes.
  synth "$dir" dist CDK8S_DEBUGGABLE_NOW=2026-12-02T00:00:00Z
done
