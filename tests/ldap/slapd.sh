#!/usr/bin/env bash
# Test fixture: a real OpenLDAP slapd on 127.0.0.1 for authd's LDAP backend tests and benchmark.
# Own cn=config, database, pid and log under DIR; never touches the system slapd. See README.md.
#
#   slapd.sh ca DIR
#   slapd.sh start DIR [--ca CADIR] [--server-ca OTHERCADIR] [--users N] [--no-seed]
#                      [--loglevel LEVEL] [--user-format FMT] [--user-first N]
#                      [--groups-per-user K]
#   slapd.sh wrong-ca DIR [start options]     start, certificate from DIR/wrong-ca instead
#   slapd.sh stop DIR | restart DIR | status DIR
#   slapd.sh mark DIR                         prints the log offset for `ops --since`
#   slapd.sh ops DIR [--since OFFSET]         prints "SRCH=n BIND=n"
#   slapd.sh config DIR < LDIF                applies LDIF changes to cn=config (its rootdn)
#   slapd.sh modify DIR < LDIF                applies LDIF changes to the directory (its rootdn)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SLAPD=${SLAPD:-/usr/sbin/slapd}
SLAPADD=${SLAPADD:-/usr/sbin/slapadd}
MODULE_DIR=${LDAP_MODULE_DIR:-/usr/lib/ldap}
SCHEMA_DIR=${LDAP_SCHEMA_DIR:-/etc/ldap/schema}
SUFFIX="dc=stadt,dc=example"
ADMIN_DN="cn=admin,$SUFFIX"
BIND_DN="cn=authd,ou=services,$SUFFIX"
HOST=127.0.0.1
WAIT_STEPS=200 # bounded waits: 200 x 50 ms = 10 s
WAIT_STEP=0.05
WAIT_SECONDS=10 # readiness deadline (each probe is bounded by PROBE_SECONDS as well)
PROBE_SECONDS=2

# Our own client calls must not pick up the system's or the user's ldap.conf / .ldaprc.
export LDAPCONF=/dev/null LDAPRC=.slapd-sh-no-ldaprc

die() {
  echo "slapd.sh: $*" >&2
  exit 1
}

usage() {
  sed -n '4,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

abs_dir() {
  mkdir -p "$1"
  (cd "$1" && pwd)
}

# --- certificates -------------------------------------------------------------------------------

# Creates CA in DIR (ca.pem, ca.key) unless present. A lock makes concurrent starts sharing one
# CA directory safe; the random CN keeps two test CAs distinguishable.
cmd_ca() {
  local dir
  dir=$(abs_dir "$1")
  (
    flock -w 10 9 || die "timed out waiting for the lock on $dir"
    # Servers sharing a CA share the service account's password, as replicas of one directory
    # do: made here, under the lock and renamed into place, so concurrent starts read it whole.
    if [[ ! -s $dir/bind.password ]]; then
      new_password "$dir/bind.password.tmp"
      mv "$dir/bind.password.tmp" "$dir/bind.password"
    fi
    [[ -s $dir/ca.pem && -s $dir/ca.key ]] && exit 0
    local tag
    tag=$(openssl rand -hex 4)
    (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
      -out "$dir/ca.key.tmp" 2>/dev/null)
    openssl req -x509 -new -key "$dir/ca.key.tmp" -days 3650 -sha256 \
      -subj "/O=authd tests/CN=authd test CA $tag" \
      -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -out "$dir/ca.pem.tmp" 2>/dev/null
    mv "$dir/ca.key.tmp" "$dir/ca.key"
    mv "$dir/ca.pem.tmp" "$dir/ca.pem"
  ) 9>"$dir/.lock"
}

# DNS names for the certificate: localhost, and this machine's name, because libldap checks
# a certificate reached as ldaps://localhost against the local host name instead.
server_dns_names() {
  local names=(localhost) name
  for name in "$(hostname 2>/dev/null || true)" \
    "$(timeout 2 getent hosts "$(hostname 2>/dev/null)" 2>/dev/null | awk '{ print $2; exit }' || true)"; do
    [[ $name =~ ^[A-Za-z0-9.-]+$ && " ${names[*]} " != *" $name "* ]] && names+=("$name")
  done
  printf ',DNS:%s' "${names[@]}"
}

# Issues DIR/tls/server.{key,pem} for 127.0.0.1 (IP SAN) and localhost (DNS SAN), signed by CADIR.
issue_server_cert() {
  local cadir=$1 tlsdir=$2 dns_names
  dns_names=$(server_dns_names)
  mkdir -p "$tlsdir"
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$tlsdir/server.key" 2>/dev/null)
  openssl req -new -key "$tlsdir/server.key" -subj "/O=authd tests/CN=$HOST" \
    -out "$tlsdir/server.csr" 2>/dev/null
  openssl x509 -req -in "$tlsdir/server.csr" -CA "$cadir/ca.pem" -CAkey "$cadir/ca.key" \
    -set_serial "0x$(openssl rand -hex 12)" -days 825 -sha256 -out "$tlsdir/server.pem" \
    -extfile <(printf '%s\n' \
      "subjectAltName=IP:$HOST$dns_names" \
      "basicConstraints=critical,CA:FALSE" \
      "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth") 2>/dev/null ||
    die "could not issue the server certificate with the CA in $cadir"
  rm -f "$tlsdir/server.csr"
}

# --- process helpers ----------------------------------------------------------------------------

new_password() {
  local file=$1
  (umask 077 && openssl rand -hex 16 | tr -d '\n' >"$file")
  chmod 600 "$file"
}

# Two distinct free ports on 127.0.0.1 (both sockets held until both are known).
pick_ports() {
  python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))'
}

