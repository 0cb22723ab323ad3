#!/usr/bin/env bash
# Prepares this machine for the runtime end-to-end tests (podman, no registry).
#
#   bash test/e2e/setup.sh            # idempotent; a few seconds when already done
#   source <(bash test/e2e/setup.sh --env)   # only print `export CONTAINERS_CONF=...`
#
# What it does (and skips when already done):
#   1. apt-get install podman runc debootstrap            (only if a binary is missing)
#   2. writes test/e2e/.podman/containers.conf            (runc; ulimits podman can grant)
#      /etc is never touched: every podman call must export CONTAINERS_CONF.
#   3. builds two local images with debootstrap + podman import:
#        localhost/e2e-app:1    nginx (foreground, port 8080, works as root or non-root,
#                               with readOnlyRootFilesystem + an emptyDir at /tmp)
#        localhost/e2e-debug:1  tcpdump strace tshark ping dig curl ip ps ...
#      An image is rebuilt only when missing or when its package list changed
#      (label e2e.key). The debootstrap tarball is cached under
#      /var/cache/cdk8s-debuggable-e2e/ keyed by the package list.
#
#        localhost/e2e-base:1   Debian minbase and nothing else: the base of the images that
#                               the tests build from DebugImage.recipe (podman build)
#
# The Debian mirror is read from this machine's apt sources at run time (the `URIs:` line of
# the stanza for $E2E_SUITE in /etc/apt/sources.list.d/*.sources, else a `deb` line of
# /etc/apt/sources.list[.d/*.list]); no host name is written in this repository. debootstrap
# writes it into each image's /etc/apt/sources.list, so apt inside `podman build --network host`
# reaches the same mirror.
#
# Environment: E2E_SUITE (default bookworm), E2E_MIRROR (default: from the apt sources),
#              E2E_CACHE (default /var/cache/cdk8s-debuggable-e2e), E2E_FORCE=1 rebuilds images.
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONF_DIR="$E2E_DIR/.podman"
export CONTAINERS_CONF="$CONF_DIR/containers.conf"

if [[ "${1:-}" == "--env" ]]; then
  echo "export CONTAINERS_CONF=$CONTAINERS_CONF"
  exit 0
fi

SUITE="${E2E_SUITE:-bookworm}"
CACHE="${E2E_CACHE:-/var/cache/cdk8s-debuggable-e2e}"
IMG_PATH='/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

# Bump the version suffix when the post-install steps below change.
APP_IMAGE='localhost/e2e-app:1'
APP_PKGS='nginx-light,curl,procps'
APP_RECIPE='app-v1'
DEBUG_IMAGE='localhost/e2e-debug:1'
DEBUG_PKGS='tcpdump,strace,procps,iproute2,dnsutils,iputils-ping,curl,tshark'
DEBUG_RECIPE='debug-v1'
BASE_IMAGE='localhost/e2e-base:1'
BASE_PKGS=''
BASE_RECIPE='base-v1'

T0=$(date +%s.%N)
step_start=$T0
log() { printf '[e2e-setup] %s\n' "$*" >&2; }
lap() { # lap LABEL: print the time since the previous lap
  local now; now=$(date +%s.%N)
  log "$(awk -v a="$step_start" -v b="$now" -v l="$1" 'BEGIN { printf "%-46s %6.1f s", l, b - a }')"
  step_start=$now
}

if [[ $EUID -ne 0 ]]; then
  log "must run as root (rootful podman, debootstrap)"; exit 1
fi

# apt_mirror: the archive URI this machine's apt uses for $SUITE (first match wins).
apt_mirror() {
  local f uri
  # deb822 (*.sources): stanzas separated by blank lines; take the URIs of the first
  # enabled `deb` stanza whose Suites list $SUITE itself (not $SUITE-security).
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r "$f" ]] || continue
    uri=$(awk -v suite="$SUITE" '
      BEGIN { RS = ""; FS = "\n" }
      {
        uri = ""; deb = 0; has = 0; on = 1
        for (i = 1; i <= NF; i++) {
          line = $i
          if (line ~ /^[ \t]*#/) continue
          n = index(line, ":"); if (n == 0) continue
          key = tolower(substr(line, 1, n - 1)); val = substr(line, n + 1)
          m = split(val, w, /[ \t]+/)
          for (j = 1; j <= m; j++) {
            if (w[j] == "") continue
            if (key == "uris" && uri == "") uri = w[j]
            if (key == "types" && w[j] == "deb") deb = 1
            if (key == "suites" && w[j] == suite) has = 1
            if (key == "enabled" && tolower(w[j]) == "no") on = 0
          }
        }
        if (uri != "" && deb && has && on) { print uri; exit }
      }' "$f")
    if [[ -n "$uri" ]]; then echo "$uri"; return 0; fi
  done
  # One-line format: deb [options] URI SUITE COMPONENT...
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r "$f" ]] || continue
    uri=$(awk -v suite="$SUITE" '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite) { print $i; exit }
      }' "$f")
    if [[ -n "$uri" ]]; then echo "$uri"; return 0; fi
  done
  return 1
}

