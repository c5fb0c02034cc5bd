#!/usr/bin/env bash
# systemd-drill.sh — the boot drill (issue 16): installs BTC Tap into a Debian bookworm root
# filesystem the way systemd/README.md tells an operator to, boots it with systemd
# (systemd-nspawn -b), and checks from outside and inside what the units promise: every daemon
# up as its own user with its groups, Redis on its unix socket only, each daemon signed in as its
# ACL user and refused what it must not do, credentials readable by their unit alone, the
# `systemd-analyze security` threshold, a bet through nginx from login to settlement, systemd
# restarting a restarted and a killed daemon with nothing lost, and a clean `systemctl stop
# tap.target`. Any miss fails the run (exit 1); the container is powered off at the end either way.
#
#   bash scripts/systemd-drill.sh            # as root; pnpm build first (scripts/setup.sh does)
#   KEEP=1 bash scripts/systemd-drill.sh     # leave the container running to look around
#   TAP_DRILL_CACHE=/some/dir bash scripts/systemd-drill.sh   # another cache (a fresh machine's first run)
#
# Not part of scripts/test.sh / CI: the first run builds the root filesystem with debootstrap
# (minutes, network), later runs copy the cached one (systemd/README.md "Boot drill" has timings).
#
# Where things go (outside the repository):
# - /var/cache/tap-drill/rootfs-<hash>/ the cached bookworm root filesystem with redis-server, nginx,
#   sqlite3, zstd (hash of the package list: change it and a new one is built). Never booted itself.
# - /var/lib/tap-drill/rootfs/ this run's copy of it, with BTC Tap installed; replaced every run.
# - /var/lib/tap-drill/boot.log the container's console; nspawn's pid in /run/tap-drill.pid.
# The container has a private network (loopback only): its Redis, nginx and daemons never meet the
# host's. Commands run inside through nsenter into the container's init (no machined on this host).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
here=$repo/scripts/systemd-drill
cache=${TAP_DRILL_CACHE:-/var/cache/tap-drill}
work=/var/lib/tap-drill
root=$work/rootfs
pidfile=/run/tap-drill.pid
# What the box needs from Debian; the host's node binary is copied in (the box reaches no registry).
packages=systemd,systemd-sysv,dbus,redis-server,nginx,sqlite3,zstd,ca-certificates,procps,iproute2,curl,libcap2-bin
services=(batcher ingest-api ws-gateway price-ingest health-monitor resolver archiver integrity-cron fairness-report tapctl)
started=$(date +%s)

say() { printf '\033[1m[drill %3ds]\033[0m %s\n' "$(($(date +%s) - started))" "$*"; }
die() {
  printf '\033[1;31m[drill] FAIL:\033[0m %s\n' "$*" >&2
  exit 1
}

[[ $EUID -eq 0 ]] || die "run as root (debootstrap, nspawn)"
[[ -f $repo/services/batcher/dist/main.js ]] || die "services/*/dist missing: run pnpm build first"

