#!/usr/bin/env bash
# Sets up the machine (scripts/setup.sh), then runs every check and test: formatter/linter,
# typecheck, unit tests, integration tests (real redis-server, s3rver, SQLite files), the ops files
# (systemd-analyze verify, nginx -t), the deployable folders, a smoke run of the demo stack, the
# web client in real Chromium through nginx, a short run of the load-test harness with its
# audit, and the CI subset of the chaos suite (chaos/: kills of every daemon and of Redis, hostile HTTP).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export TURBO_TELEMETRY_DISABLED=1

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "lint (biome ci)"
pnpm --silent lint
step "typecheck"
pnpm --silent typecheck --output-logs=errors-only
step "unit tests"
pnpm --silent test
step "integration tests"
pnpm --silent test:int
step "ops files"
bash scripts/check-ops-files.sh
step "deployable folders"
bash scripts/check-deploy.sh
step "demo smoke"
node scripts/stack.mjs --smoke
step "web client in Chromium (sign in, bet, settle, breaker, reconnect, phone)"
pnpm --silent --filter @tap/web test:browser
step "benchmark harness smoke (low rate, with the audit)"
pnpm --silent --filter @tap/benchmarks bench smoke
step "chaos subset (chaos/): 2 kill -9s of each daemon, one of Redis, a WebSocket storm of 1,000 clients, hostile HTTP, a full disk; audited (~3 min)"
pnpm --silent --filter @tap/chaos chaos ci
step "all checks passed"
