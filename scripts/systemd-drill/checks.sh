#!/usr/bin/env bash
# checks.sh — the boot drill's checks inside the booted box (scripts/systemd-drill.sh runs it as
# root there). Each check prints `ok …` or `FAIL …`; the run exits 1 if any failed.
#
#   checks.sh system      units, users and groups, Redis socket and ACL users, credentials,
#                         systemd-analyze security, the journal's permission errors
#   checks.sh jobs        each timer job started by hand: its result, its reason, its user (run
#                         after the bet path: fairness-report needs a few minutes of prints)
#   checks.sh restarted UNIT OLDPID   UNIT came back under a new main PID (Restart= or a restart)
#   checks.sh stop        systemctl stop tap.target: every daemon stopped cleanly (exit 0 on SIGTERM)
#
# What is expected comes from the installed units themselves (systemctl show), so a check cannot
# drift from the unit it checks.
set -uo pipefail

sock=/run/tap-redis/redis.sock
exposure_max=2.0 # scripts/check-ops-files.sh's threshold (exposure_max_tenths=20)
failed=0
ok() { printf 'ok    %s\n' "$*"; }
bad() {
  printf 'FAIL  %s\n' "$*"
  failed=$((failed + 1))
}
skipped=0
skip() { # A check this machine cannot make: shown, counted, never mistaken for a pass.
  printf 'SKIP  %s\n' "$*"
  skipped=$((skipped + 1))
}
check() { # DESCRIPTION CMD…: ok when CMD succeeds.
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi
}
prop() { systemctl show -p "$2" --value "$1"; }
# The daemons of tap.target (its Wants=), sorted.
daemons() { prop tap.target Wants | tr ' ' '\n' | grep '^tap-' | sort; }
redis_as() { # USER CMD…: a redis-cli command as that ACL user, its password from /etc/tap/redis/.
  local user=$1
  shift
  REDISCLI_AUTH=$(cat "/etc/tap/redis/$user.password") redis-cli -s "$sock" --user "$user" "$@" 2>&1
}
unit_env() { prop "$1" Environment | tr ' ' '\n' | sed -n "s/^$2=//p"; }
group_names() { # PID: its primary and supplementary groups, by name, sorted.
  local gid
  for gid in $(awk '/^Gid:/ {print $2} /^Groups:/ {for (i = 2; i <= NF; i++) print $i}' "/proc/$1/status" | sort -u); do
    getent group "$gid" | cut -d: -f1
  done | sort -u | tr '\n' ' '
}

check_units() {
  check "tap.target active" systemctl is-active --quiet tap.target
  check "redis-server active" systemctl is-active --quiet redis-server
  check "nginx active" systemctl is-active --quiet nginx
  local unit
  for unit in $(daemons); do check "$unit active" systemctl is-active --quiet "$unit"; done
  local timers
  timers=$(systemctl list-timers --no-legend 'tap-*' | grep -o 'tap-[a-z-]*\.timer' | sort | tr '\n' ' ')
  for unit in tap-archiver.timer tap-backup.timer tap-integrity-cron.timer tap-fairness-report.timer; do
    if [[ " $timers" == *" $unit "* ]]; then ok "$unit listed"; else bad "$unit not in list-timers ($timers)"; fi
  done
}

check_users() {
  local unit pid user want groups want_groups folder
  for unit in $(daemons); do
    pid=$(prop "$unit" MainPID)
    [[ $pid != 0 ]] || { bad "$unit has no main process"; continue; }
    user=$(ps -o user= -p "$pid")
    folder=$(prop "$unit" ExecStart | grep -o '/opt/tap/[a-z-]*' | head -1 | cut -d/ -f4)
    want=$(prop "$unit" User)
    if [[ $user == "$want" && $user == "tap-$folder" ]]; then ok "$unit runs as $user"; else bad "$unit runs as $user (User=$want, program $folder)"; fi
    groups=$(group_names "$pid")
    want_groups=$( (prop "$unit" Group; prop "$unit" SupplementaryGroups | tr ' ' '\n') | sed '/^$/d' | sort -u | tr '\n' ' ')
    if [[ $groups == "$want_groups" ]]; then ok "$unit groups: $groups"; else bad "$unit groups: $groups (unit: $want_groups)"; fi
  done
}

