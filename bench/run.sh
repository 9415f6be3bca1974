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

USERS=${BENCH_USERS:-10000}
SPEEDUP=${BENCH_SPEEDUP:-100}
REQUESTS=${BENCH_REQUESTS:-100000}
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ---- build -----------------------------------------------------------------------------------
bench_build bench_server load_gen fsync_rate nss_lookup_rate
SERVER=$BUILD/bench/bench_server
LOAD=$BUILD/bench/load_gen
FSYNC=$BUILD/bench/fsync_rate
NSS_LOOKUP=$BUILD/bench/nss_lookup_rate
bench_note_load "the CPU and the disk"

# ---- scratch directory, configuration and accounts ----------------------------------------------
bench_scratch /tmp/authd-bench.XXXXXX
bench_write_config
bench_write_accounts

# The disk's rate drifts with other I/O on the machine: measured before and after the load.
FSYNC_BEFORE=$(field fdatasync_per_s "$("$FSYNC" --dir "$WORK/db" --seconds 2)")

# ---- server -----------------------------------------------------------------------------------
EPOCH=$(date +%s)
bench_start_server "$SERVER" "$EPOCH" "$SPEEDUP" "$LOAD"

log "enrolling $USERS users"
"$LOAD" enroll --socket "$SOCKET" --users "$USERS" --out "$WORK/users.txt" >"$WORK/enroll.out"
cat "$WORK/enroll.out" >&2

# ---- load -------------------------------------------------------------------------------------
rows=()
profiles=()
status=0
for c in $LEVELS; do
  log "concurrency $c: up to $REQUESTS verifications or $MAX_SECONDS s"
  bench_perf_start "$c"
  before=$(server_cpu_ticks)
  line=$("$LOAD" run --socket "$SOCKET" --users-file "$WORK/users.txt" --epoch "$EPOCH" \
    --speedup "$SPEEDUP" --concurrency "$c" --requests "$REQUESTS" --max-seconds "$MAX_SECONDS") ||
    status=1
  after=$(server_cpu_ticks)
  bench_perf_stop "$c"
  if [[ $profiled -eq 1 ]]; then
    profiles+=("concurrency $c, server CPU samples by activity:" "$(sample_categories)")
  fi
  echo "$line" >&2
  accepted=$(field accepted "$line")
  server_us=$(server_us_per_request "$before" "$after" "$(field requests "$line")")
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
bench_show_server_log
exit $status
