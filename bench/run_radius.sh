#!/usr/bin/env bash
# The RADIUS benchmark (docs/performance.md, "RADIUS: authd vs FreeRADIUS" and "Login storm").
# Starts a real slapd with the bench users (tests/ldap/slapd.sh, ldaps://127.0.0.1, as
# bench/run_ldap.sh), bench_server -- the production daemon, its clock at real speed
# (--speedup 1), since FreeRADIUS runs on the real clock -- with the ldap backend and [radius] on
# loopback, enrols every user's TOTP app through it, and starts FreeRADIUS 3.2 from a
# configuration of its own in the scratch directory: the `files` module holds the same users
# (Cleartext-Password, TOTP-Secret), authorize splits the code off the password by regex, and
# Auth-Type PAPTOTP runs pap, then totp. Then:
#   1. The same load (radius_load_gen: Message-Authenticator in every request, each reply's
#      authenticators checked) at each level of requests in flight against
#        authd           mode = "append", require_message_authenticator: password + code, the
#                        password checked by a bind to slapd after the code matched
#        FreeRADIUS      the files + pap + totp peer
#        authd otp_only  the code alone from 127.0.0.2 (a second client): authd without the
#                        directory password, to show what the bind costs
#      The servers and slapd share one core (BENCH_SERVER_CPU), the load generators the other
#      (BENCH_CLIENT_CPU). Every run starts on a fresh 30 s step and uses each user at most once
#      per step, so every request should be accepted by both servers.
#   2. A login storm: STORM_VPN logons over RADIUS (append mode) and STORM_DEVICES TOTP
#      verifies over the Unix socket (load_gen), each paced evenly over STORM_SECONDS, both at
#      once, on disjoint users.
# Prints a table for each. Only loopback and Unix sockets are used; every loop is bounded in
# count and time; slapd, the servers and the scratch directory go whatever happens.
#
# Knobs (environment): BENCH_USERS (10000), BENCH_REQUESTS (requests per run, 10000),
# BENCH_MAX_SECONDS (per run, 60), BENCH_LEVELS (requests in flight, "1 64"),
# BENCH_RADIUS_SOCKETS (at most this many UDP sockets per run, 4), BENCH_STORM_VPN (650),
# BENCH_STORM_DEVICES (4000), BENCH_STORM_SECONDS (60), BENCH_SERVER_CPU (0), BENCH_CLIENT_CPU
# (1), BENCH_LDAP_POOL (4), BENCH_THREADS / BENCH_WORKERS (server config), BENCH_PROFILE=1
# (samples authd with perf in each run), AUTHD_BENCH_BUILD (build directory, default
# build-bench), BENCH_NO_BUILD=1 (use the binaries already there).
set -euo pipefail

USERS=${BENCH_USERS:-10000}
REQUESTS=${BENCH_REQUESTS:-10000}
MAX_SOCKETS=${BENCH_RADIUS_SOCKETS:-4}
STORM_VPN=${BENCH_STORM_VPN:-650}
STORM_DEVICES=${BENCH_STORM_DEVICES:-4000}
STORM_SECONDS=${BENCH_STORM_SECONDS:-60}
SERVER_CPU=${BENCH_SERVER_CPU:-0}
CLIENT_CPU=${BENCH_CLIENT_CPU:-1}
POOL=${BENCH_LDAP_POOL:-4}
: "${BENCH_WORKERS:=4}" # accounts come from slapd, not nss_wrapper: several workers, as deployed
: "${BENCH_LEVELS:=1 64}"
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LDAP_SH=$ROOT/tests/ldap/slapd.sh
FREERADIUS=${FREERADIUS:-/usr/sbin/freeradius}

if [[ ! -x ${SLAPD:-/usr/sbin/slapd} ]]; then
  log "slapd is not installed (Debian: slapd ldap-utils)"
  exit 1
fi
if [[ ! -x $FREERADIUS || ! -e /usr/lib/freeradius/rlm_totp.so ]]; then
  log "FreeRADIUS with rlm_totp is not installed (Debian: freeradius)"
  exit 1
fi
if [[ $STORM_VPN -ge $USERS ]]; then
  log "BENCH_STORM_VPN ($STORM_VPN) must leave users for the devices (BENCH_USERS $USERS)"
  exit 2
fi

# ---- build ------------------------------------------------------------------------------------
if [[ ${BENCH_NO_BUILD:-0} != 1 ]]; then bench_build bench_server load_gen radius_load_gen; fi
SERVER=$BUILD/bench/bench_server
LOAD=$BUILD/bench/load_gen
RLOAD=$BUILD/bench/radius_load_gen
bench_note_load "the CPU"
ON_CLIENT=(taskset -c "$CLIENT_CPU")

