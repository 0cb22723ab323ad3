#!/usr/bin/env bash
# Builds the helm v3 CLI from the Go module proxy into a cache outside the
# repository that survives between runs on the same machine, and prints the
# binary's path on stdout. Instant when the binary is already there.
#
#   bash test/helm/build.sh            -> .../helm/v3.22.0/helm
#
# Exit codes: 0 = binary present or built (path on stdout), 3 = Go toolchain
# not installed, anything else = build failure (go's stderr is passed through).
# Env: HELM_VERSION (default v3.22.0; v3.18-v3.22 are known to build),
#      CDK8S_DEBUGGABLE_CACHE (default $HOME/.cache/cdk8s-debuggable),
#      HELM_FORCE=1 rebuilds, GO=/path/to/go overrides the go binary.
set -euo pipefail

VERSION="${HELM_VERSION:-v3.22.0}"
if [[ ! "$VERSION" =~ ^v3\.[0-9]+\.[0-9]+$ ]]; then
  echo "helm build: HELM_VERSION must be a helm v3 release such as v3.22.0 (got '$VERSION')" >&2
  exit 2
fi
CACHE="${CDK8S_DEBUGGABLE_CACHE:-$HOME/.cache/cdk8s-debuggable}"
DIR="$CACHE/helm/$VERSION"
BIN="$DIR/helm"

if [[ -x "$BIN" && "${HELM_FORCE:-}" != 1 ]]; then
  echo "$BIN"
  exit 0
fi

source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../scripts/find-go.sh"
require_go "helm $VERSION"

mkdir -p "$DIR"
# Build into a private directory and rename: a concurrent or interrupted
# build never leaves a half-written binary at $BIN.
tmp="$(mktemp -d "$DIR/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo "helm build: building helm $VERSION with $("$GO" version) (first time only; cached at $BIN)" >&2
start=$SECONDS
# GOTOOLCHAIN=local: never download another Go toolchain (only the module proxy is reachable).
# The version is stamped the way helm's Makefile does it, so 'helm version' is right.
GOBIN="$tmp" GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false \
  "$GO" install -trimpath \
  -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$VERSION" \
  "helm.sh/helm/v3/cmd/helm@$VERSION" >&2
"$tmp/helm" version --short >/dev/null
mv -f "$tmp/helm" "$BIN"
echo "helm build: built $BIN in $((SECONDS - start))s" >&2
echo "$BIN"
