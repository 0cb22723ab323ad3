#!/usr/bin/env bash
# examples/pulumi: install its own dependencies (npm ci, from its lockfile),
# type-check the program, and run its unit test under Pulumi's mocks (no
# Pulumi CLI, no cluster). Extra arguments go to jest.
#
# cdk8s, cdk8s-plus-27, constructs and the test tools (jest, ts-jest,
# typescript) come from the repository root's node_modules: one copy of each,
# so `instanceof` holds between the library and the program. Run the root's
# `npm ci` first.
#
# Skips with a message when it cannot install; under CI=true that is a failure.
set -euo pipefail
cd "$(dirname "$0")"
root=../..

skip() {
  if [ "${CI:-}" = "true" ]; then
    echo "examples/pulumi: FAILED: $*" >&2
    exit 1
  fi
  echo "SKIPPED examples/pulumi: $*"
  exit 0
}

for tool in jest tsc; do
  [ -x "$root/node_modules/.bin/$tool" ] || skip "$root/node_modules/.bin/$tool is missing: run 'npm ci' in the repository root first"
done

log=$(mktemp)
trap 'rm -f "$log"' EXIT
SECONDS=0
# --ignore-scripts: the only install scripts are @pulumi/kubernetes's (it runs
# `pulumi plugin install`, which needs the Pulumi CLI; mocks need no plugin) and
# protobufjs's (a version notice). --engine-strict: a dependency that does not
# support this Node version is an error, not a warning.
if ! npm ci --no-audit --no-fund --ignore-scripts --engine-strict >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  if grep -q EBADENGINE "$log"; then
    echo "examples/pulumi: FAILED: a dependency does not support Node $(node --version) (see above)" >&2
    exit 1
  fi
  skip "npm ci failed (is the npm registry reachable?); see the lines above"
fi
echo "examples/pulumi: npm ci in ${SECONDS}s"

SECONDS=0
"$root/node_modules/.bin/tsc" -p tsconfig.json
echo "examples/pulumi: type-check in ${SECONDS}s"

"$root/node_modules/.bin/jest" --config jest.config.js "$@"
