#!/usr/bin/env bash
# Installs the tools the unit tests shell out to, into .tools/ (project-local):
# kubernetes-validate, a maintained validator that carries the Kubernetes
# OpenAPI schemas per version (the tests validate against 1.27, strict).
# Idempotent: a second run only checks the version.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=1.37.0
VENV=.tools/venv
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import kubernetes_validate.version as v, sys; sys.exit(v.__version__ != '$VERSION')" 2>/dev/null; then
  exit 0
fi
if ! command -v python3 >/dev/null; then
  echo "install-test-tools: python3 is missing; the schema checks need it (apt-get install python3 python3-venv)" >&2
  exit 1
fi
echo "install-test-tools: installing kubernetes-validate==$VERSION into $VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$VERSION"
