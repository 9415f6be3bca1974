#!/usr/bin/env bash
# The TOTP verification benchmark (docs/performance.md). Builds bench_server, load_gen and the
# baseline probes (Release) when needed, starts bench_server -- the production daemon with a warped
# clock -- in a temporary directory with 10,000 users supplied through nss_wrapper, enrols them,
# runs the verify load at each concurrency level, prints a table and the baselines measured in
# the same run, stops the server and removes the directory. Only the Unix socket is used; every
# loop is bounded in count and time.
#
# Knobs (environment): BENCH_USERS (10000), BENCH_SPEEDUP (100: a 30 s step lasts 300 ms),
# BENCH_REQUESTS (verifications per level, 100000), BENCH_MAX_SECONDS (per level, 60),
# BENCH_LEVELS ("1 16 256"), BENCH_THREADS / BENCH_WORKERS / BENCH_MAX_BATCH (server config),
# BENCH_PROFILE=1 (samples the server with perf at each level and prints where its CPU went),
# AUTHD_BENCH_BUILD (build directory, default build-bench).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${AUTHD_BENCH_BUILD:-$ROOT/build-bench}
USERS=${BENCH_USERS:-10000}
SPEEDUP=${BENCH_SPEEDUP:-100}
REQUESTS=${BENCH_REQUESTS:-100000}
MAX_SECONDS=${BENCH_MAX_SECONDS:-60}
LEVELS=${BENCH_LEVELS:-"1 16 256"}
THREADS=${BENCH_THREADS:-2}
WORKERS=${BENCH_WORKERS:-4}
MAX_BATCH=${BENCH_MAX_BATCH:-512}
PROFILE=${BENCH_PROFILE:-0}

log() { echo "bench: $*" >&2; }
# The value of KEY in a "key=value key=value" line printed by the bench programs.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }

# ---- build -----------------------------------------------------------------------------------
if [[ ! -f $BUILD/CMakeCache.txt ]]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DAUTHD_TESTS=OFF >/dev/null
else
  cmake -S "$ROOT" -B "$BUILD" >/dev/null  # picks up new bench targets
fi
if ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$BUILD/CMakeCache.txt"; then
  log "warning: $BUILD is not a Release build; the figures will not be representative"
fi
cmake --build "$BUILD" -j"$(nproc)" --target bench_server load_gen fsync_rate nss_lookup_rate \
  >/dev/null
SERVER=$BUILD/bench/bench_server
LOAD=$BUILD/bench/load_gen
FSYNC=$BUILD/bench/fsync_rate
NSS_LOOKUP=$BUILD/bench/nss_lookup_rate
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
if awk '{ exit !($1 > 1.0) }' /proc/loadavg; then
  log "warning: load average $LOAD_BEFORE: other work shares the CPU and the disk"
fi

# ---- scratch directory, cleaned up whatever happens -------------------------------------------
WORK=$(mktemp -d /tmp/authd-bench.XXXXXX)
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
EOF

# ---- accounts for the nss directory backend, through nss_wrapper ------------------------------
# The caller is in authd-admin, so enrolment also works when the script does not run as root.
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

# nss_wrapper reads its variables with getenv() inside its lookup loop, so the lookup cost grows
# with the size of the environment: the server and the lookup baseline get a minimal one.
# (An array, not a function: started in the background, `env` keeps the PID that $! reports.)
WITH_DIRECTORY=(env -i NSS_WRAPPER_PASSWD="$WORK/passwd" NSS_WRAPPER_GROUP="$WORK/group"
  LD_PRELOAD=libnss_wrapper.so)

# The disk's rate drifts with other I/O on the machine: measured before and after the load.
FSYNC_BEFORE=$(field fdatasync_per_s "$("$FSYNC" --dir "$WORK/db" --seconds 2)")

# ---- server -----------------------------------------------------------------------------------
EPOCH=$(date +%s)
"${WITH_DIRECTORY[@]}" "$SERVER" --config "$WORK/authd.toml" --epoch "$EPOCH" --speedup "$SPEEDUP" \
  2>"$WORK/server.log" &
SERVER_PID=$!
ready=0
for _ in $(seq 1 100); do
  kill -0 "$SERVER_PID" 2>/dev/null || break
  if [[ -S $SOCKET ]] && "$LOAD" ping --socket "$SOCKET"; then ready=1; break; fi
  sleep 0.1
done
if [[ $ready -ne 1 ]]; then
  log "bench_server did not come up; its log:"
  cat "$WORK/server.log" >&2
  exit 1
fi

