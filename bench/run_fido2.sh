#!/usr/bin/env bash
# The FIDO2 assertion benchmark (docs/performance.md, "FIDO2 assertion verification"). Builds
# bench_server, load_gen (for its ping) and fido2_load_gen (Release) when needed, starts
# bench_server -- the production daemon; its clock runs at real speed here (--speedup 1), since
# FIDO2 challenges, unlike TOTP steps, do not limit the rate -- in a temporary directory with the
# bench users supplied through nss_wrapper, registers one software ES256 key per user, runs the
# logon load (fido2_begin + verify) at each concurrency level, prints a table and the raw ECDSA
# P-256 verify rate of the same machine measured in the same run, stops the server and removes
# the directory. Only the Unix socket is used; every loop is bounded in count and time.
#
# Knobs (environment): BENCH_USERS (2000), BENCH_REQUESTS (logons per level, 50000),
# BENCH_MAX_SECONDS (per level, 60), BENCH_LEVELS ("1 16 256"), BENCH_THREADS / BENCH_WORKERS /
# BENCH_MAX_BATCH (server config), BENCH_PROFILE=1 (samples the server with perf at each level
# and prints where its CPU went), AUTHD_BENCH_BUILD (build directory, default build-bench).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${AUTHD_BENCH_BUILD:-$ROOT/build-bench}
USERS=${BENCH_USERS:-2000}
REQUESTS=${BENCH_REQUESTS:-50000}
MAX_SECONDS=${BENCH_MAX_SECONDS:-60}
LEVELS=${BENCH_LEVELS:-"1 16 256"}
THREADS=${BENCH_THREADS:-2}
WORKERS=${BENCH_WORKERS:-4}
MAX_BATCH=${BENCH_MAX_BATCH:-512}
PROFILE=${BENCH_PROFILE:-0}
RP_ID=bench.example.org
CORES=$(nproc)

log() { echo "bench: $*" >&2; }
# The value of KEY in a "key=value key=value" line printed by the bench programs.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }
# ECDSA P-256 verifications per second from `openssl speed -mr` output: the summary line
# "+F4:index:bits:sign/s:verify/s" (with -multi, the last one is the sum over the processes).
verify_rate() { awk -F: '/^\+F4:/ { rate = $5 } END { printf "%.0f", rate }'; }

# ---- build -----------------------------------------------------------------------------------
if [[ ! -f $BUILD/CMakeCache.txt ]]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DAUTHD_TESTS=OFF >/dev/null
else
  cmake -S "$ROOT" -B "$BUILD" >/dev/null  # picks up new bench targets
fi
if ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$BUILD/CMakeCache.txt"; then
  log "warning: $BUILD is not a Release build; the figures will not be representative"
fi
cmake --build "$BUILD" -j"$CORES" --target bench_server load_gen fido2_load_gen >/dev/null
SERVER=$BUILD/bench/bench_server
PING=$BUILD/bench/load_gen
LOAD=$BUILD/bench/fido2_load_gen
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
if awk '{ exit !($1 > 1.0) }' /proc/loadavg; then
  log "warning: load average $LOAD_BEFORE: other work shares the CPU"
fi