check_redis_socket() {
  local tcp
  tcp=$(ss -Hltnp | grep -c redis-server)
  if [[ $tcp == 0 ]]; then ok "redis-server listens on no TCP port"; else bad "redis-server listens on TCP: $(ss -Hltnp | grep redis-server)"; fi
  local listening
  listening=$(ss -Hlxp)
  if grep -q "$sock .*redis-server" <<<"$listening"; then ok "redis-server listens on $sock"; else bad "redis-server not on $sock"; fi
  local mode
  mode=$(stat -c '%a %U %G' "$sock")
  if [[ $mode == '770 redis tap-redis' ]]; then ok "socket $mode"; else bad "socket $mode (want 770 redis tap-redis)"; fi
  mode=$(stat -c '%a %U %G' "$(dirname "$sock")")
  if [[ $mode == '2750 redis tap-redis' ]]; then ok "socket dir $mode"; else bad "socket dir $mode (want 2750 redis tap-redis)"; fi
  # A tap user outside tap-redis cannot even connect (fairness-report signs in to nothing).
  local out
  out=$(runuser -u tap-fairness-report -- redis-cli -s "$sock" PING 2>&1)
  if grep -qi 'permission denied' <<<"$out"; then
    ok "tap-fairness-report (not in tap-redis) cannot connect"
  else bad "tap-fairness-report could connect to $sock"; fi
  out=$(redis-cli -s "$sock" PING 2>&1)
  if grep -q NOAUTH <<<"$out"; then ok "no session without AUTH (default user off)"; else bad "PING without AUTH answered"; fi
}

