#!/usr/bin/env bash
# Installs everything BTC Tap needs on a fresh Debian machine that has Node.js and root, then builds.
# Idempotent: a second run skips what is already there. Used by demo.sh, test.sh and CI.
#
# pnpm: the version is pinned by `packageManager` in package.json. corepack would be the natural
# installer, but it fails against this registry ("No compatible signature found": the registry
# serves no signatures), so the exact pinned version is installed with npm instead — with integrity
# checks left on.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

packages=()
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
command -v nginx >/dev/null 2>&1 || packages+=(nginx)
command -v systemd-analyze >/dev/null 2>&1 || packages+=(systemd)
# The web client's browser tests drive Debian's Chromium (playwright-core, executablePath): no
# browser download at test time.
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
# zstd and sqlite3: the archive tests read archived segments with the standard tools (as an operator would).
command -v zstd >/dev/null 2>&1 || packages+=(zstd)
command -v sqlite3 >/dev/null 2>&1 || packages+=(sqlite3)
# promtool checks and unit-tests the alert rules in infra/prometheus/ (scripts/check-ops-files.sh).
command -v promtool >/dev/null 2>&1 || packages+=(prometheus)
# faketime (libfaketime): the chaos suite steps one daemon's wall clock (chaos/, chaos-clock).
command -v faketime >/dev/null 2>&1 || packages+=(faketime)
# wrk: the yardstick of the harness's load generator (bench run generator-check, issue 19).
command -v wrk >/dev/null 2>&1 || packages+=(wrk)
if ((${#packages[@]} > 0)); then
  log "apt-get install ${packages[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: installing ${packages[*]} needs root (run as root or install them first)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

pnpm_version="$(node -p "require('./package.json').packageManager.split('@')[1]")"
if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
  log "npm install -g pnpm@${pnpm_version}"
  npm install -g --no-fund --no-audit "pnpm@${pnpm_version}" >/dev/null
fi

export TURBO_TELEMETRY_DISABLED=1
log "pnpm install --frozen-lockfile"
pnpm install --frozen-lockfile --reporter=append-only | grep -vE '^(Progress|\.\.\.)' || true
log "build"
pnpm --silent build --output-logs=errors-only
log "ready"