# True when PID exists and is not a zombie (an exited daemon may stay one in a container
# whose init does not reap).
is_alive() {
  local pid=$1 state
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/stat ]] || return 1
  state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# True when PID is a live slapd serving config directory CONFIG (never signal a recycled pid).
is_our_slapd() {
  local pid=$1 config=$2
  is_alive "$pid" || return 1
  tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "$config"
}

running_pid() {
  local dir=$1 pid
  for pid in "$(cat "$dir/slapd.pid" 2>/dev/null || true)" "$(env_value "$dir" LDAP_PID)"; do
    if is_our_slapd "$pid" "$dir/slapd.d"; then
      echo "$pid"
      return 0
    fi
  done
  return 1
}

env_value() {
  [[ -r $1/env ]] || return 0
  # shellcheck source=/dev/null
  (source "$1/env" && printf '%s' "${!2:-}")
}

log_tail() {
  echo "--- last lines of $1 ---" >&2
  tail -n 30 "$1" >&2 || true
  echo "---" >&2
}

# Anonymous root DSE read of URI [extra ldapsearch args]; bounded in time even when a foreign
# listener on the port accepts but never answers.
probe() {
  local uri=$1
  shift
  timeout "$PROBE_SECONDS" ldapsearch -x -LLL -o nettimeout="$PROBE_SECONDS" -H "$uri" \
    -s base -b "" "$@" 1.1 >/dev/null 2>&1
}