# ---- scratch directory, cleaned up whatever happens -------------------------------------------
WORK=$(mktemp -d /tmp/authd-bench-fido2.XXXXXX)
SERVER_PID=""
PERF_PID=""
RECORD_PID=""
cleanup() {
  for p in $PERF_PID $RECORD_PID; do
    if kill -0 "$p" 2>/dev/null; then kill -INT "$p" || true; fi
  done
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

SOCKET=$WORK/authd.sock
mkdir -m 0700 "$WORK/db"
cat >"$WORK/authd.toml" <<EOF
[server]
socket = "$SOCKET"
admin_group = "authd-admin"
threads = $THREADS
workers = $WORKERS
max_connections = 4096

[log]
level = "warning"

[store]
database = "$WORK/db/authd.db"
key_file = "$WORK/db/secret.key"
max_batch = $MAX_BATCH

[fido2]
rp_id = "$RP_ID"
EOF

# ---- accounts for the nss directory backend, through nss_wrapper ------------------------------
# The caller is in authd-admin, so registration also works when the script does not run as root.
me=$(id -un)
my_uid=$(id -u)
{
  echo "root:x:0:0:root:/root:/bin/sh"
  if [[ $my_uid -ne 0 ]]; then echo "$me:x:$my_uid:$(id -g)::/nonexistent:/bin/sh"; fi
  awk -v n="$USERS" 'BEGIN {
    w = length(n - 1 "") < 4 ? 4 : length(n - 1 "")
    for (i = 0; i < n; i++) printf "bench%0" w "d:x:%d:20000::/nonexistent:/usr/sbin/nologin\n", i, 20000 + i
  }'
} >"$WORK/passwd"
{
  echo "root:x:0:"
  echo "authd-admin:x:19999:$me"
  echo "bench:x:20000:"
} >"$WORK/group"

# A minimal environment for the server: nss_wrapper's lookup cost grows with it (see run.sh).
WITH_DIRECTORY=(env -i NSS_WRAPPER_PASSWD="$WORK/passwd" NSS_WRAPPER_GROUP="$WORK/group"
  LD_PRELOAD=libnss_wrapper.so)

# ---- server -----------------------------------------------------------------------------------
# --speedup 1: the warped clock of bench_server is the real clock.
"${WITH_DIRECTORY[@]}" "$SERVER" --config "$WORK/authd.toml" --epoch "$(date +%s)" --speedup 1 \
  2>"$WORK/server.log" &
SERVER_PID=$!
ready=0
for _ in $(seq 1 100); do
  kill -0 "$SERVER_PID" 2>/dev/null || break
  if [[ -S $SOCKET ]] && "$PING" ping --socket "$SOCKET"; then ready=1; break; fi
  sleep 0.1
done
if [[ $ready -ne 1 ]]; then
  log "bench_server did not come up; its log:"
  cat "$WORK/server.log" >&2
  exit 1
fi

log "registering a security key for each of $USERS users"
"$LOAD" enroll --socket "$SOCKET" --rp-id "$RP_ID" --users "$USERS" --out "$WORK/keys.txt" \
  >"$WORK/enroll.out"
cat "$WORK/enroll.out" >&2

# ---- load -------------------------------------------------------------------------------------
CLK_TCK=$(getconf CLK_TCK)
server_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
perf_ok=0
if command -v perf >/dev/null && perf stat -e syscalls:sys_enter_fdatasync true >/dev/null 2>&1; then
  perf_ok=1
fi

