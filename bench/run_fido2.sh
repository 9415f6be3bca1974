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

USERS=${BENCH_USERS:-2000}
REQUESTS=${BENCH_REQUESTS:-50000}
RP_ID=bench.example.org
CORES=$(nproc)
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ECDSA P-256 verifications per second from `openssl speed -mr` output: the summary line
# "+F4:index:bits:sign/s:verify/s" (with -multi, the last one is the sum over the processes).
verify_rate() { awk -F: '/^\+F4:/ { rate = $5 } END { printf "%.0f", rate }'; }

# ---- build -----------------------------------------------------------------------------------
bench_build bench_server load_gen fido2_load_gen
SERVER=$BUILD/bench/bench_server
PING=$BUILD/bench/load_gen
LOAD=$BUILD/bench/fido2_load_gen
bench_note_load "the CPU"

# ---- scratch directory, configuration and accounts ----------------------------------------------
bench_scratch /tmp/authd-bench-fido2.XXXXXX
bench_write_config
cat >>"$WORK/authd.toml" <<EOF

[fido2]
rp_id = "$RP_ID"
EOF
bench_write_accounts

# ---- server -----------------------------------------------------------------------------------
# --speedup 1: the warped clock of bench_server is the real clock.
bench_start_server "$SERVER" "$(date +%s)" 1 "$PING"

log "registering a security key for each of $USERS users"
"$LOAD" enroll --socket "$SOCKET" --rp-id "$RP_ID" --users "$USERS" --out "$WORK/keys.txt" \
  >"$WORK/enroll.out"
cat "$WORK/enroll.out" >&2

# ---- load -------------------------------------------------------------------------------------
rows=()
profiles=()
status=0
for c in $LEVELS; do
  log "concurrency $c: up to $REQUESTS logons or $MAX_SECONDS s"
  bench_perf_start "$c"
  before=$(server_cpu_ticks)
  line=$("$LOAD" run --socket "$SOCKET" --rp-id "$RP_ID" --users-file "$WORK/keys.txt" \
    --concurrency "$c" --requests "$REQUESTS" --max-seconds "$MAX_SECONDS") || status=1
  after=$(server_cpu_ticks)
  bench_perf_stop "$c"
  if [[ $profiled -eq 1 ]]; then
    # perf_categories.awk was written for TOTP: its "crypto" line is all of libcrypto here.
    profiles+=("concurrency $c, server CPU samples by activity:" "$(sample_categories)"
      "concurrency $c, the server's 20 hottest functions (share of samples):"
      "$(awk 'NF >= 2 { n[$2 " " $NF]++; t++ }
        END { for (s in n) printf "  %5.1f%%  %s\n", 100 * n[s] / t, s }' <<<"$samples" |
        sort -rn | awk 'NR <= 20')")  # not head: sort would die of SIGPIPE under pipefail
  fi
  echo "$line" >&2
  server_us=$(server_us_per_request "$before" "$after" "$(field requests "$line")")
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
bench_show_server_log
exit $status