# ---- scratch directory, slapd ------------------------------------------------------------------
bench_scratch /tmp/authd-bench-radius.XXXXXX
LDAP_DIR=$WORK/ldap
FR_DIR=$WORK/freeradius
FR_PID=""

# shellcheck disable=SC2317 # run by the EXIT trap
radius_bench_cleanup() {
  if [[ -n $FR_PID ]] && kill -0 "$FR_PID" 2>/dev/null; then
    kill -TERM "$FR_PID" || true
    for _ in $(seq 1 50); do kill -0 "$FR_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$FR_PID" 2>/dev/null; then kill -KILL "$FR_PID" || true; fi
  fi
  bench_stop_server
  "$LDAP_SH" stop "$LDAP_DIR" >/dev/null 2>&1 || true
  bench_cleanup
}
trap radius_bench_cleanup EXIT

last_index=$((USERS > 0 ? USERS - 1 : 0))
width=$((${#last_index} > 4 ? ${#last_index} : 4))
log "starting slapd with $USERS users"
"$LDAP_SH" start "$LDAP_DIR" --no-seed --users "$USERS" --user-first 0 \
  --user-format "bench%0${width}d" >"$WORK/slapd.start" 2>&1 ||
  { cat "$WORK/slapd.start" >&2 && exit 1; }
# shellcheck source=/dev/null
ldap_var() { (source "$LDAP_DIR/env" && printf '%s' "${!1}"); }
SLAPD_PID=$(ldap_var LDAP_PID)
taskset -acp "$SERVER_CPU" "$SLAPD_PID" >/dev/null

# ---- authd: configuration, start, enrolment -----------------------------------------------------
free_udp_ports() {
  python3 -c '
import socket
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))'
}
read -r AUTHD_PORT FR_PORT < <(free_udp_ports)
SECRET=$(openssl rand -hex 16)
(umask 077 && printf '%s\n' "$SECRET" >"$WORK/radius.secret")

bench_write_accounts # root (the caller) as authd admin; the bench accounts come from slapd
bench_write_config "$WORK/db"
cat >>"$WORK/authd.toml" <<EOF

[directory]
backend = "ldap"
# Every logon asks slapd, as a user's first logon of the day does; the storm's users log on once
# each, so the default cache would not hit there either.
cache_ttl = 0
negative_cache_ttl = 0

[ldap]
uris = ["$(ldap_var LDAPS_URI)"]
ca_file = "$(ldap_var LDAP_CA)"
bind_dn = "$(ldap_var LDAP_BIND_DN)"
bind_password_file = "$(ldap_var LDAP_BIND_PASSWORD_FILE)"
user_base = "$(ldap_var LDAP_PEOPLE)"
group_mode = "member_of"
disabled_attribute = "pwdAccountLockedTime"
pool_size = $POOL

[radius]
listen = ["127.0.0.1:$AUTHD_PORT"]

[[radius.clients]]
name = "bench-append"
address = "127.0.0.1"
secret_file = "$WORK/radius.secret"
mode = "append"
require_message_authenticator = true

[[radius.clients]]
name = "bench-otp-only"
address = "127.0.0.2"
secret_file = "$WORK/radius.secret"
mode = "otp_only"
require_message_authenticator = true
EOF
WITH_DIRECTORY=(taskset -c "$SERVER_CPU" "${WITH_DIRECTORY[@]}")
EPOCH=$(date +%s)
bench_start_server "$SERVER" "$EPOCH" 1 "$LOAD"
log "enrolling $USERS users"
"${ON_CLIENT[@]}" "$LOAD" enroll --socket "$SOCKET" --users "$USERS" --out "$WORK/users.txt" \
  >"$WORK/enroll.out"
cat "$WORK/enroll.out" >&2
# The generated directory passwords are "pw-<uid>" (tests/ldap/ldif.py).
awk '{ print $1, $2, "pw-" $1 }' "$WORK/users.txt" >"$WORK/radius-users.txt"

# ---- FreeRADIUS -------------------------------------------------------------------------------
# A configuration of its own, nothing from /etc/freeradius but the (empty) local dictionary:
# loopback port, reject_delay 0 (authd has none), no logging of requests, the same secret and
# Message-Authenticator required of the client, as authd does.
write_freeradius_config() {
  mkdir -p "$FR_DIR/log" "$FR_DIR/run"
  cp /etc/freeradius/3.0/dictionary "$FR_DIR/dictionary"
  awk '{ printf "%s\tCleartext-Password := \"pw-%s\", TOTP-Secret := \"%s\"\n", $1, $1, $2 }' \
    "$WORK/users.txt" >"$FR_DIR/users"
  cat >"$FR_DIR/radiusd.conf" <<EOF
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = $FR_DIR/log
raddbdir = $FR_DIR
radacctdir = $FR_DIR/log
name = freeradius
confdir = $FR_DIR
modconfdir = $FR_DIR
run_dir = $FR_DIR/run
db_dir = $FR_DIR
libdir = /usr/lib/freeradius
pidfile = $FR_DIR/run/radiusd.pid
correct_escapes = true
max_request_time = 30
cleanup_delay = 5
max_requests = 131072
hostname_lookups = no
log {
	destination = files
	file = $FR_DIR/log/radius.log
	colourise = no
	auth = no
	auth_badpass = no
	auth_goodpass = no
}
security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = no
}
thread pool {
	start_servers = 5
	max_servers = 32
	min_spare_servers = 3
	max_spare_servers = 10
	max_requests_per_server = 0
	max_queue_size = 65536
}
client bench {
	ipaddr = 127.0.0.1
	secret = $SECRET
	require_message_authenticator = yes
}
modules {
	pap {
	}
	totp {
	}
	always reject {
		rcode = reject
	}
	files {
		filename = $FR_DIR/users
	}
}
server bench {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = $FR_PORT
	}
	authorize {
		if (&User-Password =~ /^(.*)([0-9]{6})\$/) {
			update request {
				&User-Password := "%{1}"
				&TOTP-Password := "%{2}"
			}
		}
		else {
			reject
		}
		files
		update control {
			&Auth-Type := PAPTOTP
		}
	}
	authenticate {
		Auth-Type PAPTOTP {
			pap
			if (ok) {
				totp
			}
		}
	}
}
EOF
  chmod -R go-rwx "$FR_DIR"
}

