#!/usr/bin/env bash
# Proves the deployable folders work outside the workspace: deploys every daemon into a temp dir
# with scripts/deploy.sh, starts each long-running one from there against a throwaway Redis,
# waits for /healthz, stops it with SIGTERM and expects exit 0.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
redis_pid=""
cleanup() {
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The batcher refuses to start without the operator key (adjustments are authenticated); a fresh one.
operator_key=$(node -e "console.log(require('crypto').randomBytes(32).toString('hex'))")
redis_port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
# On Redis's default user (--aclfile ''): this checks the folders, not the ACL users (e2e does).
redis-server infra/redis.conf --port "$redis_port" --dir "$work" --daemonize no --aclfile '' >"$work/redis.log" &
redis_pid=$!

wait_healthy() {
  node -e '
    const url = process.argv[1]; const deadline = Date.now() + 15000;
    (async () => {
      while (Date.now() < deadline) {
        try { if ((await fetch(url)).status === 200) process.exit(0); } catch {}
        await new Promise((r) => setTimeout(r, 200));
      }
      process.exit(1);
    })();' "$1"
}

declare -A port_var=([ingest-api]=HTTP_PORT [ws-gateway]=WS_PORT)
passed=0
# The batcher before the resolver and integrity-cron: it creates the data directory's first segment,
# which they refuse to run without (a mistyped DATA_DIR must not read as "no bets").
for service in ingest-api ws-gateway price-ingest health-monitor batcher resolver archiver integrity-cron; do
  bash scripts/deploy.sh "$service" "$work/$service"
  case "$service" in
  archiver) continue ;; # needs S3; its runs are covered by the integration tests and the demo smoke
  integrity-cron)
    # No archive bucket here (the archiver is skipped above): its anchors check is off.
    env -i PATH="$PATH" REDIS_URL="redis://127.0.0.1:$redis_port" DATA_DIR="$work/data" TEXTFILE_DIR="$work" OPS_PORT=0 \
      ARCHIVE_ANCHORS_CHECK=0 \
      node "$work/$service/dist/main.js" >"$work/$service.log" 2>&1 || { cat "$work/$service.log" >&2; exit 1; }
    echo "check-deploy: $service runs from its deployed folder"
    passed=$((passed + 1))
    continue
    ;;
  esac
  port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  # VENUES=simulator: price-ingest has no venue default (SPEC §9); the other daemons ignore it.
  env -i PATH="$PATH" REDIS_URL="redis://127.0.0.1:$redis_port" DATA_DIR="$work/data" VENUES=simulator \
    OPERATOR_MAC_KEY="$operator_key" \
    "${port_var[$service]:-OPS_PORT}=$port" node "$work/$service/dist/main.js" >"$work/$service.log" 2>&1 &
  pid=$!
  if ! wait_healthy "http://127.0.0.1:$port/healthz"; then
    echo "check-deploy: $service from its deployed folder never became healthy:" >&2
    cat "$work/$service.log" >&2
    kill -9 "$pid" || true
    exit 1
  fi
  kill -TERM "$pid"
  if ! wait "$pid"; then
    echo "check-deploy: $service did not exit 0 on SIGTERM" >&2
    exit 1
  fi
  echo "check-deploy: $service runs from its deployed folder"
  passed=$((passed + 1))
done
echo "deployable folders: ${passed} passed, 0 failed"
