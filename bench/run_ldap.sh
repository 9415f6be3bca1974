#!/usr/bin/env bash
# The LDAP directory benchmark (docs/performance.md, "LDAP directory"). Starts a real slapd
# (tests/ldap/slapd.sh, ldaps://127.0.0.1, log level stats) holding the bench users
# (bench0000.., as bench/bench_user.h names them, each in BENCH_GROUPS_PER_USER groups through
# memberOf) and three bench_servers -- the production daemon with a warped clock -- each with its
# own socket and database, into which the users are enrolled through the server itself:
#   ldap-cold  directory.backend = "ldap", cache_ttl = 0, negative_cache_ttl = 0: every logon
#              searches slapd
#   ldap-warm  the same with cache_ttl = 3600, measured after one verify of every user (a pass
#              that the other two get as well, so that the three databases match)
#   nss        bench/run.sh's setting (nss_wrapper, the default cache): the baseline
# At each concurrency level the three run one after the other (an idle server costs nothing), so
# all three see the same machine, and that BENCH_ROUNDS times; every run starts after a sync. The
# table shows medians over the rounds of logons/s, p50/p99 latency and CPU per logon of authd and
# of slapd, and the LDAP operations per logon (SRCH and BIND requests in slapd's log during the
# runs, counted by slapd.sh ops, over the verifications); the p99 differences to nss are taken per
# round. Only loopback and Unix sockets are used; every loop is bounded; slapd, the servers and
# the scratch directory go whatever happens.
#
# Knobs (environment): BENCH_USERS (10000), BENCH_SPEEDUP (200), BENCH_REQUESTS (verifications
# per run, 50000), BENCH_MAX_SECONDS (per run, 60), BENCH_ROUNDS (runs per directory and level,
# 3), BENCH_LEVELS ("1 16 256"), BENCH_GROUPS_PER_USER (3), BENCH_LDAP_POOL (ldap.pool_size, 4),
# BENCH_THREADS / BENCH_WORKERS / BENCH_MAX_BATCH (server config), AUTHD_BENCH_BUILD (build
# directory, default build-bench), BENCH_NO_BUILD=1 (use the binaries already in
# AUTHD_BENCH_BUILD).
set -euo pipefail

USERS=${BENCH_USERS:-10000}
SPEEDUP=${BENCH_SPEEDUP:-200} # 150 ms steps: 10,000 users allow 66,000 logons/s
REQUESTS=${BENCH_REQUESTS:-50000}
ROUNDS=${BENCH_ROUNDS:-3}
GROUPS_PER_USER=${BENCH_GROUPS_PER_USER:-3}
POOL=${BENCH_LDAP_POOL:-4}
WARM_TTL=3600
WARMUP_CONCURRENCY=16
: "${BENCH_WORKERS:=4}"  # accounts come from slapd, not nss_wrapper: several workers, as deployed
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LDAP_SH=$ROOT/tests/ldap/slapd.sh

if [[ ! $ROUNDS =~ ^[1-9][0-9]{0,2}$ ]]; then
  log "BENCH_ROUNDS takes 1..999, not '$ROUNDS'"
  exit 2
fi
if [[ ! -x ${SLAPD:-/usr/sbin/slapd} ]]; then
  log "slapd is not installed (Debian: slapd ldap-utils)"
  exit 1
fi

# ---- build ------------------------------------------------------------------------------------
if [[ ${BENCH_NO_BUILD:-0} != 1 ]]; then bench_build bench_server load_gen; fi
SERVER=$BUILD/bench/bench_server
LOAD=$BUILD/bench/load_gen
bench_note_load "the CPU"

# ---- scratch directory, slapd, accounts and configurations -------------------------------------
CONFIGS=(ldap-cold ldap-warm nss)
declare -A PIDS=() SOCKETS=()
bench_scratch /tmp/authd-bench-ldap.XXXXXX
LDAP_DIR=$WORK/ldap