write_freeradius_config
log "starting FreeRADIUS on 127.0.0.1:$FR_PORT"
taskset -c "$SERVER_CPU" "$FREERADIUS" -f -d "$FR_DIR" -n radiusd 2>"$FR_DIR/log/stderr" &
FR_PID=$!
for _ in $(seq 1 100); do
  grep -q 'Ready to process requests' "$FR_DIR/log/radius.log" 2>/dev/null && break
  kill -0 "$FR_PID" 2>/dev/null || break
  sleep 0.1
done
if ! grep -q 'Ready to process requests' "$FR_DIR/log/radius.log" 2>/dev/null; then
  log "FreeRADIUS did not come up; its log:"
  cat "$FR_DIR/log/radius.log" "$FR_DIR/log/stderr" >&2 || true
  exit 1
fi
AUTHD_PID=$SERVER_PID

# ---- helpers ----------------------------------------------------------------------------------
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
ops_since() { "$LDAP_SH" ops "$LDAP_DIR" --since "$1"; }
num() { local v; v=$(field "$1" "$2"); echo "${v:-0}"; } # 0 when missing
per() { awk -v a="$1" -v n="$2" -v f="${3:-%.2f}" 'BEGIN { printf f, (n > 0 ? a / n : 0) }'; }
sockets_for() { echo $(($1 < MAX_SOCKETS ? $1 : MAX_SOCKETS)); }

