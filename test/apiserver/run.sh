#!/usr/bin/env bash
# Runs the real kube-apiserver suites (test/apiserver/*.apiserver.test.ts).
# Builds kube-apiserver, kubectl and etcd first (build.sh; minutes when the Go caches are
# cold, instant when its cache is stamped). Locally without Go it skips with a message;
# under CI=true a missing Go or a failed build is a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
status=0
bash test/apiserver/build.sh >/dev/null || status=$?
if [ "$status" = 3 ]; then
  [ "${CI:-}" = "true" ] && { echo "test:apiserver: FAILED: no Go toolchain (needed to build kube-apiserver)" >&2; exit 1; }
  echo "test:apiserver: SKIPPED: no Go toolchain on PATH (needed to build kube-apiserver, kubectl and etcd from Go modules)"
  exit 0
elif [ "$status" != 0 ]; then
  echo "test:apiserver: FAILED: test/apiserver/build.sh exited $status" >&2
  exit "$status"
fi
if ! ls examples/*/dist >/dev/null 2>&1; then
  bash examples/synth-all.sh
fi
mkdir -p test-reports
npx jest --runInBand --coverage=false --testPathIgnorePatterns=/node_modules/ \
  --json --outputFile=test-reports/apiserver.json "$@" test/apiserver
