# Shared helpers for integration tests: a real authd on a temporary socket and database, test
# accounts through nss_wrapper (only authd sees them), PAM service files for pamtester.
# Every wait is bounded in count and time; nothing leaves the machine.

set -euo pipefail

: "${AUTHD_BIN:?}" "${AUTHCTL_BIN:?}" "${PAM_AUTHD_SO:?}"

if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: needs root (writes /etc/pam.d service files, runs authctl as admin)"
  exit 77
fi

WORK=$(mktemp -d /tmp/authd-itest-XXXXXX)
chmod 755 "$WORK"
SOCK=$WORK/authd.sock
AUTHD_PID=
FAILURES=0
CHECKS=0

# pam_service runs inside $(...), where no variable reaches this shell: its files are found by
# name instead ($$ is this script's pid in subshells too).
cleanup() {
  stop_authd || true
  rm -f "/etc/pam.d/authd-itest-$$-"*
  rm -rf "$WORK"
}
trap cleanup EXIT

# Accounts known to authd's nss backend: alice..erin, plus a non-admin caller and an admin.
write_accounts() {
  : >"$WORK/passwd"
  : >"$WORK/group"
  local uid=20001
  for u in alice bob carol dave erin frank; do
    echo "$u:x:$uid:$uid:$u:/nonexistent:/bin/false" >>"$WORK/passwd"
    echo "$u:x:$uid:" >>"$WORK/group"
    uid=$((uid + 1))
  done
  echo "root:x:0:0:root:/root:/bin/bash" >>"$WORK/passwd"
  echo "root:x:0:" >>"$WORK/group"
  echo "nobody:x:65534:65534:nobody:/nonexistent:/bin/false" >>"$WORK/passwd"
  echo "nogroup:x:65534:" >>"$WORK/group"
  echo "authd-admin:x:30000:frank" >>"$WORK/group"
}

write_config() {
  cat >"$WORK/authd.toml" <<TOML
[server]
socket = "$SOCK"
idle_timeout = 10
# nss_wrapper (the test accounts) is not thread-safe: concurrent getpwnam_r calls crash it or
# answer "no such user". One worker thread makes every NSS lookup of authd sequential.
workers = ${AUTHD_TEST_WORKERS:-1}
[store]
database = "$WORK/authd.db"
key_file = "$WORK/secret.key"
[log]
level = "debug"
[totp]
issuer = "Stadt Test"
[lockout]
max_failures = ${LOCKOUT_MAX_FAILURES:-3}
base_delay = 600
max_delay = 3600
TOML
}

NSS_WRAPPER_LIB=$(find /usr/lib -name 'libnss_wrapper.so' | head -n 1)

# Under the ASan+UBSan suite the module is instrumented but pamtester is not: its sanitizer
# runtimes must be loaded first, and preloaded libraries must come after them.
SANITIZER_PRELOAD=
# grep reads all of ldd's output: with -q it could quit early and, under pipefail, the SIGPIPE
# of ldd would turn a match into "no sanitizer".
if ldd "$PAM_AUTHD_SO" | grep libasan >/dev/null; then
  SANITIZER_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
fi

# spawn_authd LOG ARGS... : authd in the background, seeing the test accounts, its output
# appended to LOG; $! is authd's own pid (a simple command, so no subshell in between; ip and env
# exec it). With AUTHD_NETNS set, authd runs in that network namespace (its loopback is not the
# test's); its Unix socket is a path, so authctl and pam_authd reach it from every namespace.
spawn_authd() {
  local log=$1 netns=()
  shift
  [[ -z ${AUTHD_NETNS:-} ]] || netns=(ip netns exec "$AUTHD_NETNS")
  "${netns[@]}" env LD_PRELOAD="$SANITIZER_PRELOAD $NSS_WRAPPER_LIB" NSS_WRAPPER_PASSWD="$WORK/passwd" \
    NSS_WRAPPER_GROUP="$WORK/group" "$AUTHD_BIN" "$@" >>"$log" 2>&1 &
}

start_authd() {
  rm -f "$SOCK"
  spawn_authd "$WORK/authd.log" --config "$WORK/authd.toml"
  AUTHD_PID=$!
  wait_for_authd
}

# Ready when authd $AUTHD_PID answers on $SOCK; at most 100 tries of 0.1 s.
wait_for_authd() {
  for _ in $(seq 100); do
    if "$AUTHCTL_BIN" --socket "$SOCK" --timeout 1 --json list >/dev/null 2>&1; then return 0; fi
    kill -0 "$AUTHD_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "authd did not start:"
  cat "$WORK/authd.log"
  exit 1
}

