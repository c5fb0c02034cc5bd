#!/usr/bin/env bash
# Sets up the machine (scripts/setup.sh), then runs the whole stack locally on the simulated feed:
# Redis with infra/redis.conf in .demo/, a local S3 (s3rver), every daemon; prints the URLs and
# stops everything cleanly on Ctrl-C. `--smoke` checks every daemon's health, runs each timer job
# once, stops the stack and exits (CI runs that).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node scripts/stack.mjs "$@"