# shellcheck disable=SC2317 # run by the EXIT trap
ldap_bench_cleanup() {
  local name
  bench_stop_server # the last one started, perhaps before it got into PIDS
  for name in "${!PIDS[@]}"; do
    SERVER_PID=${PIDS[$name]}
    bench_stop_server
  done
  "$LDAP_SH" stop "$LDAP_DIR" >/dev/null 2>&1 || true
  bench_cleanup
}
trap ldap_bench_cleanup EXIT

# The names bench/bench_user.h gives: at least four digits, more when the count needs them.
last_index=$((USERS > 0 ? USERS - 1 : 0))
width=$((${#last_index} > 4 ? ${#last_index} : 4))
log "starting slapd with $USERS users in $GROUPS_PER_USER groups each"
"$LDAP_SH" start "$LDAP_DIR" --no-seed --users "$USERS" --user-first 0 \
  --user-format "bench%0${width}d" --groups-per-user "$GROUPS_PER_USER" >"$WORK/slapd.start" 2>&1 ||
  { cat "$WORK/slapd.start" >&2 && exit 1; }
# shellcheck source=/dev/null
ldap_var() { (source "$LDAP_DIR/env" && printf '%s' "${!1}"); }
SLAPD_PID=$(ldap_var LDAP_PID)

bench_write_accounts # the nss baseline's users; the caller as authd admin for all three

# ldap_section TTL: the ldap backend over ldaps, groups from memberOf, cache_ttl = TTL.
ldap_section() {
  cat <<EOF

[directory]
backend = "ldap"
cache_ttl = $1
negative_cache_ttl = $1

[ldap]
uris = ["$(ldap_var LDAPS_URI)"]
ca_file = "$(ldap_var LDAP_CA)"
bind_dn = "$(ldap_var LDAP_BIND_DN)"
bind_password_file = "$(ldap_var LDAP_BIND_PASSWORD_FILE)"
user_base = "$(ldap_var LDAP_PEOPLE)"
group_mode = "member_of"
disabled_attribute = "pwdAccountLockedTime"
pool_size = $POOL
EOF
}

# write_server_config NAME: $WORK/NAME.toml with socket $WORK/NAME.sock and database $WORK/NAME.
write_server_config() {
  SOCKET=$WORK/$1.sock
  SOCKETS[$1]=$SOCKET
  bench_write_config "$WORK/$1"
  case $1 in
  ldap-cold) ldap_section 0 >>"$WORK/authd.toml" ;;
  ldap-warm) ldap_section "$WARM_TTL" >>"$WORK/authd.toml" ;;
  *) ;; # nss: bench/run.sh's configuration
  esac
  mv "$WORK/authd.toml" "$WORK/$1.toml"
}

# ---- helpers ----------------------------------------------------------------------------------
EPOCH=$(date +%s)

# use_server NAME: points SOCKET and SERVER_PID (what lib.sh's functions use) at server NAME.
use_server() {
  SOCKET=${SOCKETS[$1]}
  SERVER_PID=${PIDS[$1]}
}

slapd_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SLAPD_PID/stat"; }
ops_since() { "$LDAP_SH" ops "$LDAP_DIR" --since "$1"; }
per() { awk -v a="$1" -v n="$2" -v f="${3:-%.3f}" 'BEGIN { printf f, (n > 0 ? a / n : 0) }'; }

# enrol NAME: enrols every bench user through server NAME into $WORK/NAME.users; sets
# ENROL_SRCH, the LDAP searches per enrolment.
enrol() {
  local mark
  use_server "$1"
  mark=$("$LDAP_SH" mark "$LDAP_DIR")
  log "$1: enrolling $USERS users"
  "$LOAD" enroll --socket "$SOCKET" --users "$USERS" --out "$WORK/$1.users" >"$WORK/enroll.out"
  cat "$WORK/enroll.out" >&2
  ENROL_SRCH=$(per "$(field SRCH "$(ops_since "$mark")")" "$USERS" "%.2f")
}

