# Shared by the benchmark scripts (bench/run.sh, bench/run_fido2.sh, bench/run_ldap.sh); sourced,
# not run. Reads the knobs they all take, and holds their common steps: build, scratch directory
# with cleanup, authd.toml, nss_wrapper accounts, server start and stop, perf sampling per level
# and the server's CPU.
# shellcheck shell=bash disable=SC2034  # its variables are for the sourcing scripts

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${AUTHD_BENCH_BUILD:-$ROOT/build-bench}
MAX_SECONDS=${BENCH_MAX_SECONDS:-60}
LEVELS=${BENCH_LEVELS:-"1 16 256"}
THREADS=${BENCH_THREADS:-0}  # 0: the daemon's default (one per core but one)
# nss_wrapper (the bench accounts) is not thread-safe: concurrent lookups crash it or answer "no
# such user", so the nss benches run one worker (lookups are cached; logons do not use them).
WORKERS=${BENCH_WORKERS:-1}
MAX_BATCH=${BENCH_MAX_BATCH:-512}
PROFILE=${BENCH_PROFILE:-0}

log() { echo "bench: $*" >&2; }
# The value of KEY in a "key=value key=value" line printed by the bench programs.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }

# Configures $BUILD (Release when new) and builds the given targets.
bench_build() {
  if [[ ! -f $BUILD/CMakeCache.txt ]]; then
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DAUTHD_TESTS=OFF >/dev/null
  else
    cmake -S "$ROOT" -B "$BUILD" >/dev/null  # picks up new bench targets
  fi
  if ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$BUILD/CMakeCache.txt"; then
    log "warning: $BUILD is not a Release build; the figures will not be representative"
  fi
  cmake --build "$BUILD" -j"$(nproc)" --target "$@" >/dev/null
}

# Sets LOAD_BEFORE and warns when other work is running; $1 names what it competes for.
bench_note_load() {
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  if awk '{ exit !($1 > 1.0) }' /proc/loadavg; then
    log "warning: load average $LOAD_BEFORE: other work shares $1"
  fi
}

# Scratch directory WORK (from the mktemp template $1), removed with the server and any perf
# process whatever happens.
bench_scratch() {
  WORK=$(mktemp -d "$1")
  SOCKET=$WORK/authd.sock
  SERVER_PID=""
  PERF_PID=""
  RECORD_PID=""
  trap bench_cleanup EXIT
}

bench_cleanup() {
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

# The server's configuration and database directory ($1, default $WORK/db); a script appends its
# own sections.
bench_write_config() {
  local db=${1:-$WORK/db}
  mkdir -m 0700 "$db"
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
database = "$db/authd.db"
key_file = "$db/secret.key"
max_batch = $MAX_BATCH
EOF
}

# Accounts for the nss directory backend, through nss_wrapper: root, $USERS bench users and the
# caller, who is in authd-admin, so enrolment also works when the script does not run as root.
bench_write_accounts() {
  local me my_uid
  me=$(id -un)
  my_uid=$(id -u)
  {
    echo "root:x:0:0:root:/root:/bin/sh"
    if [[ $my_uid -ne 0 ]]; then echo "$me:x:$my_uid:$(id -g)::/nonexistent:/bin/sh"; fi
    awk -v n="$USERS" 'BEGIN {
      w = length(n - 1 "") < 4 ? 4 : length(n - 1 "")
      for (i = 0; i < n; i++)
        printf "bench%0" w "d:x:%d:20000::/nonexistent:/usr/sbin/nologin\n", i, 20000 + i
    }'
  } >"$WORK/passwd"
  {
    echo "root:x:0:"
    echo "authd-admin:x:19999:$me"
    echo "bench:x:20000:"
  } >"$WORK/group"
  # nss_wrapper reads its variables with getenv() inside its lookup loop, so the lookup cost
  # grows with the size of the environment: the server and the lookup baseline get a minimal one.
  # (An array, not a function: started in the background, `env` keeps the PID that $! reports.)
  WITH_DIRECTORY=(env -i NSS_WRAPPER_PASSWD="$WORK/passwd" NSS_WRAPPER_GROUP="$WORK/group"
    LD_PRELOAD=libnss_wrapper.so)
}

