# Sourced by the build scripts that compile Go tools (test/pss-oracle,
# test/apiserver, test/helm). find_go prints the go binary: $GO when it is
# set and executable (GO= or a bad path means "missing"), else go on PATH,
# else /usr/local/go/bin/go; it returns 1 when there is none.
find_go() {
  local go
  if [[ -n "${GO+set}" ]]; then
    go="$GO"
    if [[ -n "$go" && ! -x "$go" ]]; then go="$(command -v "$go" || true)"; fi
  else
    go="$(command -v go || true)"
    if [[ -z "$go" && -x /usr/local/go/bin/go ]]; then go=/usr/local/go/bin/go; fi
  fi
  [[ -n "$go" ]] && echo "$go"
}
