# Sourced by the build scripts that compile Go tools (test/pss-oracle,
# test/apiserver, test/helm). `require_go WHAT` sets GO to the go binary: $GO
# when it is set and executable (GO= or a bad path means "missing"), else go
# on PATH, else /usr/local/go/bin/go; without one it says it cannot build WHAT
# and exits 3, the code the runners read as "Go is missing".
require_go() {
  local go
  if [[ -n "${GO+set}" ]]; then
    go="$GO"
    if [[ -n "$go" && ! -x "$go" ]]; then go="$(command -v "$go" || true)"; fi
  else
    go="$(command -v go || true)"
    if [[ -z "$go" && -x /usr/local/go/bin/go ]]; then go=/usr/local/go/bin/go; fi
  fi
  if [[ -z "$go" ]]; then
    echo "no Go toolchain found (need go on PATH, or set GO=/path/to/go); cannot build $1" >&2
    exit 3
  fi
  GO="$go"
}