# Starts bench_server ($1) with clock epoch $2 and speedup $3, and waits until load_gen ($4)
# gets an answer to a ping on $SOCKET; exits with the server's log when it does not come up.
# Optional: configuration file $5 (default $WORK/authd.toml), log file $6 ($WORK/server.log).
bench_start_server() {
  local config=${5:-$WORK/authd.toml} server_log=${6:-$WORK/server.log}
  "${WITH_DIRECTORY[@]}" "$1" --config "$config" --epoch "$2" --speedup "$3" \
    2>"$server_log" &
  SERVER_PID=$!
  local ready=0
  for _ in $(seq 1 100); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    if [[ -S $SOCKET ]] && "$4" ping --socket "$SOCKET"; then ready=1; break; fi
    sleep 0.1
  done
  if [[ $ready -ne 1 ]]; then
    log "bench_server did not come up; its log:"
    cat "$server_log" >&2
    exit 1
  fi
}

# Stops the server $SERVER_PID (SIGTERM, bounded wait, SIGKILL) and clears SERVER_PID; for a
# script that runs several servers.
bench_stop_server() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then kill -KILL "$SERVER_PID" || true; fi
  fi
  if [[ -n $SERVER_PID ]]; then wait "$SERVER_PID" 2>/dev/null || true; fi
  SERVER_PID=""
}

# ---- per-level measurements of the server ------------------------------------------------------
CLK_TCK=$(getconf CLK_TCK)
server_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
# Server CPU µs per request from the ticks before ($1) and after ($2) a level of $3 requests.
server_us_per_request() {
  awk -v t=$(($2 - $1)) -v hz="$CLK_TCK" -v n="$3" \
    'BEGIN { printf "%.1f", (n > 0 ? t / hz * 1e6 / n : 0) }'
}

perf_ok=0
if command -v perf >/dev/null && perf stat -e syscalls:sys_enter_fdatasync true >/dev/null 2>&1; then
  perf_ok=1
fi

# Starts counting the server's syncs (and sampling it with BENCH_PROFILE=1) for level $1.
bench_perf_start() {
  if [[ $perf_ok -eq 1 ]]; then
    # Counts the server's fdatasync/fsync calls: one per group commit (plus checkpoints).
    perf stat -x, -o "$WORK/perf.$1" -e syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync \
      -p "$SERVER_PID" 2>/dev/null &
    PERF_PID=$!
  fi
  if [[ $perf_ok -eq 1 && $PROFILE == 1 ]]; then
    perf record -q -F 499 -o "$WORK/record.$1" -p "$SERVER_PID" >/dev/null 2>&1 &
    RECORD_PID=$!
  fi
}

# Stops what bench_perf_start began for level $1: sets syncs ("-" without perf), and profiled=1
# with samples (perf script lines) when it sampled. Not in $(...): it clears the PIDs.
bench_perf_stop() {
  syncs="-"
  profiled=0
  samples=""
  if [[ -n $PERF_PID ]]; then
    kill -INT "$PERF_PID" 2>/dev/null || true
    wait "$PERF_PID" 2>/dev/null || true
    PERF_PID=""
    syncs=$(awk -F, '/syscalls:sys_enter_f/ { s += $1 } END { print s + 0 }' "$WORK/perf.$1")
  fi
  if [[ -n $RECORD_PID ]]; then
    kill -INT "$RECORD_PID" 2>/dev/null || true
    wait "$RECORD_PID" 2>/dev/null || true
    RECORD_PID=""
    profiled=1
    samples=$(perf script -i "$WORK/record.$1" -G -F ip,sym,dso 2>/dev/null || true)
  fi
}

# The server's CPU samples of one level by activity (bench/perf_categories.awk).
sample_categories() { awk -f "$ROOT/bench/perf_categories.awk" <<<"$samples"; }

bench_show_server_log() {
  if [[ -s $WORK/server.log ]]; then
    log "server log:"
    head -20 "$WORK/server.log" >&2
  fi
}
