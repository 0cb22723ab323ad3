#!/usr/bin/env bash
# Runs the Helm suite: cdk8s's Helm construct rendering test/helm/fixtures/shop
# with a real helm v3 CLI, with and without DebugSidecar.attachAll.
# helm is built from the Go module proxy once per machine (build.sh caches it
# under ${CDK8S_DEBUGGABLE_CACHE:-$HOME/.cache/cdk8s-debuggable}/helm/).
# Locally without Go (and no cached helm) it skips with a message; under
# CI=true a missing Go or a failed build is a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
rc=0
HELM_BIN="$(bash test/helm/build.sh)" || rc=$?
if [ "$rc" = 3 ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "test:helm: FAILED: Go is not installed, so helm cannot be built (CI=true)" >&2; exit 1
  fi
  echo "test:helm: SKIPPED: Go is not installed (needed once to build helm from the Go module proxy)"
  exit 0
elif [ "$rc" != 0 ]; then
  echo "test:helm: FAILED: building helm failed (exit $rc)" >&2; exit "$rc"
fi
echo "test:helm: using $HELM_BIN ($("$HELM_BIN" version --short))"
mkdir -p test-reports
npx jest --runInBand --coverage=false --testPathIgnorePatterns=/node_modules/ \
  --json --outputFile=test-reports/helm.json "$@" test/helm