# Each client of CLIENT LIST is named by its daemon (connection name, or name-purpose); its ACL user
# must be that daemon's REDIS_USERNAME, and every daemon must be there.
check_client_list() {
  local list unit name acl seen=''
  list=$(redis_as admin CLIENT LIST)
  for unit in $(daemons); do
    name=${unit#tap-}
    name=${name%.service}
    [[ $name == archiver-restores ]] && name=archiver
    acl=$(unit_env "$unit" REDIS_USERNAME)
    local users
    users=$(grep -E "name=$name([-:][^ ]*)? " <<<"$list" | grep -o ' user=[^ ]*' | sort -u | tr -d ' ' | tr '\n' ' ')
    if [[ $users == "user=$acl " ]]; then ok "$unit connects as ACL user $acl"; else bad "$unit connects as '$users' (unit: $acl)"; fi
    seen+="$name|"
  done
  local stray
  stray=$(grep -vE "name=(${seen%|})([-:][^ ]*)? " <<<"$list" | grep -v 'cmd=client|list')
  if [[ -z $stray ]]; then ok "no other Redis client"; else bad "unexpected Redis clients: $stray"; fi
}

refused() { # USER DESCRIPTION CMD…: the command answers NOPERM for that user.
  local user=$1 what=$2 out
  shift 2
  out=$(redis_as "$user" "$@")
  if grep -q NOPERM <<<"$out"; then ok "$user refused: $what"; else bad "$user NOT refused $what: $out"; fi
}

check_acl() {
  local user
  for user in batcher ingest-api ws-gateway price-ingest health-monitor resolver archiver integrity-cron tapctl; do
    refused "$user" "CONFIG GET" CONFIG GET maxmemory
  done
  refused ingest-api "XADD tap:adjustments" XADD tap:adjustments '*' kind deposit
  refused ingest-api "XADD tap:settlements" XADD tap:settlements '*' betId x
  refused ingest-api "SET tap:batcher:heartbeat" HSET tap:batcher:heartbeat at 1
  refused ws-gateway "SET tap:session:x" SET tap:session:x 1
  refused price-ingest "XADD tap:bets" XADD tap:bets '*' a b
  refused health-monitor "XADD tap:adjustments" XADD tap:adjustments '*' a b
  refused resolver "XADD tap:adjustments" XADD tap:adjustments '*' a b
  refused archiver "XADD tap:bets" XADD tap:bets '*' a b
  refused integrity-cron "HSET tap:wallet:0x0" HSET tap:wallet:0x0 balance 1
  refused batcher "FLUSHALL" FLUSHALL
  refused tapctl "KEYS" KEYS '*'
}

check_credentials() {
  local unit user file mode other pid
  for unit in $(daemons); do
    user=$(prop "$unit" User)
    file=/run/credentials/$unit/redis-password
    mode=$(stat -c '%a %U' "$file" 2>/dev/null)
    if [[ $mode == "400 $user" ]]; then ok "$unit credential $file $mode"; else bad "$unit credential $file: '$mode' (want 400 $user)"; fi
    other=tap-ws-gateway
    [[ $user == tap-ws-gateway ]] && other=tap-ingest-api
    if runuser -u "$other" -- cat "$file" >/dev/null 2>&1; then bad "$other can read $file"; else ok "$other cannot read $unit's credential"; fi
    pid=$(prop "$unit" MainPID)
    local environ
    environ=$(tr '\0' '\n' <"/proc/$pid/environ")
    if [[ -z $environ ]]; then bad "$unit: cannot read /proc/$pid/environ"
    elif grep -q '^REDIS_PASSWORD=' <<<"$environ"; then bad "$unit has REDIS_PASSWORD in its environment"; else ok "$unit: password not in its environment"; fi
  done
  local f
  for f in /etc/tap /etc/tap/redis; do
    mode=$(stat -c '%a %U %G' "$f")
    if [[ $mode == '700 root root' ]]; then ok "$f $mode"; else bad "$f $mode (want 700 root root)"; fi
  done
  for f in /etc/tap/*.env /etc/tap/redis/*.password; do
    mode=$(stat -c '%a %U %G' "$f")
    [[ $mode == '600 root root' ]] || bad "$f $mode (want 600 root root)"
  done
  ok "env and password files checked (600 root root)"
  if runuser -u tap-batcher -- cat /etc/tap/operator.env >/dev/null 2>&1; then bad "tap-batcher can read operator.env"; else ok "tap-batcher cannot read operator.env (systemd reads it as root)"; fi
}

check_security() {
  local unit score
  for unit in $(systemctl list-unit-files --no-legend 'tap-*.service' | awk '{print $1}'); do
    score=$(systemd-analyze security "$unit" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
    if [[ -n $score ]] && awk -v s="$score" -v m="$exposure_max" 'BEGIN {exit !(s <= m)}'; then
      ok "$unit exposure $score (≤ $exposure_max)"
    else bad "$unit exposure '${score:-none}' (> $exposure_max)"; fi
  done
}

# IPAddressDeny=any + IPAddressAllow=localhost really drop traffic: a probe process moved into the
# unit's own cgroup cannot reach an address outside 127.0.0.0/8 (put on lo for the test, with a
# listener that root, outside the unit, reaches). MemoryMax= is the cgroup's memory.max.
check_cgroup_limits() {
  local unit cg probe srv out
  probe='const s=require("net").connect(7000,"10.9.9.9");s.setTimeout(3000,()=>{console.log("dropped");process.exit(1)});s.on("data",()=>{console.log("connected");process.exit(0)});s.on("error",e=>{console.log(e.code);process.exit(1)})'
  ip addr add 10.9.9.9/32 dev lo 2>/dev/null
  node -e 'require("net").createServer((s)=>s.end("hi")).listen(7000,"10.9.9.9")' &
  srv=$!
  sleep 1
  out=$(node -e "$probe")
  [[ $out == connected ]] || bad "firewall probe: root could not reach its own listener ($out)"
  for unit in $(daemons); do
    cg=/sys/fs/cgroup/system.slice/$unit
    if [[ -n $(prop "$unit" IPAddressDeny) ]]; then
      out=$(sh -c "echo \$\$ >$cg/cgroup.procs && exec node -e '$probe'" 2>&1)
      if [[ $out == dropped ]]; then ok "$unit: IPAddressDeny enforced (10.9.9.9 $out)"; else bad "$unit: IPAddressDeny not enforced (10.9.9.9: $out)"; fi
    fi
    local want have
    want=$(prop "$unit" MemoryMax)
    have=$(cat "$cg/memory.max" 2>/dev/null)
    if [[ " $(cat /sys/fs/cgroup/cgroup.controllers) " != *' memory '* ]]; then
      skip "$unit: MemoryMax=$want not checkable: no memory controller in this cgroup2 (the host binds it to cgroup v1)"
    elif [[ $have == "$want" ]]; then ok "$unit: memory.max $have"; else bad "$unit: memory.max '$have' (MemoryMax=$want)"; fi
  done
  kill "$srv"
  ip addr del 10.9.9.9/32 dev lo
}

check_journal() {
  local hits
  hits=$(journalctl --no-pager -o cat -u 'tap-*' | grep -iE 'eacces|permission denied|operation not permitted|226/NAMESPACE' | grep -v '"msg":"' | head -5)
  if [[ -z $hits ]]; then ok "no permission errors in the tap units' journal"; else bad "permission errors: $hits"; fi
}

# A timer job started by hand: RESULT is success, or exit-code with PATTERN in its journal (the
# reason it must fail here, e.g. no S3). A job cannot be checked for its user after it exited: its
# journal lines carry _UID.
check_job() { # UNIT RESULT [PATTERN]
  local unit=$1 want=$2 pattern=${3:-} result uid user log
  timeout 300 systemctl start "$unit" >/dev/null 2>&1
  result=$(prop "$unit" Result)
  # Whole outputs into variables: `journalctl | grep -q` fails under pipefail when grep stops early.
  log=$(journalctl -u "$unit" -o cat --no-pager)
  uid=$(journalctl -u "$unit" -o json --no-pager -n 50 | grep -o '"_UID":"[0-9]*"' | sort -u | grep -v '"0"' | head -1 | tr -dc 0-9)
  user=$(getent passwd "$uid" | cut -d: -f1)
  if [[ $result != "$want" ]]; then
    bad "$unit: $result (want $want): $(tail -5 <<<"$log" | cut -c1-300)"
  elif [[ -n $pattern ]] && ! grep -q "$pattern" <<<"$log"; then
    bad "$unit failed, but not for '$pattern': $(tail -5 <<<"$log" | cut -c1-300)"
  elif [[ $user != "$(prop "$unit" User)" ]]; then
    bad "$unit ran as '$user' (User=$(prop "$unit" User))"
  else ok "$unit: $result${pattern:+ (loudly: $pattern)} as $user"; fi
}

check_jobs() {
  check_job tap-backup.service exit-code 'Could not load credentials'
  check_job tap-archiver.service exit-code 'Could not load credentials'
  check_job tap-integrity-cron.service success
  check_job tap-fairness-report.service success
  check_job tap-edge-action.service success
}

# UNIT OLDPID: back under a new main PID, active.
check_restarted() {
  local unit=$1 old=$2 pid
  for _ in $(seq 30); do
    pid=$(prop "$unit" MainPID)
    if [[ $pid != 0 && $pid != "$old" ]] && systemctl is-active --quiet "$unit"; then
      ok "$unit back: main PID $old → $pid, NRestarts=$(prop "$unit" NRestarts)"
      return
    fi
    sleep 1
  done
  bad "$unit not back within 30 s (main PID $pid, $(systemctl is-active "$unit"))"
}

# systemctl stop tap.target: each daemon stops on SIGTERM by itself (exit 0, within TimeoutStopSec,
# never SIGKILLed) and nothing is left failed.
check_stop() {
  local units unit t0 took
  units=$(daemons)
  t0=$(date +%s%N)
  # A target's stop job does not wait for its PartOf= units (found by this drill: a plain `systemctl
  # stop tap.target` returned with the batcher still running), so the daemons are named too, as
  # systemd/README.md says; systemctl then waits for each.
  systemctl stop tap.target $units
  took=$((($(date +%s%N) - t0) / 1000000))
  ok "systemctl stop tap.target + its daemons took $took ms"
  for unit in $units; do
    local state result status
    state=$(systemctl is-active "$unit")
    result=$(prop "$unit" Result)
    status=$(prop "$unit" ExecMainStatus)
    if [[ $state == inactive && $result == success && $status == 0 ]]; then ok "$unit stopped: exit 0"; else bad "$unit: $state, result $result, exit $status"; fi
  done
  local kills
  kills=$(journalctl -u 'tap-*' --no-pager -o cat | grep -E 'State .stop-sigterm. timed out|Killing process .* with signal SIGKILL')
  if [[ -n $kills ]]; then bad "a daemon needed SIGKILL: $(head -3 <<<"$kills")"; else ok "no daemon needed SIGKILL"; fi
}

case "${1:-}" in
  system)
    check_units
    check_users
    check_redis_socket
    check_client_list
    check_acl
    check_credentials
    check_security
    check_cgroup_limits
    check_journal
    ;;
  jobs)
    check_jobs
    check_journal
    ;;
  restarted) check_restarted "$2" "$3" ;;
  stop) check_stop ;;
  *) echo "usage: checks.sh system|jobs|stop|restarted UNIT OLDPID" >&2; exit 64 ;;
esac
echo "checks.sh ${1}: $failed failed, $skipped skipped"
[[ $failed == 0 ]]
