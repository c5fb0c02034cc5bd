#!/usr/bin/env bash
# install.sh — the boot drill's operator (scripts/systemd-drill.sh runs it as root inside the booted
# box, from /root/tap: the repository's systemd/, nginx/, install-redis.sh and the ACL template).
# It runs the ```sh block of systemd/README.md "Install (as root)" itself, line by line, each line
# failing the install (so the README is what the drill tests, not a copy of it). At the README's
# `# edit …` line it makes the operator's edits with the drill's demo values:
# - the simulator venue with DEMO_MODE=1 (no exchange is reachable from the box), the drill's login
#   domain, a fresh operator key (also in ingest-api.env: DEMO_MODE needs it); no S3 (there is no
#   network in the box): the archive and backup jobs are shown failing loudly for it, integrity-cron
#   skips the archive's anchors, fairness-report judges one hour with a tiny DECISIONS_MIN.
set -euo pipefail
readme=/root/tap/systemd/README.md
cd /root/tap/systemd

set_env() { # FILE KEY VALUE: replace the KEY= line, or append it.
  if grep -q "^$2=" "$1"; then sed -i "s|^$2=.*|$2=$3|" "$1"; else echo "$2=$3" >>"$1"; fi
}
operator_edits() {
  set_env /etc/tap/operator.env OPERATOR_MAC_KEY "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  set_env /etc/tap/price-ingest.env VENUES simulator
  set_env /etc/tap/ingest-api.env DEMO_MODE 1
  set_env /etc/tap/ingest-api.env LOGIN_DOMAIN tap.drill
  set_env /etc/tap/ingest-api.env LOGIN_URI https://tap.drill
  # DEMO_MODE needs the operator key in ingest-api's env file (systemd/env/ingest-api.env.example).
  set_env /etc/tap/ingest-api.env OPERATOR_MAC_KEY "$(sed -n 's/^OPERATOR_MAC_KEY=//p' /etc/tap/operator.env)"
  # No S3 in the box: integrity-cron skips the archive's anchors; fairness-report judges the box's
  # first minutes (its defaults need 24 h of prints).
  set_env /etc/tap/integrity-cron.env ARCHIVE_ANCHORS_CHECK false
  set_env /etc/tap/fairness-report.env HOURS 1
  set_env /etc/tap/fairness-report.env WARMUP_MIN 1
  set_env /etc/tap/fairness-report.env DECISIONS_MIN 10
}

# The block between "## Install (as root)" and the next heading's first ``` fence pair.
block=$(awk '/^## Install \(as root\)/ {on = 1; next} on && /^```sh/ {inside = 1; next}
  inside && /^```/ {exit} inside {print}' "$readme")
[[ -n $block ]] || { echo "install: no sh block under '## Install (as root)' in $readme" >&2; exit 1; }
while IFS= read -r line; do
  case "$line" in
    '# edit '*) echo "+ (operator edits: demo values)"; operator_edits; continue ;;
    '' | '#'*) continue ;;
    'apt-get install '*) echo "+ $line (done when the root filesystem was built)"; continue ;;
  esac
  echo "+ $line"
  bash -euo pipefail -c "$line" || { echo "install: README line failed: $line" >&2; exit 1; }
done <<<"$block"

