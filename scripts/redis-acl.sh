#!/usr/bin/env bash
# redis-acl.sh — renders infra/redis-users.acl.in into the ACL file redis-server loads (`aclfile`).
#
#   scripts/redis-acl.sh --secrets /etc/tap/redis --out /etc/redis/tap-users.acl [--prefix tap:]
#
# For each `user <name>` of the template: the password is read from <secrets>/<name>.password,
# created (32 random bytes, base64url, mode 0600) when missing; the ACL file gets only its sha256
# (`#<hex>`), so it holds no usable password. {prefix} becomes the key prefix (TAP_KEY_PREFIX).
# Comment and blank lines are dropped (Redis ACL files allow no comments). Each daemon then runs
# with REDIS_USERNAME=<name> and REDIS_PASSWORD from <secrets>/<name>.password (root-only env
# file or systemd credential). Reload a running Redis with `ACL LOAD` (as admin). Idempotent: a
# second run keeps every existing password. The test kit runs this script too.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
template="$root/infra/redis-users.acl.in"
prefix='tap:'
secrets=''
out=''
while [ $# -gt 0 ]; do
  case "$1" in
    --secrets) secrets="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --prefix) prefix="$2"; shift 2 ;;
    --template) template="$2"; shift 2 ;;
    *) echo "redis-acl.sh: unknown argument $1" >&2; exit 64 ;;
  esac
done
if [ -z "$secrets" ] || [ -z "$out" ]; then
  echo "usage: redis-acl.sh --secrets DIR --out FILE [--prefix tap:]" >&2
  exit 64
fi
if ! [[ "$prefix" =~ ^[a-z0-9_-]+:$ ]]; then
  echo "redis-acl.sh: --prefix must be lower-case letters, digits, _ or - ending in ':' (got $prefix)" >&2
  exit 64
fi

umask 077
mkdir -p "$secrets"
tmp="$(mktemp "$out.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in '' | '#'*) continue ;; esac
  name="$(awk '{print $2}' <<<"$line")"
  if [[ "$line" == *'{password}'* ]]; then
    file="$secrets/$name.password"
    [ -s "$file" ] || head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$file"
    hash="$(tr -d '\n' <"$file" | sha256sum | awk '{print $1}')"
    line="${line//\{password\}/on #$hash}"
  fi
  printf '%s\n' "${line//\{prefix\}/$prefix}" >>"$tmp"
done <"$template"
chmod 0640 "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "redis-acl.sh: wrote $out (prefix $prefix, passwords in $secrets)"