# verify_load NAME CONCURRENCY REQUESTS: one load_gen run against server NAME; sets LINE, OPS
# (slapd's SRCH/BIND requests during it), SERVER_US and SLAPD_US (CPU µs per verification).
verify_load() {
  local mark before after slapd_before slapd_after n
  use_server "$1"
  # Writes still pending from the run before (slapd's log, another database) would stall this
  # run's fdatasyncs: every run starts with them on disk.
  sync -f "$WORK"
  mark=$("$LDAP_SH" mark "$LDAP_DIR")
  before=$(server_cpu_ticks)
  slapd_before=$(slapd_cpu_ticks)
  LINE=$("$LOAD" run --socket "$SOCKET" --users-file "$WORK/$1.users" --epoch "$EPOCH" \
    --speedup "$SPEEDUP" --concurrency "$2" --requests "$3" --max-seconds "$MAX_SECONDS") ||
    status=1
  after=$(server_cpu_ticks)
  slapd_after=$(slapd_cpu_ticks)
  OPS=$(ops_since "$mark")
  echo "$1: $LINE $OPS" >&2
  n=$(field requests "$LINE")
  SERVER_US=$(server_us_per_request "$before" "$after" "$n")
  SLAPD_US=$(server_us_per_request "$slapd_before" "$slapd_after" "$n")
}

# measure NAME CONCURRENCY ROUND: one run of server NAME; appends a row to `rows` (the SRCH and
# BIND columns are counts here; summarise turns them into per-logon figures).
measure() {
  log "$1, concurrency $2, round $3: up to $REQUESTS verifications or $MAX_SECONDS s"
  verify_load "$1" "$2" "$REQUESTS"
  rows+=("$1 $2 $3 $(field requests "$LINE") $(field accepted "$LINE") \
$(($(field rejected "$LINE") + $(field locked "$LINE") + $(field errors "$LINE"))) \
$(field verifications_per_s "$LINE") $(field p50_ms "$LINE") $(field p99_ms "$LINE") \
$SERVER_US $SLAPD_US $(field SRCH "$OPS") $(field BIND "$OPS") $(field step_waits "$LINE")")
}

# Reads rows, prints one line per directory and level (in first-seen order): summed counts,
# the medians over the rounds of rate, p50, p99 and CPU, and LDAP operations per logon.
summarise() {
  awk '
    function median(list, count,    v, i, j, t) {
      split(list, v, " ")
      for (i = 2; i <= count; i++)
        for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
      return count % 2 ? v[(count + 1) / 2] : (v[count / 2] + v[count / 2 + 1]) / 2
    }
    {
      k = $1 " " $2
      if (!(k in rounds)) order[++groups] = k
      rounds[k]++; n[k] += $4; acc[k] += $5; failed[k] += $6
      vps[k] = vps[k] " " $7; p50[k] = p50[k] " " $8; p99[k] = p99[k] " " $9
      sus[k] = sus[k] " " $10; lus[k] = lus[k] " " $11
      srch[k] += $12; bind[k] += $13; waits[k] += $14
    }
    END {
      for (g = 1; g <= groups; g++) {
        k = order[g]; r = rounds[k]
        printf "%s %d %d %d %.0f %.3f %.3f %.1f %.1f %.3f %.3f %d\n", k, n[k], acc[k], failed[k],
          median(vps[k], r), median(p50[k], r), median(p99[k], r), median(sus[k], r),
          median(lus[k], r), (n[k] ? srch[k] / n[k] : 0), (n[k] ? bind[k] / n[k] : 0), waits[k]
      }
    }'
}

