#!/usr/bin/env bash
# check-ops-files.sh — checks the deployment files before they reach a VM: the systemd units,
# sysusers/tmpfiles snippets and env examples in systemd/, nginx/tap.conf, and the alerting in
# infra/prometheus/ and infra/grafana/.
#
#   scripts/check-ops-files.sh        # one line per file, then "ops files: N passed, M failed"
#
# Exit status 0 only when every file passes. Nothing on the machine is changed: every check runs
# on copies in a temp dir, removed on exit (users are created in a temp root, not on the host). The one exception: when systemd-analyze, nginx or
# promtool is missing (a fresh CI machine, as root), it installs the Debian packages systemd, nginx, prometheus.
#
# How each kind of file is checked, and why that way:
# - units (*.service, *.timer, *.target): `systemd-analyze verify`, run on copies in one temp dir
#   so the units find each other. verify needs no running systemd (it starts a private manager in
#   test mode), and it exits 0 on some problems (an unknown or misspelled directive, a bad value
#   is only "ignoring" a line), so every output line naming one of our units fails the check too.
#   It checks that ExecStart's executable exists: /usr/bin/node, not /opt/tap/<service>/dist/main.js
#   (an argument), so the services need not be deployed. If /usr/bin/node is missing but `node` is
#   on PATH, the copies use that node instead, and the line says so. It does not resolve User=:
#   users are looked up only when a process starts, so the tap user need not exist here.
#   Every *.service is also scored with `systemd-analyze security --offline=true` (no running
#   systemd needed): an exposure above EXPOSURE_MAX (2.0 on systemd's 0–10 scale, "OK"; the units
#   score 1.2–1.4 today) fails it, so a unit that loses a hardening line fails CI.
#   On top, what verify cannot see: a timer's service exists, each EnvironmentFile= has its
#   example in systemd/env/, ExecStart runs a service folder that exists in services/, tap.target
#   lists every daemon, a unit's REDIS_USERNAME is a user of infra/redis-users.acl.in and comes with
#   its LoadCredential= password (and every daemon user of that template has a unit), and no two
#   units listen on one port (OPS_PORT / HTTP_PORT / WS_PORT from the unit and its env examples).
# - tap.sysusers.conf / tap.tmpfiles.conf: applied with --root to an empty temp root (the user
#   lands in the temp root's /etc/passwd, the directories under it), then the result is checked,
#   including that every User=/Group= of the units is declared and every ReadWritePaths= is created.
#   Without root, ownership cannot be set in the temp root and only the modes are checked.
# - env examples: KEY=value lines and comments only, no duplicate key, read by some unit, and every
#   key declared by the service's loadConfig (services/<name>/src/config.ts; common.env: the shared
#   commonEnv in packages/runtime) — so an example cannot drift from the code.
# - nginx/tap.conf (with nginx/tap-realip.conf in its tap-realip.d/): `nginx -t` with a minimal nginx.conf in the temp dir that includes it inside
#   http{} (as /etc/nginx/conf.d does), with pid, logs and temp paths in the temp dir, so it needs
#   no root paths. Also: each value marked `# sed:` (what tests rewrite) occurs exactly once.
# - infra/prometheus/tap.rules.yml: `promtool check rules`, then its unit tests
#   `promtool test rules tap.rules.test.yml` (each alert fires on its failure, stays quiet when
#   healthy); promtool comes from Debian's prometheus package (scripts/setup.sh installs it).
#   Then check-metrics.mjs: every metric a rule or a dashboard panel (infra/grafana/*.json) queries
#   is exported by the code (or by redis_exporter / node_exporter / Prometheus itself).
set -euo pipefail

repo_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
systemd_dir=$repo_dir/systemd
nginx_conf=$repo_dir/nginx/tap.conf
systemd_analyze=/usr/bin/systemd-analyze
nginx_bin=/usr/sbin/nginx
node_bin=/usr/bin/node
# The highest `systemd-analyze security` exposure a unit may have (docs/security.md). systemd takes
# the threshold in tenths: 20 = 2.0.
exposure_max_tenths=20

