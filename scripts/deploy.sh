#!/usr/bin/env bash
# Builds the self-contained deployable folder of one daemon — what its systemd unit runs:
#   scripts/deploy.sh <service> <out-dir>    e.g. scripts/deploy.sh batcher /opt/tap/batcher
# The folder holds dist/main.js (the workspace packages and pure-JS dependencies are bundled in)
# and node_modules with only the native addons (better-sqlite3, uWebSockets.js, zstd-napi, secp256k1). Run it with
# `node <out-dir>/dist/main.js`. Expects `pnpm build` to have run (scripts/setup.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."
service="${1:?usage: scripts/deploy.sh <service> <out-dir>}"
out="${2:?usage: scripts/deploy.sh <service> <out-dir>}"
if [ ! -f "services/${service}/dist/main.js" ]; then
  echo "deploy: services/${service}/dist/main.js is missing; run pnpm build first" >&2
  exit 1
fi
rm -rf "$out"
pnpm --silent --filter "@tap/${service}" deploy --prod --legacy "$out" >/dev/null
echo "deploy: ${service} -> ${out} ($(du -sh "$out" | cut -f1))"