# p99 differences of directory $1 minus directory $2 at level $3, per round (each pair ran
# back to back), and their median: "d1 d2 ... (median m)".
p99_differences() {
  awk -v a="$1" -v b="$2" -v c="$3" '
    $2 == c && $1 == a { x[$3] = $9 }
    $2 == c && $1 == b { y[$3] = $9 }
    END {
      for (r = 1; r in x && r in y; r++) { d[r] = x[r] - y[r]; out = out sprintf("%+.3f ", d[r]) }
      count = r - 1
      for (i = 2; i <= count; i++)
        for (j = i; j > 1 && d[j - 1] > d[j]; j--) { t = d[j]; d[j] = d[j - 1]; d[j - 1] = t }
      m = count % 2 ? d[(count + 1) / 2] : (d[count / 2] + d[count / 2 + 1]) / 2
      printf "%s(median %+.3f)", out, m
    }'
}

# ---- servers, enrolment, warm-up ---------------------------------------------------------------
status=0
for name in "${CONFIGS[@]}"; do
  write_server_config "$name"
  bench_start_server "$SERVER" "$EPOCH" "$SPEEDUP" "$LOAD" "$WORK/$name.toml" "$WORK/$name.log"
  PIDS[$name]=$SERVER_PID
done
enrol ldap-cold
ENROL_LDAP=$ENROL_SRCH
enrol ldap-warm
enrol nss
# The warm-up pass fills ldap-warm's cache. The others get the same pass, so that all three
# databases hold the same history (credentials, audit rows) when the measured runs begin.
for name in "${CONFIGS[@]}"; do
  log "$name: warm-up, one verify of each of the $USERS users"
  verify_load "$name" "$WARMUP_CONCURRENCY" "$USERS"
  if [[ $name == ldap-warm ]]; then WARMUP="$(field requests "$LINE") verifications, $OPS"; fi
done

# ---- load -------------------------------------------------------------------------------------
rows=()
for c in $LEVELS; do
  for ((round = 1; round <= ROUNDS; round++)); do
    for name in "${CONFIGS[@]}"; do measure "$name" "$c" "$round"; done
  done
done

# ---- report -----------------------------------------------------------------------------------
echo
echo "authd LDAP directory benchmark: $USERS users in slapd (ldaps://127.0.0.1, log level stats)," \
  "$GROUPS_PER_USER groups each (memberOf), ldap.pool_size=$POOL, speedup $SPEEDUP," \
  "threads=$THREADS workers=$WORKERS, $(nproc) cores, $ROUNDS rounds of up to $REQUESTS" \
  "verifications per directory and level (medians over the rounds; counts summed)," \
  "load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| directory | concurrency | verifications | accepted | failed | logons/s | p50 ms | p99 ms |" \
  "authd CPU µs/logon | slapd CPU µs/logon | LDAP SRCH/logon | LDAP BIND/logon | step waits |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
while read -r label c n acc failed vps p50 p99 sus lus srch bind waits; do
  echo "| $label | $c | $n | $acc | $failed | $vps | $p50 | $p99 | $sus | $lus | $srch | $bind |" \
    "$waits |"
  if [[ $failed != 0 || $acc != "$n" ]]; then status=1; fi
done < <(printf '%s\n' "${rows[@]}" | sort -s -k1,1 | summarise)
echo
echo "enrolment through the ldap backend: $ENROL_LDAP LDAP searches per enrolment"
echo "warm-up of ldap-warm (cache_ttl = $WARM_TTL): $WARMUP"
echo "p99 differences in ms, per round (each pair ran back to back):"
for c in $LEVELS; do
  echo "  concurrency $c: ldap-warm − nss $(printf '%s\n' "${rows[@]}" | p99_differences ldap-warm nss "$c")" \
    "(what the warm-cache lookup adds; target < 1 ms);" \
    "ldap-cold − nss $(printf '%s\n' "${rows[@]}" | p99_differences ldap-cold nss "$c")"
done
echo "(step waits > 0: the $USERS users, not authd, limited the rate; raise BENCH_SPEEDUP)"
for name in "${CONFIGS[@]}"; do
  if [[ -s $WORK/$name.log ]]; then
    log "$name server log:"
    head -20 "$WORK/$name.log" >&2
  fi
done
exit $status