log "enrolling $USERS users"
"$LOAD" enroll --socket "$SOCKET" --users "$USERS" --out "$WORK/users.txt" >"$WORK/enroll.out"
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
  log "concurrency $c: up to $REQUESTS verifications or $MAX_SECONDS s"
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
  line=$("$LOAD" run --socket "$SOCKET" --users-file "$WORK/users.txt" --epoch "$EPOCH" \
    --speedup "$SPEEDUP" --concurrency "$c" --requests "$REQUESTS" --max-seconds "$MAX_SECONDS") ||
    status=1
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
    profiles+=("concurrency $c, server CPU samples by activity:"
      "$(perf script -i "$WORK/record.$c" -G -F ip,sym,dso 2>/dev/null |
        awk -f "$ROOT/bench/perf_categories.awk")")
  fi
  echo "$line" >&2
  accepted=$(field accepted "$line")
  server_us=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$(field requests "$line")" \
    'BEGIN { printf "%.1f", (n > 0 ? t / hz * 1e6 / n : 0) }')
  per_sync="-"
  [[ $syncs != "-" && $syncs -gt 0 ]] && per_sync=$(awk -v a="$accepted" -v s="$syncs" \
    'BEGIN { printf "%.1f", a / s }')
  rows+=("$c $(field requests "$line") $accepted $(field rejected "$line") \
$(field locked "$line") $(field errors "$line") $(field verifications_per_s "$line") \
$(field p50_ms "$line") $(field p99_ms "$line") $server_us $(field client_cpu_s "$line") \
$syncs $per_sync")
done

# ---- baselines, measured now on the same machine -----------------------------------------------
FSYNC_AFTER=$(field fdatasync_per_s "$("$FSYNC" --dir "$WORK/db" --seconds 2)")
FSYNC_RATE=$(((FSYNC_BEFORE + FSYNC_AFTER) / 2))
NSS_RATE=$(field lookups_per_s "$("${WITH_DIRECTORY[@]}" "$NSS_LOOKUP" --users "$USERS" --seconds 2)")
# HMAC-SHA1 over 16-byte inputs (a TOTP message is 8 bytes), one core.
HMAC_RATE=$(openssl speed -seconds 2 -mr -hmac sha1 2>/dev/null |
  awk -F: '/^\+F:/ { printf "%.0f", $4 / 16; exit }')

# ---- report -----------------------------------------------------------------------------------
echo
echo "authd TOTP verification benchmark: $USERS users, speedup $SPEEDUP" \
  "(one step = $(awk -v s="$SPEEDUP" 'BEGIN { printf "%.0f", 30000 / s }') ms)," \
  "threads=$THREADS workers=$WORKERS max_batch=$MAX_BATCH, $(nproc) cores," \
  "load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| concurrency | requests | accepted | rejected | locked | errors | verifications/s |" \
  "p50 ms | p99 ms | server CPU µs/verify | client CPU s | fsyncs | accepts/fsync |" \
  "× fsync rate | × lookup rate |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for r in "${rows[@]}"; do
  read -r c n acc rej lck err vps p50 p99 sus ccpu syncs per_sync <<<"$r"
  ratio=$(awk -v v="$vps" -v f="$FSYNC_RATE" 'BEGIN { printf "%.2f", (f > 0 ? v / f : 0) }')
  nss_ratio=$(awk -v v="$vps" -v f="$NSS_RATE" 'BEGIN { printf "%.2f", (f > 0 ? v / f : 0) }')
  echo "| $c | $n | $acc | $rej | $lck | $err | $vps | $p50 | $p99 | $sus | $ccpu | $syncs |" \
    "$per_sync | $ratio | $nss_ratio |"
  if [[ $rej != 0 || $lck != 0 || $err != 0 ]]; then status=1; fi
done
echo
echo "baseline: write+fdatasync on the database's filesystem: $FSYNC_RATE/s" \
  "(before the load $FSYNC_BEFORE/s, after $FSYNC_AFTER/s)"
echo "baseline: account lookups (getpwnam_r + getgrouplist through nss_wrapper, $USERS users," \
  "one thread): $NSS_RATE/s (authd caches them for directory.cache_ttl seconds)"
echo "baseline: HMAC-SHA1 (16-byte input, one core, openssl speed): $HMAC_RATE/s"
echo "          (authd computes 3 HMACs per verify with totp.window = 1)"
for p in "${profiles[@]}"; do echo "$p"; done
if [[ -s $WORK/server.log ]]; then
  log "server log:"
  head -20 "$WORK/server.log" >&2
fi
exit $status
