#!/usr/bin/env bash
# Builds bin/pss-oracle (the Pod Security Standards oracle) from this directory.
# Exit codes: 0 = binary up to date or built, 3 = Go toolchain not installed,
# anything else = build failure (go's stderr is passed through).
# Env: PSS_ORACLE_FORCE=1 forces a rebuild; GO=/path/to/go overrides the go binary.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
BIN=bin/pss-oracle
SOURCES=(main.go go.mod go.sum)

if [[ -x "$BIN" && "${PSS_ORACLE_FORCE:-}" != 1 ]]; then
  stale=0
  for f in "${SOURCES[@]}"; do
    [[ "$f" -nt "$BIN" ]] && stale=1
  done
  if [[ $stale == 0 ]]; then
    exit 0
  fi
fi

source "$PWD/../../scripts/find-go.sh"   # the script has cd-ed into its own folder
require_go "$PWD/$BIN"

mkdir -p bin
# go.mod/go.sum are complete, so the default -mod=readonly works; after the
# first download the module cache makes this build work offline.
tmp="$BIN.tmp.$$"
trap 'rm -f "$tmp"' EXIT
"$GO" build -trimpath -buildvcs=false -o "$tmp" .
mv -f "$tmp" "$BIN"