# radius_run LABEL PORT PID LEVEL [radius_load_gen options]: one run against the server PID on
# PORT; appends a row to `rows` (CPU of the server and of slapd per request, LDAP BINDs per
# request, fsyncs per request) and its profile to `profiles` under BENCH_PROFILE=1.
radius_run() {
  local label=$1 port=$2 pid=$3 level=$4 mark before after slapd_before slapd_after line ops n
  shift 4
  log "$label, $level in flight: up to $REQUESTS requests or $MAX_SECONDS s (first waits for a" \
    "fresh 30 s step)"
  sync -f "$WORK"
  mark=$("$LDAP_SH" mark "$LDAP_DIR")
  SERVER_PID=$pid # what bench_perf_start samples
  bench_perf_start "$label-$level"
  before=$(cpu_ticks "$pid")
  slapd_before=$(cpu_ticks "$SLAPD_PID")
  line=$("${ON_CLIENT[@]}" "$RLOAD" --server "127.0.0.1:$port" \
    --secret-file "$WORK/radius.secret" --users-file "$WORK/radius-users.txt" \
    --in-flight "$level" --sockets "$(sockets_for "$level")" --requests "$REQUESTS" \
    --max-seconds "$MAX_SECONDS" "$@") || status=1
  after=$(cpu_ticks "$pid")
  slapd_after=$(cpu_ticks "$SLAPD_PID")
  bench_perf_stop "$label-$level"
  SERVER_PID=$AUTHD_PID
  ops=$(ops_since "$mark")
  echo "$label: $line $ops" >&2
  if [[ $profiled -eq 1 && $label != FreeRADIUS ]]; then # the categories are authd's
    profiles+=("$label, $level in flight, server CPU samples by activity:" "$(sample_categories)")
  fi
  n=$(field requests "$line")
  local fsyncs=-
  if [[ $syncs != - ]]; then fsyncs=$(per "$syncs" "$n"); fi
  rows+=("${label// /_} $level $n $(field accepted "$line") $(field rejected "$line") \
$(field timeouts "$line") $(field errors "$line") $(field requests_per_s "$line") \
$(field p50_ms "$line") $(field p99_ms "$line") $(field max_ms "$line") \
$(server_us_per_request "$before" "$after" "$n") \
$(server_us_per_request "$slapd_before" "$slapd_after" "$n") $(per "$(field BIND "$ops")" "$n") \
$fsyncs $(field reply_ma "$line") \
$(field step_waits "$line") $(per "$(field client_cpu_s "$line")e6" "$n" %.1f)")
}

# ---- 1. authd vs FreeRADIUS -------------------------------------------------------------------
status=0
rows=()
profiles=()
for level in $LEVELS; do
  radius_run "authd" "$AUTHD_PORT" "$AUTHD_PID" "$level"
  radius_run "FreeRADIUS" "$FR_PORT" "$FR_PID" "$level"
  radius_run "authd otp_only" "$AUTHD_PORT" "$AUTHD_PID" "$level" --source 127.0.0.2 --code-only
done
LOAD_AFTER_COMPARISON=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- 2. login storm ---------------------------------------------------------------------------
head -n "$STORM_VPN" "$WORK/radius-users.txt" >"$WORK/storm-vpn.txt"
tail -n +"$((STORM_VPN + 1))" "$WORK/users.txt" >"$WORK/storm-devices.txt"
rate() { awk -v n="$1" -v s="$STORM_SECONDS" 'BEGIN { printf "%.3f", n / s }'; }
log "login storm: $STORM_VPN VPN logons and $STORM_DEVICES device logons over $STORM_SECONDS s" \
  "(both wait for a fresh 30 s step)"
sync -f "$WORK"
mark=$("$LDAP_SH" mark "$LDAP_DIR")
before=$(cpu_ticks "$AUTHD_PID")
slapd_before=$(cpu_ticks "$SLAPD_PID")
"${ON_CLIENT[@]}" "$RLOAD" --server "127.0.0.1:$AUTHD_PORT" --secret-file "$WORK/radius.secret" \
  --users-file "$WORK/storm-vpn.txt" --requests "$STORM_VPN" --rate "$(rate "$STORM_VPN")" \
  --in-flight 64 --sockets 1 --step-guard 0 --max-seconds "$((STORM_SECONDS + 5))" \
  >"$WORK/storm-vpn.out" &
vpn_pid=$!
"${ON_CLIENT[@]}" "$LOAD" run --socket "$SOCKET" --users-file "$WORK/storm-devices.txt" \
  --epoch "$EPOCH" --speedup 1 --concurrency 64 --requests "$STORM_DEVICES" \
  --rate "$(rate "$STORM_DEVICES")" --max-seconds "$((STORM_SECONDS + 5))" \
  >"$WORK/storm-devices.out" || status=1
wait "$vpn_pid" || status=1
after=$(cpu_ticks "$AUTHD_PID")
slapd_after=$(cpu_ticks "$SLAPD_PID")
STORM_OPS=$(ops_since "$mark")
VPN_LINE=$(cat "$WORK/storm-vpn.out")
DEV_LINE=$(cat "$WORK/storm-devices.out")
echo "storm vpn: $VPN_LINE" >&2
echo "storm devices: $DEV_LINE" >&2
STORM_N=$(($(num requests "$VPN_LINE") + $(num requests "$DEV_LINE")))