ensure_host_tools() {
  local missing=()
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v systemd-nspawn >/dev/null || missing+=(systemd-container)
  command -v nsenter >/dev/null || missing+=(util-linux)
  if ((${#missing[@]})); then
    say "apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# The cached root filesystem: built once per package list (debootstrap into a temp dir, renamed when
# complete, so an interrupted build is never mistaken for a cache).
ensure_base() {
  local hash
  hash=$(printf '%s' "$packages" | sha256sum | cut -c1-12)
  base=$cache/rootfs-$hash
  if [[ -x $base/lib/systemd/systemd ]]; then
    say "root filesystem cached: $base"
    return
  fi
  say "debootstrap bookworm into $base (first run only; minutes)"
  mkdir -p "$cache"
  rm -rf "$base.tmp"
  debootstrap --variant=minbase --include="$packages" bookworm "$base.tmp" http://deb.debian.org/debian \
    >"$cache/debootstrap.log" 2>&1 || die "debootstrap failed, see $cache/debootstrap.log"
  mv "$base.tmp" "$base"
  say "root filesystem built in $(($(date +%s) - started)) s"
}

stop_box() {
  [[ -f $pidfile ]] || return 0
  local pid
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    # nspawn turns SIGTERM into an orderly shutdown of the container's systemd.
    kill -TERM "$pid"
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$pidfile"
}

# This run's root filesystem: the cache, plus what an operator brings: the deployed folders, the
# repository's ops files, the node binary.
prepare_root() {
  stop_box
  rm -rf "$root"
  mkdir -p "$work"
  say "copying the root filesystem"
  cp -a "$base" "$root"
  install -m 0755 "$(readlink -f "$(command -v node)")" "$root/usr/bin/node"
  say "deploying ${#services[@]} programs into /opt/tap (scripts/deploy.sh)"
  for s in "${services[@]}"; do bash "$repo/scripts/deploy.sh" "$s" "$root/opt/tap/$s" >/dev/null; done
  cp -a "$repo/web/dist" "$root/opt/tap/web"
  local src=$root/root/tap
  mkdir -p "$src/scripts" "$src/infra"
  cp -a "$repo/systemd" "$repo/nginx" "$src/"
  cp -a "$repo/scripts/install-redis.sh" "$repo/scripts/redis-acl.sh" "$src/scripts/"
  cp -a "$repo/infra/redis.conf" "$repo/infra/redis-users.acl.in" "$src/infra/"
  cp -a "$here/install.sh" "$here/checks.sh" "$src/"
  echo tap-drill >"$root/etc/hostname"
}

boot_box() {
  say "booting: systemd-nspawn -b -D $root"
  # The box runs the unified cgroup hierarchy (Debian 12's default, whatever the host mounts) and may
  # call bpf(), which nspawn's own seccomp filter blocks: systemd needs both for IPAddressDeny= —
  # without them it skips the filter silently and every address is reachable (found by this drill).
  # --register=no --keep-unit: this host runs no systemd (no machined, no scope to create).
  SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 setsid systemd-nspawn -b -D "$root" -M tap-drill --private-network \
    --register=no --keep-unit --system-call-filter=bpf --console=passive >"$work/boot.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  # nsenter targets the container's init: nspawn's child process.
  for _ in $(seq 60); do
    leader=$(pgrep -P "$(cat "$pidfile")" | head -1 || true)
    if [[ -n $leader ]] && timeout 120 nsenter --target "$leader" --mount --pid -- \
      systemctl is-system-running --wait >/dev/null 2>&1; then break; fi
    kill -0 "$(cat "$pidfile")" 2>/dev/null || die "systemd-nspawn exited: $(tail -20 "$work/boot.log")"
    sleep 1
  done
  [[ -n $leader ]] || die "no container init under systemd-nspawn: $(tail -20 "$work/boot.log")"
  box systemctl is-system-running | grep -qE 'running|degraded' || die "the container did not boot: $(tail -20 "$work/boot.log")"
  say "booted ($(box systemctl is-system-running))"
}

# box CMD…: run CMD inside the container (its mount, pid, network, ipc and uts namespaces).
box() {
  nsenter --target "$leader" --mount --uts --ipc --net --pid -- "$@"
}

# client CMD…: the trader (bet-path.mts) on the host, inside the box's network namespace.
client() {
  nsenter --target "$leader" --net -- "$repo/node_modules/.bin/tsx" "$here/bet-path.mts" "$1" "$work/client.json" "${@:2}"
}
main_pid() { box systemctl show -p MainPID --value "$1"; }
tapctl() { # tapctl as the runbook runs it: root, the operator env, its own ACL user.
  box sh -c 'set -a; . /etc/tap/common.env; . /etc/tap/operator.env; TAP_OPERATOR=drill REDIS_USERNAME=tapctl REDIS_PASSWORD_FILE=/etc/tap/redis/tapctl.password exec node /opt/tap/tapctl/dist/main.js "$@"' tapctl "$@"
}

bet_path() {
  client login || die "login through nginx failed"
  # The demo faucet writes tap:adjustments, which the ingest-api ACL user may not: 503 here, by design.
  client faucet
  client ws || die "WebSocket through nginx failed"
  local address
  address=$(node -p "require('$work/client.json').address")
  tapctl credit "$address" 50 --kind deposit --reason "boot drill" --wait || die "tapctl credit failed"
  client bet 1 || die "bet path failed"
  say "bets in flight while tap-batcher is restarted and tap-resolver killed (kill -9)"
  client place 3 || die "placing bets failed"
  local old
  old=$(main_pid tap-batcher)
  box systemctl restart tap-batcher
  box bash /root/tap/checks.sh restarted tap-batcher.service "$old" || die "tap-batcher did not come back"
  old=$(main_pid tap-resolver)
  box kill -9 "$old"
  box bash /root/tap/checks.sh restarted tap-resolver.service "$old" || die "tap-resolver did not come back"
  client settle || die "bets in flight were not settled after the restarts"
  say "tap-ingest-api killed (kill -9), then a bet through it"
  old=$(main_pid tap-ingest-api)
  box kill -9 "$old"
  box bash /root/tap/checks.sh restarted tap-ingest-api.service "$old" || die "tap-ingest-api did not come back"
  client bet 1 || die "no bet after ingest-api came back"
  client audit || die "audit failed: something was lost or doubled"
}

ensure_host_tools
ensure_base
prepare_root
say "prepared in $(($(date +%s) - started)) s"
trap '[[ -n ${KEEP:-} ]] || stop_box' EXIT
boot_box
say "installing as systemd/README.md says (install.sh runs its install block inside the box)"
box bash /root/tap/install.sh || die "install failed"
# The units were just enabled and started: let their first Redis connections settle.
for _ in $(seq 30); do box systemctl is-active --quiet tap.target tap-ingest-api tap-batcher && break; sleep 1; done
say "checks inside the box"
box bash /root/tap/checks.sh system || die "system checks failed"
say "bet path through nginx (bet-path.mts on the host, in the box's network)"
bet_path
say "timer jobs, started by hand"
box bash /root/tap/checks.sh jobs || die "job checks failed"
say "systemctl stop tap.target"
box bash /root/tap/checks.sh stop || die "stop checks failed"
say "all checks passed in $(($(date +%s) - started)) s"
