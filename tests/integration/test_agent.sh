#!/usr/bin/env bash
# Devices log on through their agents (issue 11): two central authd (one database) with the TLS
# listener, two agents (two devices, each with its own certificate and local socket), pamtester
# with the real module at each device's socket. A user enrolled once logs on at both devices;
# the audit names the device; the agent applies the local rule (a local user acts only for
# itself); it fails over when the first central server stops (no failed logon), answers
# "unavailable" when none answers, and a device with a certificate of another CA gets nothing.
source "$(dirname "$0")/lib.sh"

CA=$WORK/ca
TLS_CA=${AUTHD_SOURCE_DIR:?}/tests/tls/test_ca.sh
bash "$TLS_CA" "$CA" central nb-017.stadt.test nb-018.stadt.test >/dev/null
bash "$TLS_CA" "$WORK/foreign" nb-evil.stadt.test >/dev/null

write_accounts
write_config
base_config=$(cat "$WORK/authd.toml")
# central N: its own socket and port, the shared database and key file.
central_config() {
  sed "s|^socket = .*|socket = \"$WORK/central$1.sock\"|" <<<"$base_config"
  cat <<TOML
[tls]
listen = ["127.0.0.1:0"]
cert_file = "$CA/central.pem"
key_file = "$CA/central.key"
ca_file = "$CA/ca.pem"
TOML
}
central_config 1 >"$WORK/central1.toml"
central_config 2 >"$WORK/central2.toml"
start_central() {
  spawn_authd "$WORK/central$1.log" --config "$WORK/central$1.toml"
  eval "CENTRAL$1_PID=$!"
  for _ in $(seq 100); do
    grep -q "tls: listening on" "$WORK/central$1.log" 2>/dev/null && break
    sleep 0.1
  done
  eval "CENTRAL$1=$(sed -n 's/.*tls: listening on \(127\.0\.0\.1:[0-9]*\).*/\1/p' "$WORK/central$1.log")"
}
start_central 1
start_central 2
check "both central servers listen" test -n "$CENTRAL1" -a -n "$CENTRAL2"

# agent NAME CERT [CA_DIR] : an agent for device CERT on $WORK/NAME.sock.
start_agent() {
  local name=$1 cert=$2 dir=${3:-$CA}
  agent_config "$name" "$dir/$cert" "$CENTRAL1" "$CENTRAL2" >"$WORK/$name.toml"
  spawn_authd "$WORK/$name.log" --agent --config "$WORK/$name.toml"
  wait_for_agent "$name"
}
start_agent agentA nb-017.stadt.test
AGENT_A_PID=$!
start_agent agentB nb-018.stadt.test
AGENT_B_PID=$!
start_agent agentEvil nb-evil.stadt.test "$WORK/foreign"
AGENT_EVIL_PID=$!
stop_all() {
  kill "$AGENT_A_PID" "$AGENT_B_PID" "$AGENT_EVIL_PID" "${CENTRAL1_PID:-}" "${CENTRAL2_PID:-}" \
    2>/dev/null || true
  wait 2>/dev/null || true
}
trap 'stop_all; cleanup' EXIT
check "the agent names its device" contains "$(cat "$WORK/agentA.log")" "device nb-017.stadt.test"

SOCK=$WORK/central1.sock  # authctl administers at the central server
alice=$(secret_of "$(authctl --json enroll totp alice --no-confirm)")
bob=$(secret_of "$(authctl --json enroll totp bob --no-confirm)")
carol=$(secret_of "$(authctl --json enroll totp carol --no-confirm)")
erin=$(secret_of "$(authctl --json enroll totp erin --no-confirm)")
AT_A=$(pam_service device-a "auth required $PAM_AUTHD_SO socket=$WORK/agentA.sock")
AT_B=$(pam_service device-b "auth required $PAM_AUTHD_SO socket=$WORK/agentB.sock")
AT_EVIL=$(pam_service device-evil "auth required $PAM_AUTHD_SO socket=$WORK/agentEvil.sock")