now_ms() { echo $((${EPOCHREALTIME//[.,]/} / 1000)); }

# Starts slapd with ARGS (array name), waits until it answers; sets LAUNCHED_PID.
# Returns 1 when slapd exited during start-up (e.g. port taken), 2 on timeout.
launch() {
  local dir=$1 ldap_uri=$2
  local -n slapd_args=$3
  local log=$dir/slapd.log pid deadline
  echo "=== slapd.sh: starting $(date -u +%FT%TZ) ===" >>"$log"
  # setsid: own session, so a terminal's ^C or hang-up does not reach the daemon. -d keeps
  # slapd in the foreground (stats lines go to stderr = the log), so $! is slapd's pid.
  setsid "$SLAPD" "${slapd_args[@]}" </dev/null >>"$log" 2>&1 &
  pid=$!
  deadline=$(($(now_ms) + WAIT_SECONDS * 1000))
  while (($(now_ms) < deadline)); do
    if ! is_alive "$pid"; then
      wait "$pid" 2>/dev/null || true
      return 1
    fi
    if probe "$ldap_uri"; then
      # slapd writes its pid file before it accepts connections.
      if [[ $(cat "$dir/slapd.pid" 2>/dev/null) != "$pid" ]] || ! is_our_slapd "$pid" "$dir/slapd.d"; then
        kill -TERM "$pid" 2>/dev/null || true
        die "pid $pid answers on $ldap_uri but is not the slapd of $dir (pid file: $(cat "$dir/slapd.pid" 2>/dev/null))"
      fi
      LAUNCHED_PID=$pid
      return 0
    fi
    sleep "$WAIT_STEP"
  done
  kill -KILL "$pid" 2>/dev/null || true
  return 2
}

# Checks the ldaps:// listener: with the trusted CA, or (wrong-CA server) without verification.
check_tls() {
  local env_file=$1 trusted
  (
    # shellcheck source=/dev/null
    source "$env_file"
    if [[ $LDAP_SERVER_CA == "$LDAP_CA" ]]; then
      LDAPTLS_CACERT=$LDAP_CA LDAPTLS_REQCERT=demand probe "$LDAPS_URI" ||
        die "ldaps:// does not verify against $LDAP_CA"
      # shellcheck disable=SC2153 # LDAP_URI comes from the env file
      LDAPTLS_CACERT=$LDAP_CA LDAPTLS_REQCERT=demand probe "$LDAP_URI" -ZZ ||
        die "StartTLS on ldap:// does not verify against $LDAP_CA"
    else
      LDAPTLS_REQCERT=never probe "$LDAPS_URI" || die "ldaps:// listener does not answer"
    fi
  ) || trusted=no
  [[ ${trusted:-yes} == yes ]]
}

# Single-quoted for bash (readable by simple KEY='VALUE' parsers too).
squote() {
  local q="'\\''"
  printf "'%s'" "${1//\'/$q}"
}

write_env() {
  local dir=$1 pid=$2 port=$3 ports=$4 ca=$5 server_ca=$6 users=$7 args
  args=$(printf '%q ' "${SLAPD_ARGS[@]}")
  {
    echo "# Written by tests/ldap/slapd.sh; source it with its path (\`source DIR/env\`)."
    local name value
    while read -r name value; do
      printf 'export %s=%s\n' "$name" "$(squote "$value")"
    done < <(printf '%s %s\n' \
      LDAP_DIR "$dir" \
      LDAP_URI "ldap://$HOST:$port" \
      LDAPS_URI "ldaps://$HOST:$ports" \
      LDAP_HOST "$HOST" \
      LDAP_PORT "$port" \
      LDAPS_PORT "$ports" \
      LDAP_BASE "$SUFFIX" \
      LDAP_PEOPLE "ou=people,$SUFFIX" \
      LDAP_GROUPS "ou=groups,$SUFFIX" \
      LDAP_BIND_DN "$BIND_DN" \
      LDAP_BIND_PASSWORD_FILE "$dir/bind.password" \
      LDAP_CA "$ca/ca.pem" \
      LDAP_SERVER_CA "$server_ca/ca.pem" \
      LDAP_ADMIN_DN "$ADMIN_DN" \
      LDAP_ADMIN_PASSWORD_FILE "$dir/admin.password" \
      LDAP_PID "$pid" \
      LDAP_CONFIG_DIR "$dir/slapd.d" \
      LDAP_LOG "$dir/slapd.log" \
      LDAP_USERS "$users" \
      LDAP_SLAPD_ARGS "${args% }")
  } >"$dir/env.tmp"
  mv "$dir/env.tmp" "$dir/env"
}

# --- commands -----------------------------------------------------------------------------------

cmd_start() {
  [[ $# -ge 1 ]] || usage
  local dir cadir="" server_cadir="" users=0 seed=yes loglevel=stats generated=()
  dir=$(abs_dir "$1")
  shift
  while [[ $# -gt 0 ]]; do
    case $1 in
    --ca) cadir=${2:?--ca needs a directory} && shift 2 ;;
    --server-ca) server_cadir=${2:?--server-ca needs a directory} && shift 2 ;;
    --users) users=${2:?--users needs a number} && shift 2 ;;
    --no-seed) seed=no && shift ;;
    --loglevel) loglevel=${2:?--loglevel needs a level} && shift 2 ;;
    # Generated users' names and groups (ldif.py checks the values; see its usage).
    --user-format | --user-first | --groups-per-user)
      generated+=("$1" "${2:?$1 needs a value}") && shift 2 ;;
    *) die "unknown option for start: $1" ;;
    esac
  done
  [[ $users =~ ^[0-9]+$ && $users -le 99999 ]] || die "--users takes 0..99999, not '$users'"
  for tool in "$SLAPD" "$SLAPADD" ldapsearch openssl python3 flock setsid; do
    command -v "$tool" >/dev/null || die "missing $tool (Debian: slapd ldap-utils openssl python3)"
  done
  if pid=$(running_pid "$dir"); then
    die "a slapd (pid $pid) already runs for $dir; stop it first"
  fi

  cadir=$(abs_dir "${cadir:-$dir/ca}")
  server_cadir=$(abs_dir "${server_cadir:-$cadir}")
  cmd_ca "$cadir"
  cmd_ca "$server_cadir"

  rm -rf "$dir/slapd.d" "$dir/db" "$dir/tls" "$dir/env" "$dir/slapd.log" "$dir/slapd.pid" \
    "$dir/slapd.args"
  mkdir -p "$dir/db"
  (umask 077 && mkdir -p "$dir/slapd.d")
  issue_server_cert "$server_cadir" "$dir/tls"
  new_password "$dir/admin.password"
  (umask 077 && cp "$cadir/bind.password" "$dir/bind.password")  # made by cmd_ca

  local seed_args=(--users "$users" "${generated[@]}")
  [[ $seed == yes ]] || seed_args+=(--no-seed)
  python3 "$HERE/ldif.py" config "$HERE/config.ldif.in" "$SCHEMA_DIR" \
    "DIR=$dir" "MODULE_DIR=$MODULE_DIR" "SERVER_CA_PEM=$server_cadir/ca.pem" \
    "ADMIN_HASH=$(python3 "$HERE/ldif.py" hash "$dir/admin.password")" >"$dir/config.ldif"
  python3 "$HERE/ldif.py" data "$dir/bind.password" "${seed_args[@]}" >"$dir/data.ldif"
  "$SLAPADD" -n0 -F "$dir/slapd.d" -l "$dir/config.ldif" >"$dir/slapadd.log" 2>&1 ||
    { log_tail "$dir/slapadd.log" && die "slapadd of cn=config failed"; }
  "$SLAPADD" -q -n1 -F "$dir/slapd.d" -l "$dir/data.ldif" >>"$dir/slapadd.log" 2>&1 ||
    { log_tail "$dir/slapadd.log" && die "slapadd of the data failed"; }

  # Free ports can be taken between picking and binding: try a few fresh pairs.
  local port="" ports="" rc=0
  for _ in 1 2 3; do
    read -r port ports < <(pick_ports) || true
    [[ $port =~ ^[0-9]+$ && $ports =~ ^[0-9]+$ ]] || die "could not pick free ports on $HOST"
    SLAPD_ARGS=(-d "$loglevel" -h "ldap://$HOST:$port/ ldaps://$HOST:$ports/" -F "$dir/slapd.d")
    rc=0
    launch "$dir" "ldap://$HOST:$port" SLAPD_ARGS || rc=$?
    [[ $rc -eq 0 ]] && break
    [[ $rc -eq 1 ]] && grep -q 'Address already in use' "$dir/slapd.log" && continue
    break
  done
  if [[ $rc -ne 0 ]]; then
    log_tail "$dir/slapd.log"
    [[ $rc -eq 2 ]] && die "slapd did not answer on ldap://$HOST:$port within $WAIT_SECONDS s"
    die "slapd exited during start-up (log: $dir/slapd.log)"
  fi
  write_env "$dir" "$LAUNCHED_PID" "$port" "$ports" "$cadir" "$server_cadir" "$users"
  check_tls "$dir/env" || {
    log_tail "$dir/slapd.log"
    cmd_stop "$dir"
    die "TLS check failed"
  }
  echo "slapd for $dir: pid $LAUNCHED_PID, ldap://$HOST:$port ldaps://$HOST:$ports ($dir/env)"
}

cmd_wrong_ca() {
  [[ $# -ge 1 ]] || usage
  local dir
  dir=$(abs_dir "$1")
  shift
  cmd_start "$dir" "$@" --server-ca "$dir/wrong-ca"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  local dir pid i
  dir=$(abs_dir "$1")
  pid=$(running_pid "$dir") || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < WAIT_STEPS; i++)); do
    is_our_slapd "$pid" "$dir/slapd.d" || return 0
    sleep "$WAIT_STEP"
  done
  echo "slapd.sh: pid $pid ignored SIGTERM for 10 s; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < WAIT_STEPS; i++)); do
    is_our_slapd "$pid" "$dir/slapd.d" || return 0
    sleep "$WAIT_STEP"
  done
  die "pid $pid survived SIGKILL"
}

cmd_restart() {
  [[ $# -eq 1 ]] || usage
  local dir args rc=0
  dir=$(abs_dir "$1")
  [[ -r $dir/env ]] || die "$dir/env missing: run start first"
  cmd_stop "$dir"
  args=$(env_value "$dir" LDAP_SLAPD_ARGS)
  eval "SLAPD_ARGS=($args)"
  launch "$dir" "$(env_value "$dir" LDAP_URI)" SLAPD_ARGS || rc=$?
  if [[ $rc -ne 0 ]]; then
    log_tail "$dir/slapd.log"
    die "restart failed (rc $rc; a port may have been taken meanwhile)"
  fi
  sed -i "s/^export LDAP_PID=.*/export LDAP_PID=$LAUNCHED_PID/" "$dir/env"
  echo "slapd for $dir: restarted, pid $LAUNCHED_PID"
}

cmd_status() {
  [[ $# -eq 1 ]] || usage
  local dir pid
  dir=$(abs_dir "$1")
  if pid=$(running_pid "$dir"); then
    echo "running pid $pid"
  else
    echo "stopped"
    return 1
  fi
}

cmd_mark() {
  [[ $# -eq 1 ]] || usage
  stat -c %s "$1/slapd.log" 2>/dev/null || echo 0
}

# Counts operation requests (not result lines) after byte OFFSET of the log.
cmd_ops() {
  [[ $# -ge 1 ]] || usage
  local log=$1/slapd.log since=0
  [[ ${2:-} == --since ]] && since=${3:?--since needs an offset}
  [[ $since =~ ^[0-9]+$ ]] || die "--since takes a byte offset"
  [[ -r $log ]] || die "no log at $log"
  tail -c "+$((since + 1))" "$log" | awk '
    / SRCH base=/ { srch++ }
    / BIND dn=".*" method=/ { bind++ }
    END { printf "SRCH=%d BIND=%d\n", srch, bind }'
}

# Changes the running server's cn=config (ACLs, limits) with ldapmodify as cn=admin,cn=config.
cmd_config() {
  [[ $# -eq 1 ]] || usage
  local dir
  dir=$(abs_dir "$1")
  (source "$dir/env" && ldapmodify -x -H "$LDAP_URI" -D cn=admin,cn=config \
    -y "$LDAP_ADMIN_PASSWORD_FILE" >/dev/null)
}

# Through the server (not slapadd), so overlays act: memberof fills memberOf of new members.
cmd_modify() {
  [[ $# -eq 1 ]] || usage
  local dir
  dir=$(abs_dir "$1")
  (source "$dir/env" && ldapmodify -x -H "$LDAP_URI" -D "$LDAP_ADMIN_DN" \
    -y "$LDAP_ADMIN_PASSWORD_FILE" >/dev/null)
}

main() {
  [[ $# -ge 1 ]] || usage
  local cmd=$1
  shift
  case $cmd in
  ca) [[ $# -eq 1 ]] || usage && cmd_ca "$1" ;;
  start) cmd_start "$@" ;;
  wrong-ca) cmd_wrong_ca "$@" ;;
  stop) cmd_stop "$@" ;;
  restart) cmd_restart "$@" ;;
  status) cmd_status "$@" ;;
  mark) cmd_mark "$@" ;;
  ops) cmd_ops "$@" ;;
  config) cmd_config "$@" ;;
  modify) cmd_modify "$@" ;;
  *) usage ;;
  esac
}

main "$@"