# ---------------------------------------------------------------- 1. packages
missing=()
for bin in podman runc debootstrap; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
done
if ((${#missing[@]})); then
  log "installing podman runc debootstrap (missing: ${missing[*]})"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap >/dev/null
fi
lap "packages (podman runc debootstrap)"

# ----------------------------------------------------- 2. containers.conf
mkdir -p "$CONF_DIR"
conf_content='# Generated by test/e2e/setup.sh. Used through CONTAINERS_CONF; /etc is not touched.
[containers]
# podman lowers its own RLIMIT_NPROC; the default container ulimits then fail (EPERM).
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
# crun fails on this hybrid-cgroup VM ("cgroups in hybrid mode not supported").
runtime = "runc"
'
if ! cmp -s <(printf '%s' "$conf_content") "$CONTAINERS_CONF"; then
  printf '%s' "$conf_content" >"$CONTAINERS_CONF"
  log "wrote $CONTAINERS_CONF"
fi
lap "containers.conf"

# ------------------------------------------------------------- 3. images
mkdir -p "$CACHE"
# Read lazily (only debootstrap needs it): a warm run does not depend on the apt sources.
MIRROR="${E2E_MIRROR:-}"
mirror() {
  if [[ -z "$MIRROR" ]]; then
    if ! MIRROR=$(apt_mirror); then
      log "no apt source for suite $SUITE in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list; set E2E_MIRROR"
      exit 1
    fi
    log "Debian mirror from this machine's apt sources: $MIRROR"
  fi
}

# Post-install step of the app image (runs against the rootfs directory).
recipe_app() {
  local root=$1
  # nginx in the foreground on 8080, everything writable under /tmp, logs to the
  # container's stdout/stderr: runs as root or as any uid, read-only rootfs ok.
  cat >"$root/etc/nginx/e2e.conf" <<'EOF'
daemon off;
worker_processes 1;
pid /tmp/nginx.pid;
error_log stderr notice;
events { worker_connections 64; }
http {
  access_log /dev/stdout;
  client_body_temp_path /tmp/nginx-client-body;
  proxy_temp_path /tmp/nginx-proxy;
  fastcgi_temp_path /tmp/nginx-fastcgi;
  uwsgi_temp_path /tmp/nginx-uwsgi;
  scgi_temp_path /tmp/nginx-scgi;
  server {
    listen 8080;
    location / { default_type text/plain; return 200 "e2e-app ok\n"; }
  }
}
EOF
}
recipe_debug() {
  local root=$1
  # Nothing to change: the tools keep their Debian defaults (tcpdump drops to
  # user tcpdump; dumpcap is root:root 0755 without file capabilities).
  true "$root"
}
recipe_base() {
  local root=$1
  # Nothing to change: apt's sources.list (written by debootstrap, this machine's
  # mirror) stays, so `apt-get update && apt-get install` works in `podman build`.
  true "$root"
}

# build_image IMAGE PKGS RECIPE_FN RECIPE_ID CMD_JSON
build_image() {
  local image=$1 pkgs=$2 recipe=$3 recipe_id=$4 cmd=$5
  local key; key=$(printf '%s|%s|%s|%s|%s' "$SUITE" minbase "$pkgs" "$recipe_id" "$cmd" | sha256sum | cut -c1-16)
  local have
  have=$(podman image inspect --format '{{index .Labels "e2e.key"}}' "$image" 2>/dev/null || true)
  if [[ "$have" == "$key" && -z "${E2E_FORCE:-}" ]]; then
    lap "$image (present, key $key)"
    return
  fi
  local tarball="$CACHE/${image##*/}-$key.tar"
  tarball=${tarball//:/_}
  if [[ ! -s "$tarball" || -n "${E2E_FORCE:-}" ]]; then
    mirror
    local root; root=$(mktemp -d /var/tmp/e2e-rootfs.XXXXXX)
    log "debootstrap $SUITE minbase +${pkgs:-nothing} -> $root"
    if ! debootstrap --variant=minbase ${pkgs:+--include="$pkgs"} "$SUITE" "$root" "$MIRROR" >"$root.log" 2>&1; then
      tail -n 30 "$root.log" >&2; rm -rf "$root" "$root.log"; exit 1
    fi
    rm -f "$root.log"
    "$recipe" "$root"
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* 2>/dev/null || true
    tar --numeric-owner --xattrs --xattrs-include='security.capability' -C "$root" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$root"
    lap "debootstrap ${image##*/} ($(du -h "$tarball" | cut -f1))"
  else
    log "using cached rootfs $tarball"
  fi
  local old_id
  old_id=$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  podman import --quiet \
    --change "ENV=PATH=$IMG_PATH" \
    --change "CMD $cmd" \
    --change "LABEL=e2e.key=$key" \
    "$tarball" "$image" >/dev/null
  # The replaced image is left untagged: remove it (only that one).
  if [[ -n "$old_id" && "$old_id" != "$(podman image inspect --format '{{.Id}}' "$image")" ]]; then
    podman rmi "$old_id" >/dev/null 2>&1 || true
  fi
  lap "podman import $image"
}

build_image "$APP_IMAGE" "$APP_PKGS" recipe_app "$APP_RECIPE" \
  '["nginx","-e","stderr","-c","/etc/nginx/e2e.conf"]'
build_image "$DEBUG_IMAGE" "$DEBUG_PKGS" recipe_debug "$DEBUG_RECIPE" \
  '["/bin/sh","-c","trap '"'"'exit 0'"'"' TERM INT; while true; do sleep 3600 & wait $!; done"]'
build_image "$BASE_IMAGE" "$BASE_PKGS" recipe_base "$BASE_RECIPE" '["/bin/sh"]'

step_start=$T0
lap "setup total"
echo "export CONTAINERS_CONF=$CONTAINERS_CONF"