# exit_status PID : waits at most 10 s for the background process PID to end and returns its
# exit status; one still running then is terminated (status 143).
exit_status() {
  for _ in $(seq 100); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  kill "$1" 2>/dev/null || true
  wait "$1"
}

stop_authd() {
  local signal=${1:-TERM}
  [[ -n $AUTHD_PID ]] || return 0
  kill "-$signal" "$AUTHD_PID" 2>/dev/null || true
  wait "$AUTHD_PID" 2>/dev/null || true
  AUTHD_PID=
}

authctl() { "$AUTHCTL_BIN" --socket "$SOCK" "$@"; }

# pam_service NAME "auth lines..." : NAME in lower case (libpam looks services up so); writes /etc/pam.d/authd-itest-PID-NAME for pamtester and
# prints that service name; cleanup removes it.
pam_service() {
  local name=authd-itest-$$-$1
  printf '%s\n' "$2" "account required pam_permit.so" >"/etc/pam.d/$name"
  echo "$name"
}

# pam_login SERVICE USER CODE : runs the real PAM stack, prints pamtester's output, returns its rc.
pam_login() {
  # pamtester and libpam are not ours: leak reports from them are not the module's.
  printf '%s\n' "$3" | LD_PRELOAD="$SANITIZER_PRELOAD" ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
    pamtester -v "$1" "$2" authenticate 2>&1
}

# with_keys CMD... : runs CMD with the virtual FIDO2 keys named in $PLUGGED ("name:statefile,...")
# plugged in: the soft_fido2_preload shim replaces libfido2's device discovery (tests/fido2).
PLUGGED=
with_keys() {
  LD_PRELOAD="$SANITIZER_PRELOAD ${SOFT_FIDO2_PRELOAD:?the soft_fido2_preload library}" \
    AUTHD_SOFT_FIDO2_KEYS="$PLUGGED" ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" "$@"
}

# keys "NAME[:OPTION...] ..." : the virtual keys plugged for the next command, each keeping its
# state in $WORK/NAME.key.
keys() {
  local spec=() k
  for k in "$@"; do
    local name=${k%%:*} rest=
    [[ $k == *:* ]] && rest=:${k#*:}
    spec+=("$name:$WORK/$name.key$rest")
  done
  PLUGGED=$(IFS=,; echo "${spec[*]}")
}
# key_login SERVICE USER [INPUT] : pamtester with the plugged keys; INPUT answers the prompts.
key_login() { printf '%s\n' "${3:-}" | with_keys pamtester -v "$1" "$2" authenticate 2>&1; }

# agent_config NAME CERT SERVER... : the configuration of a device's agent on $WORK/NAME.sock
# with the certificate CERT.pem / CERT.key (a path without the suffix) and the central servers.
agent_config() {
  local name=$1 cert=$2 servers
  shift 2
  servers=$(printf '"%s", ' "$@")
  cat <<TOML
[server]
socket = "$WORK/$name.sock"
workers = 1
[log]
level = "debug"
[agent]
servers = [${servers%, }]
cert_file = "$cert.pem"
key_file = "$cert.key"
ca_file = "$CA/ca.pem"
connect_timeout_ms = 2000
TOML
}

# wait_for_agent NAME : until the agent logged "ready" and its socket exists (at most 10 s).
wait_for_agent() {
  for _ in $(seq 100); do
    [[ -S $WORK/$1.sock ]] && grep -q "ready on" "$WORK/$1.log" && return 0
    sleep 0.1
  done
  echo "agent $1 did not start:"
  cat "$WORK/$1.log"
  return 1
}

secret_of() { jq -r .secret <<<"$1"; }
# totp SECRET [OFFSET_STEPS] : a code computed by oathtool, an independent implementation.
totp() {
  local offset=${2:-0}
  oathtool --totp -b --now "@$(($(date +%s) + offset * 30))" "$1"
}

check() {
  local what=$1
  shift
  CHECKS=$((CHECKS + 1))
  if "$@"; then
    echo "ok   - $what"
  else
    echo "FAIL - $what"
    FAILURES=$((FAILURES + 1))
  fi
}

contains() { grep -q -- "$2" <<<"$1"; }

finish() {
  stop_authd
  check "authd logged no sanitizer report" \
    bash -c "! grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' '$WORK/authd.log'"
  echo "$((CHECKS - FAILURES)) passed, $FAILURES failed"
  if ((FAILURES)); then
    echo "--- authd log"
    tail -n 50 "$WORK/authd.log"
    exit 1
  fi
}
