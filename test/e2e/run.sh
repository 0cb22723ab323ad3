#!/usr/bin/env bash
# Runs the podman end-to-end suite. Locally without podman it skips with a
# message; under CI=true it installs what it needs (setup.sh) and a missing
# engine is a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${CI:-}" != "true" ] && ! command -v podman >/dev/null 2>&1; then
  echo "test:e2e: SKIPPED: podman is not installed (run 'sudo bash test/e2e/setup.sh' to install it and build the images; CI=true does that itself)"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  [ "${CI:-}" = "true" ] && { echo "test:e2e: FAILED: needs root for podman kube play and debootstrap" >&2; exit 1; }
  echo "test:e2e: SKIPPED: needs root (podman kube play, debootstrap)"; exit 0
fi
bash test/e2e/setup.sh
mkdir -p test-reports
E2E_REQUIRED=1 npx jest --runInBand --coverage=false --testPathIgnorePatterns=/node_modules/ \
  --json --outputFile=test-reports/e2e.json "$@" test/e2e