# ---- report -----------------------------------------------------------------------------------
echo
echo "RADIUS benchmark: $USERS users in slapd (ldaps://127.0.0.1) and in FreeRADIUS's users file," \
  "servers and slapd on CPU $SERVER_CPU, load generators on CPU $CLIENT_CPU, $(nproc) cores," \
  "up to $REQUESTS requests or $MAX_SECONDS s per run, real clock (30 s steps)," \
  "threads=$THREADS workers=$WORKERS ldap.pool_size=$POOL," \
  "load average before: $LOAD_BEFORE, after the comparison: $LOAD_AFTER_COMPARISON," \
  "after the storm: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| server | in flight | requests | accepted | rejected | timeouts | errors | requests/s |" \
  "p50 ms | p99 ms | max ms | server CPU µs/req | slapd CPU µs/req | LDAP BIND/req |" \
  "fsyncs/req | replies with MA | step waits | load generator CPU µs/req |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
declare -A RPS=() CPU=()
for r in "${rows[@]}"; do
  read -r label level n acc rej tmo err rps p50 p99 max sus lus binds fsyncs ma waits cus <<<"$r"
  echo "| ${label//_/ } | $level | $n | $acc | $rej | $tmo | $err | $rps | $p50 | $p99 | $max |" \
    "$sus | $lus | $binds | $fsyncs | $ma | $waits | $cus |"
  RPS[$label.$level]=$rps
  CPU[$label.$level]=$(awk -v a="$sus" -v b="$lus" 'BEGIN { print a + b }')
  if [[ $acc != "$n" || $rej != 0 || $tmo != 0 || $err != 0 ]]; then status=1; fi
done
echo
for level in $LEVELS; do
  echo "$level in flight: authd / FreeRADIUS requests/s = $(per "${RPS[authd.$level]}" \
    "${RPS[FreeRADIUS.$level]}")," \
    "CPU per request (server + slapd) = $(per "${CPU[authd.$level]}" \
      "${CPU[FreeRADIUS.$level]}" %.1f) ×;" \
    "authd otp_only / FreeRADIUS requests/s = $(per "${RPS[authd_otp_only.$level]}" \
      "${RPS[FreeRADIUS.$level]}")"
done
echo
echo "Per accepted logon authd does more than this FreeRADIUS configuration: it requires and"
echo "checks the request's Message-Authenticator (both do) and also signs every reply with one"
echo "(FreeRADIUS 3.2.1 does not: 'replies with MA'); keeps each request in a duplicate cache;"
echo "accepts a code only once (replay protection: the credential's last step, stored durably,"
echo "fsync, before the reply; rlm_totp has none) in a window of ±1 step (rlm_totp: the current"
echo "step only); unseals the TOTP secret (AES-GCM); writes an audit row; looks the account up in"
echo "slapd (a search on a pooled ldaps connection) and checks the password by a bind to slapd on"
echo "a new ldaps connection (FreeRADIUS compares a Cleartext-Password from its users file in"
echo "memory)."
echo
echo "Login storm: $STORM_VPN VPN logons over RADIUS (append mode: password + code, a bind to" \
  "slapd each) and $STORM_DEVICES device logons over the Unix socket (TOTP verify), each paced" \
  "evenly over $STORM_SECONDS s, at once; every logon searches slapd (cache_ttl = 0)"
echo
echo "| path | logons | accepted | failures | seconds | p50 ms | p99 ms | max ms | target: 0 failures, p99 < 100 ms |"
echo "|---|---|---|---|---|---|---|---|---|"
storm_row() { # LABEL LINE FAILURES MAX
  local ok=met
  if [[ $3 != 0 ]] || awk -v p="$(field p99_ms "$2")" 'BEGIN { exit !(p >= 100) }'; then
    ok=MISSED
    status=1
  fi
  echo "| $1 | $(field requests "$2") | $(field accepted "$2") | $3 | $(field seconds "$2") |" \
    "$(field p50_ms "$2") | $(field p99_ms "$2") | $4 | $ok |"
}
storm_row "VPN (RADIUS)" "$VPN_LINE" $(($(num rejected "$VPN_LINE") + \
  $(num timeouts "$VPN_LINE") + $(num errors "$VPN_LINE"))) "$(field max_ms "$VPN_LINE")"
storm_row "device (Unix socket)" "$DEV_LINE" $(($(num rejected "$DEV_LINE") + \
  $(num locked "$DEV_LINE") + $(num errors "$DEV_LINE"))) "–"
echo
echo "storm: authd CPU $(server_us_per_request "$before" "$after" "$STORM_N") µs/logon," \
  "slapd CPU $(server_us_per_request "$slapd_before" "$slapd_after" "$STORM_N") µs/logon," \
  "slapd requests during the storm: $STORM_OPS"
for p in "${profiles[@]}"; do echo "$p"; done
bench_show_server_log
exit $status