passed=0
failed=0
tmp_dir=$(mktemp -d)
policy_rc_created=''
cleanup() {
  rm -rf "$tmp_dir"
  if [[ -n $policy_rc_created ]]; then rm -f /usr/sbin/policy-rc.d; fi
}
trap cleanup EXIT

# pass FILE [NOTE] / fail FILE REASON [DETAILS]: the one line per file, details indented below.
pass() {
  printf 'ok    %s%s\n' "$1" "${2:+  ($2)}"
  passed=$((passed + 1))
}
fail() {
  printf 'FAIL  %s: %s\n' "$1" "$2"
  if [[ -n ${3:-} ]]; then printf '%s\n' "$3" | sed '/^[[:space:]]*$/d; s/^/        /'; fi
  failed=$((failed + 1))
}
rel() { printf '%s' "${1#"$repo_dir"/}"; }

# Installs systemd, nginx and prometheus (for promtool) when missing. Package scripts must not
# start the nginx or prometheus service on the CI machine (ports 80, 9090), hence a temporary
# policy-rc.d.
ensure_tools() {
  local missing=()
  [[ -x $systemd_analyze ]] || missing+=(systemd)
  [[ -x $nginx_bin ]] || missing+=(nginx)
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  if [[ ${#missing[@]} -eq 0 ]]; then return 0; fi
  if [[ $EUID -ne 0 ]]; then
    echo "check-ops-files: ${missing[*]} missing (systemd-analyze, nginx, promtool); run as root to install them" >&2
    exit 2
  fi
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    policy_rc_created=yes
  fi
  echo "check-ops-files: installing ${missing[*]} (apt output on stderr)" >&2
  export DEBIAN_FRONTEND=noninteractive
  # The package lists of a fresh image may be stale or absent: update only if the install fails.
  if ! apt-get install -y --no-install-recommends "${missing[@]}" >&2; then
    apt-get update >&2
    apt-get install -y --no-install-recommends "${missing[@]}" >&2
  fi
}

# Values of KEY= in a unit file, one per line (space-separated values split).
unit_values() {
  sed -n "s/^$2=//p" "$1" | tr ' ' '\n' | sed '/^$/d'
}

# Prints a unit's overall exposure ("1.4"); fails when it is above the threshold.
unit_exposure() {
  local output status=0
  output=$("$systemd_analyze" security --offline=true --threshold="$exposure_max_tenths" "$1" 2>&1) || status=$?
  sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$output"
  return "$status"
}

# Extra checks verify cannot do; prints one problem per line.
unit_consistency() {
  local unit=$1 name
  name=$(basename "$unit")
  case $name in
    *.timer)
      local target
      target=$(unit_values "$unit" Unit)
      [[ -n $target ]] || target=${name%.timer}.service
      [[ -f $systemd_dir/$target ]] || echo "triggers $target, which is not in systemd/"
      ;;
    *.service)
      local env_file example folder
      while read -r env_file; do
        example=$systemd_dir/env/$(basename "${env_file#-}").example
        [[ -f $example ]] || echo "EnvironmentFile=$env_file has no example $(rel "$example")"
      done < <(unit_values "$unit" EnvironmentFile)
      # Node's own flags may sit between node and the entry (e.g. --max-semi-space-size=32).
      folder=$(sed -n 's#^ExecStart=[^ ]*\( --[^ ]*\)* /opt/tap/\([^/]*\)/dist/main.js.*#\2#p' "$unit")
      if [[ -z $folder ]]; then
        echo "ExecStart does not run /opt/tap/<service>/dist/main.js"
      elif [[ ! -d $repo_dir/services/$folder ]]; then
        echo "ExecStart runs /opt/tap/$folder, but services/$folder does not exist"
      fi
      local redis_user
      redis_user=$(unit_values "$unit" Environment | sed -n 's/^REDIS_USERNAME=//p')
      if [[ -n $redis_user ]]; then
        grep -q "^user $redis_user " "$repo_dir/infra/redis-users.acl.in" ||
          echo "REDIS_USERNAME=$redis_user is not a user of infra/redis-users.acl.in"
        grep -qx "LoadCredential=redis-password:/etc/tap/redis/$redis_user.password" "$unit" ||
          echo "REDIS_USERNAME=$redis_user without LoadCredential=redis-password:/etc/tap/redis/$redis_user.password"
        grep -qx 'Environment=REDIS_PASSWORD_FILE=%d/redis-password' "$unit" ||
          echo "REDIS_USERNAME=$redis_user without Environment=REDIS_PASSWORD_FILE=%d/redis-password"
      fi
      privilege_separation "$unit" "$folder"
      if grep -qx 'WantedBy=tap.target' "$unit" &&
        ! unit_values "$systemd_dir/tap.target" Wants | grep -qx "$name"; then
        echo "WantedBy=tap.target, but tap.target does not list it in Wants="
      fi
      ;;
  esac
}

# Issue 16, what verify cannot see: each unit runs as its program's own user, only the batcher
# may write the segments, and a unit that signs in to Redis can reach its socket.
segments_path=/var/lib/tap/segments
privilege_separation() {
  local unit=$1 folder=$2 name user group groups rw_path
  name=$(basename "$unit")
  user=$(unit_values "$unit" User)
  group=$(unit_values "$unit" Group)
  groups=$(unit_values "$unit" SupplementaryGroups)
  # One user per program (the archiver's three units share tap-archiver: one binary, one S3
  # credential): no two programs can share a user, and no unit runs as a shared one.
  if [[ -n $folder && $user != "tap-$folder" ]]; then
    echo "User=$user, but a unit of services/$folder runs as its own user tap-$folder"
  fi
  if [[ $name == tap-batcher.service ]]; then
    [[ $group == tap ]] || echo "Group=$group: the batcher's files must be group tap (the readers' group)"
  elif [[ $group != "$user" ]]; then
    echo "Group=$group: only the batcher runs with group tap as its primary group; others as their own"
  fi
  # Only the batcher may write the segments: no other unit's ReadWritePaths= covers segments/.
  for rw_path in $(unit_values "$unit" ReadWritePaths); do
    rw_path=${rw_path#-}
    rw_path=${rw_path%/}
    if [[ $segments_path == "$rw_path" || $segments_path == "$rw_path"/* || $rw_path == "$segments_path"/* ]] &&
      [[ $name != tap-batcher.service ]]; then
      echo "ReadWritePaths=$rw_path covers $segments_path: only tap-batcher.service may write the segments"
    fi
  done
  if [[ -n $(unit_values "$unit" Environment | sed -n 's/^REDIS_USERNAME=//p') ]] && ! grep -qx tap-redis <<<"$groups"; then
    echo "signs in to Redis without SupplementaryGroups=tap-redis (the group of Redis's unix socket)"
  fi
}

check_units() {
  local units_dir=$tmp_dir/units node_note=''
  mkdir -p "$units_dir"
  cp "$systemd_dir"/*.service "$systemd_dir"/*.timer "$systemd_dir"/*.target "$units_dir"/
  if [[ ! -x $node_bin ]]; then
    local stand_in
    stand_in=$(command -v node || true)
    if [[ -z $stand_in ]]; then
      fail "$(rel "$systemd_dir")/*.service" "$node_bin (ExecStart of every service) is missing and no node is on PATH"
      return
    fi
    sed -i "s#^ExecStart=$node_bin #ExecStart=$stand_in #" "$units_dir"/*.service
    node_note="verified with $stand_in standing in for $node_bin"
  fi
  # One run over all units: each is loaded once, so each warning is printed once. With an
  # explicit --recursive-errors (even =yes, the documented default) systemd 252 also exits 1 on
  # "Unknown key … ignoring" lines; without it, it exits 0. =one: our units and their direct
  # dependencies (a missing Requires= fails), not the host's whole tree. --man=no: slim CI images
  # have no man pages.
  local output status=0
  output=$(cd "$units_dir" && "$systemd_analyze" verify --man=no --generators=no \
    --recursive-errors=one ./* 2>&1) || status=$?
  # Name the repo's files, not the temp copies.
  output=$(sed "s#$units_dir/#systemd/#g" <<<"$output")
  # Each line is blamed on every unit it names (as "<path>/<unit>:", "<unit>:" or a word).
  local unit name lines consistency note claimed=''
  for unit in "$units_dir"/*; do
    name=$(basename "$unit")
    lines=$(grep -E "(^|[/ ])${name//./\\.}([: .]|$)" <<<"$output" || true)
    claimed+=$lines$'\n'
    consistency=$(unit_consistency "$systemd_dir/$name")
    if [[ -n $lines || -n $consistency ]]; then
      fail "systemd/$name" "${lines:+systemd-analyze verify}${lines:+${consistency:+ and }}${consistency:+consistency}" \
        "$(printf '%s\n%s' "$lines" "$consistency" | sed '/^$/d')"
      continue
    fi
    note=''
    if [[ $name == *.service ]]; then
      local exposure
      exposure=$(unit_exposure "$unit") || {
        fail "systemd/$name" "systemd-analyze security: exposure $exposure is above $((exposure_max_tenths / 10)).$((exposure_max_tenths % 10))" \
          "$("$systemd_analyze" security --offline=true "$unit" 2>&1 | grep '✗' | awk '{ print $NF "\t" $0 }' | sort -rn | cut -f2 | head -n 12)"
        continue
      }
      note="exposure $exposure${node_note:+; $node_note}"
    fi
    if [[ $name == *.timer ]]; then
      local spec next
      spec=$(sed -n 's/^OnCalendar=//p' "$unit" | head -n 1)
      next=$("$systemd_analyze" calendar "$spec" | sed -n 's/^ *Next elapse: //p')
      note="OnCalendar=$spec, next $next"
    fi
    pass "systemd/$name" "$note"
  done
  # Output naming none of our units (a host unit we depend on): shown; fatal only with a bad exit.
  local unclaimed
  unclaimed=$(grep -vxF -f <(sed '/^$/d' <<<"$claimed") <<<"$output" | sed '/^$/d' || true)
  if [[ $status -ne 0 && -z $(sed '/^$/d' <<<"$claimed") ]]; then
    fail "systemd/ (verify)" "systemd-analyze verify exit $status" "$output"
  elif [[ -n $unclaimed ]]; then
    printf 'note  systemd-analyze verify, about other units:\n%s\n' "$(sed 's/^/        /' <<<"$unclaimed")"
  fi
}

# Applies sysusers then tmpfiles to an empty root and checks what they made.
check_users_and_dirs() {
  local root=$tmp_dir/root sysusers=$systemd_dir/tap.sysusers.conf tmpfiles=$systemd_dir/tap.tmpfiles.conf
  local output status problems='' account
  mkdir -p "$root/etc"

  status=0
  output=$(systemd-sysusers --root="$root" "$sysusers" 2>&1) || status=$?
  # redis: the Redis package's own group (tap-backup reads Redis's dir through it), not ours.
  for account in $(cat "$systemd_dir"/*.service | sed -n 's/^\(User\|Group\|SupplementaryGroups\)=//p' |
    tr ' ' '\n' | sed '/^$/d; /^redis$/d' | sort -u); do
    grep -q "^$account:" "$root/etc/passwd" "$root/etc/group" 2>/dev/null ||
      problems+="User=/Group=/SupplementaryGroups=$account of a unit is not created"$'\n'
  done
  if [[ $status -ne 0 || -n $problems ]]; then
    fail "systemd/tap.sysusers.conf" "$([[ $status -ne 0 ]] && echo "systemd-sysusers exit $status" || echo 'a unit user is not declared')" \
      "$output"$'\n'"$problems"
  else
    pass "systemd/tap.sysusers.conf" "$(grep -c '^tap-' "$root/etc/passwd") users, groups $(grep -o '^tap[a-z-]*' "$root/etc/group" | paste -sd' ')"
  fi

  # /run/tap-redis belongs to the user redis, which Debian's redis-server package creates before
  # this runs on a VM (systemd/README.md); the empty temp root gets a stand-in for it.
  grep -q '^redis:' "$root/etc/group" || echo 'redis:x:990:' >>"$root/etc/group"
  grep -q '^redis:' "$root/etc/passwd" || echo 'redis:x:990:990::/var/lib/redis:/usr/sbin/nologin' >>"$root/etc/passwd"
  # Without root the chown to tap fails (exit 73); those lines alone are not a failure.
  status=0
  output=$(systemd-tmpfiles --create --root="$root" "$tmpfiles" 2>&1) || status=$?
  local unexpected note='modes and owners as declared'
  unexpected=$(grep -v 'fchownat() of .* failed: Operation not permitted' <<<"$output" || true)
  if [[ $EUID -ne 0 && $status -eq 73 && -z $unexpected ]]; then
    status=0
    note='modes only: not root, so owners are not set'
  fi
  problems=''
  local type path mode user group _
  while read -r type path mode user group _; do
    [[ $type == d ]] || continue
    local actual
    actual=$(stat -c '%a %U %G' "$root$path" 2>/dev/null || echo missing)
    if [[ $actual == missing ]]; then
      problems+="$path was not created"$'\n'
    elif [[ ${actual%% *} != "${mode#0}" ]]; then
      problems+="$path has mode ${actual%% *}, declared $mode"$'\n'
    elif [[ $EUID -eq 0 ]]; then
      # Owners as numbers, looked up in the temp root (the host may not have a tap user).
      local want_uid want_gid got
      want_uid=$(awk -F: -v u="$user" '$1 == u { print $3 }' "$root/etc/passwd" /etc/passwd | head -n 1)
      want_gid=$(awk -F: -v g="$group" '$1 == g { print $3 }' "$root/etc/group" /etc/group | head -n 1)
      got=$(stat -c '%u %g' "$root$path")
      [[ $got == "$want_uid $want_gid" ]] || problems+="$path is owned by $got, declared $user:$group"$'\n'
    fi
  done < <(grep -v '^[[:space:]]*#' "$tmpfiles")
  local rw_path
  for rw_path in $(cat "$systemd_dir"/*.service | sed -n 's/^ReadWritePaths=//p' | tr ' ' '\n' | sort -u); do
    grep -Eq "^d[[:space:]]+${rw_path#-}[[:space:]]" "$tmpfiles" ||
      problems+="ReadWritePaths=$rw_path of a unit is not created here (the unit would fail with 226/NAMESPACE)"$'\n'
  done
  if [[ $status -ne 0 || -n $problems ]]; then
    fail "systemd/tap.tmpfiles.conf" "$([[ $status -ne 0 ]] && echo "systemd-tmpfiles exit $status" || echo 'directories missing or wrong')" \
      "$output"$'\n'"$problems"
  else
    pass "systemd/tap.tmpfiles.conf" "$note"
  fi
}

# Keys of an env example that its loadConfig does not declare (a typo, or a variable that is
# gone): common.env against the shared commonEnv, <service>.env against services/<service>.
unread_variables() {
  local example=$1 name config key
  name=$(basename "$example" .env.example)
  if [[ $name == common ]]; then
    config=$repo_dir/packages/runtime/src/config.ts
  else
    config=$repo_dir/services/$name/src/config.ts
  fi
  [[ -f $config ]] || return 0
  for key in $(sed -n 's/^\([A-Z][A-Z0-9_]*\)=.*/\1/p' "$example"); do
    grep -Eq "^[[:space:]]*$key:" "$config" || echo "$key is not in $(rel "$config")"
  done
}

check_env_examples() {
  local example name bad dupes
  for example in "$systemd_dir"/env/*.env.example; do
    name=$(basename "$example" .example)
    bad=$(grep -nEv '^(#.*|[A-Z][A-Z0-9_]*=[^[:space:]]*|)$' "$example" || true)
    dupes=$(sed -n 's/^\([A-Z][A-Z0-9_]*\)=.*/\1/p' "$example" | sort | uniq -d)
    if [[ -n $bad ]]; then
      fail "systemd/env/$(basename "$example")" "lines that are neither KEY=value nor a comment" "$bad"
    elif [[ -n $dupes ]]; then
      fail "systemd/env/$(basename "$example")" "duplicate keys" "$dupes"
    elif ! grep -qx "EnvironmentFile=-\?/etc/tap/$name" "$systemd_dir"/*.service; then
      fail "systemd/env/$(basename "$example")" "no unit reads /etc/tap/$name"
    elif [[ -n $(unread_variables "$example") ]]; then
      fail "systemd/env/$(basename "$example")" "variables its service does not read" "$(unread_variables "$example")"
    else
      local count
      count=$(grep -c '^[A-Z]' "$example")
      pass "systemd/env/$(basename "$example")" "$count variable$([[ $count -eq 1 ]] || echo s)"
    fi
  done
}

check_nginx() {
  local nginx_dir=$tmp_dir/nginx output status=0 marker problems=''
  mkdir -p "$nginx_dir"
  cat >"$nginx_dir/nginx.conf" <<EOF
pid $nginx_dir/nginx.pid;
error_log $nginx_dir/error.log;
events {}
http {
    access_log off;
    client_body_temp_path $nginx_dir/client_body;
    proxy_temp_path $nginx_dir/proxy;
    fastcgi_temp_path $nginx_dir/fastcgi;
    uwsgi_temp_path $nginx_dir/uwsgi;
    scgi_temp_path $nginx_dir/scgi;
    include $nginx_dir/tap.conf;
}
EOF
  # nginx -t binds the listen sockets (a port in use is tolerated, a forbidden one is not): without
  # root, port 80 is checked as an unprivileged port, exactly the rewrite the tests make.
  # The history cache directory goes to the temp dir too: nginx -t creates it, and this check must
  # leave nothing on the machine.
  local note='' cache_dir="s#proxy_cache_path /var/cache/nginx/tap-history #proxy_cache_path $nginx_dir/history-cache #"
  if [[ $EUID -eq 0 ]]; then
    sed "$cache_dir" "$nginx_conf" >"$nginx_dir/tap.conf"
  else
    sed -e 's/^\([[:space:]]*listen\) 80;/\1 18080;/' -e "$cache_dir" "$nginx_conf" >"$nginx_dir/tap.conf"
    note='not root: listen 80 checked as 18080; '
  fi
  # The optional realip part (nginx/tap-realip.conf) is checked in place, as installed.
  mkdir -p "$nginx_dir/tap-realip.d"
  cp "$repo_dir/nginx/tap-realip.conf" "$nginx_dir/tap-realip.d/realip.conf"
  output=$("$nginx_bin" -t -q -p "$nginx_dir/" -c "$nginx_dir/nginx.conf" -e "$nginx_dir/error.log" 2>&1) || status=$?
  output=$(sed "s#$nginx_dir/tap.conf#$(rel "$nginx_conf")#g" <<<"$output")
  # The lines tests rewrite with sed: each value must occur exactly once.
  while read -r marker; do
    [[ $(grep -cF -- "$marker" "$nginx_conf") -eq 1 ]] || problems+="'$marker' (a # sed: line) is not unique"$'\n'
  done < <(sed -n 's/^[[:space:]]*\(.*;\)[[:space:]]*# sed:.*/\1/p' "$nginx_conf")
  if [[ $status -ne 0 || -n $problems ]]; then
    fail "$(rel "$nginx_conf")" "$([[ $status -ne 0 ]] && echo "nginx -t exit $status" || echo 'sed markers')" \
      "$output"$'\n'"$problems"
  else
    pass "$(rel "$nginx_conf")" "${note}nginx -t with tap-realip.conf, $(grep -c '# sed:' "$nginx_conf") sed markers unique"
  fi
}

check_alerting() {
  local dir=$repo_dir/infra/prometheus output status
  if ! command -v promtool >/dev/null 2>&1; then
    fail "infra/prometheus/tap.rules.yml" "promtool is missing (scripts/setup.sh installs Debian's prometheus package)"
    return
  fi
  status=0
  output=$(cd "$dir" && promtool check rules tap.rules.yml 2>&1) || status=$?
  if [[ $status -ne 0 ]]; then
    fail "infra/prometheus/tap.rules.yml" "promtool check rules exit $status" "$output"
  else
    pass "infra/prometheus/tap.rules.yml" "$(grep -o '[0-9]* rules found' <<<"$output")"
  fi
  status=0
  output=$(cd "$dir" && promtool test rules tap.rules.test.yml 2>&1) || status=$?
  if [[ $status -ne 0 ]]; then
    fail "infra/prometheus/tap.rules.test.yml" "promtool test rules exit $status" "$output"
  else
    pass "infra/prometheus/tap.rules.test.yml" "$(grep -c 'alertname:' "$dir/tap.rules.test.yml") alert checks"
  fi
  local line
  status=0
  output=$(node "$dir/check-metrics.mjs" 2>&1) || status=$?
  while read -r line; do
    case $line in
      ok*) pass "$(awk '{print $2}' <<<"$line")" "$(sed 's/^[^(]*(//; s/)$//' <<<"$line")" ;;
      FAIL*) fail "$(awk '{print $2}' <<<"$line" | tr -d :)" "${line#*: }" ;;
    esac
  done <<<"$output"
  if [[ $status -ne 0 && $output != *FAIL* ]]; then fail "infra/prometheus/check-metrics.mjs" "exit $status" "$output"; fi
}

# Every daemon user of the Redis ACL template is signed in by a unit (admin and tapctl are people's,
# default is off): a user no unit names is a daemon left on the wrong credentials, or a stale user.
check_redis_users() {
  local template=$repo_dir/infra/redis-users.acl.in user missing=''
  for user in $(sed -n 's/^user \([^ ]*\) .*/\1/p' "$template"); do
    case $user in default | admin | tapctl) continue ;; esac
    grep -qx "Environment=REDIS_USERNAME=$user" "$systemd_dir"/*.service || missing+="$user"$'\n'
  done
  if [[ -n $missing ]]; then
    fail "infra/redis-users.acl.in" "users no unit signs in as" "$missing"
  else
    pass "infra/redis-users.acl.in" "every daemon user is a unit's REDIS_USERNAME, with its credential"
  fi
}

# No two units listen on the same port (OPS_PORT, HTTP_PORT, WS_PORT). A unit's value is the last
# of its env files' examples that sets it (an EnvironmentFile= line overrides Environment=), else
# its Environment=; a unit setting none runs on its code's default and is not compared. The boot
# drill found fairness-report.env.example on the restore worker's 9108: every run died EADDRINUSE.
check_ports() {
  local unit key value env_file example owners='' clashes
  for unit in "$systemd_dir"/*.service; do
    for key in OPS_PORT HTTP_PORT WS_PORT; do
      value=$(unit_values "$unit" Environment | sed -n "s/^$key=//p" | tail -1)
      while read -r env_file; do
        example=$systemd_dir/env/$(basename "${env_file#-}").example
        [[ -f $example ]] || continue
        value=$(sed -n "s/^$key=//p" "$example" | tail -1 | grep . || printf '%s' "$value")
      done < <(unit_values "$unit" EnvironmentFile)
      [[ -n $value && $value != 0 ]] && owners+="$value $(basename "$unit") $key"$'\n'
    done
  done
  clashes=$(awk 'NF { n[$1]++; who[$1] = who[$1] " " $2 "(" $3 ")" } END { for (p in n) if (n[p] > 1) print p ":" who[p] }' <<<"$owners")
  if [[ -n $clashes ]]; then
    fail "systemd/*.service" "two units on one port" "$clashes"
  else
    pass "systemd/*.service" "every explicit port is one unit's ($(grep -c . <<<"$owners") ports)"
  fi
}

ensure_tools
check_ports
check_alerting
check_redis_users
check_units
check_users_and_dirs
check_env_examples
check_nginx
echo "ops files: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
