#!/usr/bin/env bash
# The device agent's cost (docs/performance.md, "Through a device's agent"): TOTP verifications
# sent directly to the central authd's socket and, in the same run, through an agent (authd
# --agent) that forwards them over mutual TLS on loopback. Builds bench_server, load_gen and authd
# (Release) when needed, makes a test CA (tests/tls/test_ca.sh) in a temporary directory, starts
# bench_server with the TLS listener and the agent with a device certificate, enrols the users,
# runs the same load at each concurrency level against both sockets, prints a table, stops both
# and removes the directory. Traffic stays on loopback; every loop is bounded in count and time.
#
# Knobs (environment): BENCH_USERS (10000), BENCH_REQUESTS (per level and path, 50000),
# BENCH_MAX_SECONDS (per level and path, 60), BENCH_LEVELS ("1 16 256"), AUTHD_BENCH_BUILD.
set -euo pipefail

USERS=${BENCH_USERS:-10000}
SPEEDUP=100
REQUESTS=${BENCH_REQUESTS:-50000}
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_build bench_server load_gen authd
SERVER=$BUILD/bench/bench_server
LOAD=$BUILD/bench/load_gen
AUTHD=$BUILD/authd
bench_note_load "the CPU"

bench_scratch /tmp/authd-bench-agent.XXXXXX
bench_write_config
bench_write_accounts
bash "$ROOT/tests/tls/test_ca.sh" "$WORK/ca" central bench-device >/dev/null
{
  echo
  echo "[tls]"
  echo "listen = [\"127.0.0.1:0\"]"
  echo "cert_file = \"$WORK/ca/central.pem\""
  echo "key_file = \"$WORK/ca/central.key\""
  echo "ca_file = \"$WORK/ca/ca.pem\""
  echo "max_connections_per_device = 1024"
} >>"$WORK/authd.toml"
# The agent may send as fast as the load generator asks: it is one device standing for many.
# Level info: the server names the address it listens on.
sed -i -e 's/^\[server\]$/[server]\nrequests_per_second = 100000\nrequest_burst = 100000/' \
  -e 's/^level = "warning"$/level = "info"/' "$WORK/authd.toml"

EPOCH=$(date +%s)
bench_start_server "$SERVER" "$EPOCH" "$SPEEDUP" "$LOAD"
CENTRAL=$(sed -n 's/.*tls: listening on \(127\.0\.0\.1:[0-9]*\).*/\1/p' "$WORK/server.log")
if [[ -z $CENTRAL ]]; then
  log "the server did not name its TLS address"
  exit 1
fi

AGENT_SOCKET=$WORK/agent.sock
{
  echo "[server]"
  echo "socket = \"$AGENT_SOCKET\""
  echo "max_connections = 4096"
  echo "[log]"
  echo "level = \"warning\""
  echo "[agent]"
  echo "servers = [\"$CENTRAL\"]"
  echo "cert_file = \"$WORK/ca/bench-device.pem\""
  echo "key_file = \"$WORK/ca/bench-device.key\""
  echo "ca_file = \"$WORK/ca/ca.pem\""
} >"$WORK/agent.toml"
"${WITH_DIRECTORY[@]}" "$AUTHD" --agent --config "$WORK/agent.toml" 2>"$WORK/agent.log" &
AGENT_PID=$!
trap 'kill "$AGENT_PID" 2>/dev/null || true; bench_cleanup' EXIT
for _ in $(seq 1 100); do
  if [[ -S $AGENT_SOCKET ]] && "$LOAD" ping --socket "$AGENT_SOCKET"; then break; fi
  sleep 0.1
done
agent_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$AGENT_PID/stat"; }

log "enrolling $USERS users"
"$LOAD" enroll --socket "$SOCKET" --users "$USERS" --out "$WORK/users.txt" >"$WORK/enroll.out"

# run_level SOCKET C : one level through SOCKET; prints load_gen's result line.
run_level() {
  "$LOAD" run --socket "$1" --users-file "$WORK/users.txt" --epoch "$EPOCH" --speedup "$SPEEDUP" \
    --concurrency "$2" --requests "$REQUESTS" --max-seconds "$MAX_SECONDS"
}

rows=()
status=0
for c in $LEVELS; do
  log "concurrency $c: directly, then through the agent"
  direct=$(run_level "$SOCKET" "$c") || status=1
  before=$(agent_cpu_ticks)
  agent=$(run_level "$AGENT_SOCKET" "$c") || status=1
  after=$(agent_cpu_ticks)
  agent_us=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$(field requests "$agent")" \
    'BEGIN { printf "%.1f", (n > 0 ? t / hz * 1e6 / n : 0) }')
  for line in "$direct" "$agent"; do
    if [[ $(field errors "$line") != 0 || $(field rejected "$line") != 0 ]]; then status=1; fi
  done
  rows+=("$c $(field verifications_per_s "$direct") $(field p50_ms "$direct") \
$(field p99_ms "$direct") $(field verifications_per_s "$agent") $(field p50_ms "$agent") \
$(field p99_ms "$agent") $agent_us $(field errors "$agent")")
done

echo
echo "authd through a device agent: $USERS users, TOTP verify, agent and central authd on one" \
  "$(nproc)-core machine over loopback TLS, load average before: $LOAD_BEFORE"
echo
echo "| concurrency | direct: verifications/s | direct: p50 ms | direct: p99 ms |" \
  "agent: verifications/s | agent: p50 ms | agent: p99 ms | agent CPU µs/request |" \
  "agent errors | **agent / direct** |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for r in "${rows[@]}"; do
  read -r c dv dp50 dp99 av ap50 ap99 aus aerr <<<"$r"
  ratio=$(awk -v a="$av" -v d="$dv" 'BEGIN { printf "%.0f %%", (d > 0 ? 100 * a / d : 0) }')
  echo "| $c | $dv | $dp50 | $dp99 | $av | $ap50 | $ap99 | $aus | $aerr | **$ratio** |"
done
exit $status