check "alice logs on at device A" pam_login "$AT_A" alice "$(totp "$alice")"
check "alice logs on at device B with the next code" pam_login "$AT_B" alice "$(totp "$alice" 1)"
# The same code twice, not a code computed twice: a new time step between would be a new code.
bob_code=$(totp "$bob")
check "bob logs on at device B" pam_login "$AT_B" bob "$bob_code"
events=$(authctl --json audit --user alice)
check "the audit names device A and device B for alice's logons" \
  test "$(jq -r '[.events[] | select(.op == "verify") | .device] | sort | join(",")' <<<"$events")" \
  = "nb-017.stadt.test,nb-018.stadt.test"
out=$(pam_login "$AT_A" bob "$bob_code") && rc=0 || rc=$?
check "a replayed code is refused through the agent too" test "$rc" -ne 0

# The local rule at the device: a local user other than root acts only for its own account.
cp "$(dirname "$0")/local_caller.py" "$WORK/local_caller.py"
chmod 755 "$WORK/local_caller.py" "$WORK"
answer=$(setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 \
  "$WORK/local_caller.py" "$WORK/agentA.sock" ask \
  '{"v":1,"id":1,"op":"verify","user":"alice","factor":"totp","code":"000000"}')
check "a local user may not verify codes for another account through the agent" \
  test "$(jq -r .error <<<"$answer")" = forbidden
before=$(authctl --json audit --user alice | jq '[.events[] | select(.reason == "wrong_code")] | length')
check "... and nothing reached the central authd" test "$before" -eq 0
answer=$("$AUTHCTL_BIN" --socket "$WORK/agentA.sock" --json list 2>&1) || true
check "admin operations are not forwarded by a device" contains "$answer" "authctl --server"

# Failover: the first central server stops; logons go on through the second.
kill "$CENTRAL1_PID"
wait "$CENTRAL1_PID" 2>/dev/null || true
CENTRAL1_PID=
check "carol logs on at device A while the first central server is down" \
  pam_login "$AT_A" carol "$(totp "$carol")"
check "... through the second one" contains "$(cat "$WORK/agentA.log")" "central server $CENTRAL1 unreachable"
check "erin logs on at device B while the first central server is down" \
  pam_login "$AT_B" erin "$(totp "$erin")"

# A device with a certificate of another CA gets no answer from any central server.
out=$(pam_login "$AT_EVIL" bob "$(totp "$bob" 1)") && rc=0 || rc=$?
check "a device of another CA cannot log anyone on" test "$rc" -ne 0
check "the central server refused its certificate" \
  contains "$(cat "$WORK/central2.log")" "tls: refused 127.0.0.1:[0-9]*: handshake failed"

# No central server: fail secure, with a message that says so.
kill "$CENTRAL2_PID"
wait "$CENTRAL2_PID" 2>/dev/null || true
CENTRAL2_PID=
# The agent's kept connection to the second server was closed with it: the agent sees that
# before sending, so the request is not lost on it; no server can be reached.
answer=$("$WORK/local_caller.py" "$WORK/agentA.sock" ask '{"v":1,"id":1,"op":"ping"}')
check "a request after the last server stopped is answered unavailable" \
  test "$(jq -r .error <<<"$answer")" = unavailable
answer=$("$WORK/local_caller.py" "$WORK/agentA.sock" ask \
  '{"v":1,"id":2,"op":"verify","user":"alice","factor":"totp","code":"123456"}')
check "with no central server the agent answers unavailable" \
  test "$(jq -r .error <<<"$answer")" = unavailable
check "... and says why" contains "$answer" "no central authd could be reached"
out=$(pam_login "$AT_A" alice "$(totp "$alice")") && rc=0 || rc=$?
check "the PAM logon fails secure" test "$rc" -ne 0

# finish() checks authd.log for sanitizer reports: here, every agent's and central's log.
cat "$WORK"/central*.log "$WORK"/agent*.log >"$WORK/authd.log"
finish