rows=()
profiles=()
status=0
for c in $LEVELS; do
  log "concurrency $c: up to $REQUESTS logons or $MAX_SECONDS s"
  if [[ $perf_ok -eq 1 ]]; then
    # Counts the server's fdatasync/fsync calls: one per group commit (plus checkpoints).
    perf stat -x, -o "$WORK/perf.$c" -e syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync \
      -p "$SERVER_PID" 2>/dev/null &
    PERF_PID=$!
  fi
  if [[ $perf_ok -eq 1 && $PROFILE == 1 ]]; then
    perf record -q -F 499 -o "$WORK/record.$c" -p "$SERVER_PID" >/dev/null 2>&1 &
    RECORD_PID=$!
  fi
  before=$(server_cpu_ticks)
  line=$("$LOAD" run --socket "$SOCKET" --rp-id "$RP_ID" --users-file "$WORK/keys.txt" \
    --concurrency "$c" --requests "$REQUESTS" --max-seconds "$MAX_SECONDS") || status=1
  after=$(server_cpu_ticks)
  syncs="-"
  if [[ -n $PERF_PID ]]; then
    kill -INT "$PERF_PID" 2>/dev/null || true
    wait "$PERF_PID" 2>/dev/null || true
    PERF_PID=""
    syncs=$(awk -F, '/syscalls:sys_enter_f/ { s += $1 } END { print s + 0 }' "$WORK/perf.$c")
  fi
  if [[ -n $RECORD_PID ]]; then
    kill -INT "$RECORD_PID" 2>/dev/null || true
    wait "$RECORD_PID" 2>/dev/null || true
    RECORD_PID=""
    samples=$(perf script -i "$WORK/record.$c" -G -F ip,sym,dso 2>/dev/null || true)
    # perf_categories.awk was written for TOTP: its "crypto" line is all of libcrypto here.
    profiles+=("concurrency $c, server CPU samples by activity:"
      "$(awk -f "$ROOT/bench/perf_categories.awk" <<<"$samples")"
      "concurrency $c, the server's 20 hottest functions (share of samples):"
      "$(awk 'NF >= 2 { n[$2 " " $NF]++; t++ }
        END { for (s in n) printf "  %5.1f%%  %s\n", 100 * n[s] / t, s }' <<<"$samples" |
        sort -rn | awk 'NR <= 20')")  # not head: sort would die of SIGPIPE under pipefail
  fi
  echo "$line" >&2
  server_us=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$(field requests "$line")" \
    'BEGIN { printf "%.1f", (n > 0 ? t / hz * 1e6 / n : 0) }')
  rows+=("$c $(field requests "$line") $(field accepted "$line") $(field rejected "$line") \
$(field locked "$line") $(field errors "$line") $(field logons_per_s "$line") \
$(field p50_ms "$line") $(field p99_ms "$line") $server_us $(field client_cpu_s "$line") \
$(field seconds "$line") $syncs")
done

# ---- baselines, measured now on the same machine -----------------------------------------------
SINGLE_VERIFY=$(openssl speed -seconds 2 -mr ecdsap256 2>/dev/null | verify_rate)
MULTI_VERIFY=$(openssl speed -seconds 2 -mr -multi "$CORES" ecdsap256 2>/dev/null | verify_rate)

# ---- report -----------------------------------------------------------------------------------
echo
echo "authd FIDO2 assertion benchmark: $USERS users with one ES256 key each, rp_id $RP_ID," \
  "threads=$THREADS workers=$WORKERS max_batch=$MAX_BATCH, $CORES cores," \
  "load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| concurrency | logons | accepted | rejected | locked | errors | **logons/s** | p50 ms |" \
  "p99 ms | server CPU µs/logon | × one raw verify | client CPU s / wall s | fsyncs |" \
  "**× $CORES-core verify rate** |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for r in "${rows[@]}"; do
  read -r c n acc rej lck err lps p50 p99 sus ccpu secs syncs <<<"$r"
  ratio=$(awk -v v="$lps" -v f="$MULTI_VERIFY" 'BEGIN { printf "%.0f %%", (f > 0 ? 100 * v / f : 0) }')
  # Server CPU per logon in units of one ECDSA verify's CPU time (1 / the one-core rate).
  verifies=$(awk -v u="$sus" -v f="$SINGLE_VERIFY" 'BEGIN { printf "%.1f", u * f / 1e6 }')
  echo "| $c | $n | $acc | $rej | $lck | $err | **$lps** | $p50 | $p99 | $sus | $verifies |" \
    "$ccpu / $secs | $syncs | **$ratio** |"
  if [[ $rej != 0 || $lck != 0 || $err != 0 || $acc == 0 ]]; then status=1; fi
done
echo
echo "baseline: ECDSA P-256 verify (openssl speed -seconds 2 -mr ecdsap256), one core:" \
  "$SINGLE_VERIFY/s"
echo "          (per second of CPU time: openssl speed counts user CPU time unless -multi)"
echo "baseline: the same on all $CORES cores (-multi $CORES, per second of wall time, so it also" \
  "shows what other work on the machine left over): $MULTI_VERIFY/s (target: logons/s >= 60 % of it)"
for p in "${profiles[@]}"; do echo "$p"; done
if [[ -s $WORK/server.log ]]; then
  log "server log:"
  head -20 "$WORK/server.log" >&2
fi
exit $status
