#!/usr/bin/env bash
# install-redis.sh — the deploy step for Redis on the VM (as root, after `apt-get install redis-server`):
#
#   scripts/install-redis.sh [--root DIR] [--prefix tap:]
#   systemctl restart redis-server     # or, for a changed ACL file only: ACL LOAD as admin
#
# Installs, idempotently (existing passwords are kept, so a re-run never locks a daemon out):
# - /etc/tap/redis/<user>.password — one per ACL user of infra/redis-users.acl.in (root:root 0600,
#   directory 0700): what each daemon signs in with (systemd/README.md says how a unit gets it).
# - /etc/redis/tap-users.acl — rendered by scripts/redis-acl.sh (root:redis 0640: redis-server reads
#   it, no other user can; it holds only each password's sha256).
# - /etc/redis/tap.conf — infra/redis.conf as shipped (root:redis 0640); its `aclfile` line names
#   the file above, so this Redis has no user but the ones of the template (`default` is off).
# - /etc/redis/redis.conf — what Debian's redis-server.service starts: `include /etc/redis/tap.conf`
#   plus this host's paths (data dir, pid file) and how the daemons reach it: the unix socket
#   /run/tap-redis/redis.sock (0770, group tap-redis from its setgid directory, systemd/tap.tmpfiles.conf)
#   and no TCP at all (`port 0`; issue 16). Debian's own file is kept once as redis.conf.debian.
# - /etc/systemd/system/redis-server.service.d/tap-socket.conf — lets Debian's hardened unit
#   (ProtectSystem=strict) create that socket: ReadWritePaths=/run/tap-redis. `systemctl daemon-reload`.
#
# --root DIR installs under DIR instead of / (the test kit does this for every ACL test: the
# `aclfile` line then names DIR's ACL file). Without root privileges owners cannot be set: only the
# modes are (the test kit's case); as root a missing `redis` group is an error, since redis-server
# could not read its ACL file and would refuse to start.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root=''
prefix='tap:'
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2%/}"; shift 2 ;;
    --prefix) prefix="$2"; shift 2 ;;
    *) echo "install-redis.sh: unknown argument $1" >&2; exit 64 ;;
  esac
done

etc_redis="$root/etc/redis"
secrets="$root/etc/tap/redis"
acl_file="$etc_redis/tap-users.acl"
as_root=''
if [ "$(id -u)" -eq 0 ]; then
  as_root=yes
  if ! getent group redis >/dev/null; then
    echo "install-redis.sh: no redis group (apt-get install redis-server first)" >&2
    exit 1
  fi
fi

# owned MODE FILE...: the mode always; root:redis only when running as root.
owned() {
  local mode=$1
  shift
  chmod "$mode" "$@"
  if [ -n "$as_root" ]; then chown root:redis "$@"; fi
}

mkdir -p "$etc_redis" "$secrets"
chmod 0700 "$root/etc/tap" "$secrets"
bash "$repo/scripts/redis-acl.sh" --secrets "$secrets" --out "$acl_file" --prefix "$prefix" >/dev/null
chmod 0600 "$secrets"/*.password
owned 0640 "$acl_file"

# The shipped config, its aclfile line pointed into --root (unchanged for /).
tmp="$(mktemp "$etc_redis/tap.conf.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
sed "s#^aclfile /etc/redis/tap-users.acl\$#aclfile $acl_file#" "$repo/infra/redis.conf" >"$tmp"
if ! grep -qx "aclfile $acl_file" "$tmp"; then
  echo "install-redis.sh: infra/redis.conf has no 'aclfile /etc/redis/tap-users.acl' line" >&2
  exit 1
fi
owned 0640 "$tmp"
mv "$tmp" "$etc_redis/tap.conf"

if [ -f "$etc_redis/redis.conf" ] && ! [ -e "$etc_redis/redis.conf.debian" ] &&
  ! grep -q '^include .*/tap.conf$' "$etc_redis/redis.conf"; then
  cp -p "$etc_redis/redis.conf" "$etc_redis/redis.conf.debian"
fi
tmp="$(mktemp "$etc_redis/redis.conf.XXXXXX")"
cat >"$tmp" <<EOF
# Written by BTC Tap's scripts/install-redis.sh; edit infra/redis.conf in the repository instead.
# Debian's redis-server.service starts this file; BTC Tap's settings (and its ACL file) are in
# tap.conf, this host's paths below (Debian's unit has no working directory and writes only these).
include $etc_redis/tap.conf
dir /var/lib/redis
pidfile /run/redis/redis-server.pid
# The daemons connect over this socket (REDIS_URL=unix:///run/tap-redis/redis.sock); TCP is off.
unixsocket /run/tap-redis/redis.sock
unixsocketperm 770
port 0
EOF
owned 0640 "$tmp"
mv "$tmp" "$etc_redis/redis.conf"
trap - EXIT

dropin="$root/etc/systemd/system/redis-server.service.d"
mkdir -p "$dropin"
cat >"$dropin/tap-socket.conf" <<EOF
# Written by BTC Tap's scripts/install-redis.sh: the unix socket of /etc/redis/redis.conf lives in
# /run/tap-redis (systemd/tap.tmpfiles.conf: 2750 redis:tap-redis), which ProtectSystem=strict
# would leave read-only to Redis.
[Service]
ReadWritePaths=/run/tap-redis
EOF
chmod 0644 "$dropin/tap-socket.conf"
echo "install-redis.sh: $etc_redis/redis.conf includes tap.conf, which loads $acl_file (prefix $prefix; passwords in $secrets)"
