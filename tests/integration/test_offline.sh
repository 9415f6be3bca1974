#!/usr/bin/env bash
# Offline FIDO2 logon (issue 11, docs/offline.md): a central authd with the TLS listener, two
# agents (devices nb-017 and nb-018) with offline logon, virtual security keys through the real
# libfido2 and pam_authd.so. An online logon with a key fills the device's cache (only where the
# group policy allows it); with the central server stopped the key and its PIN still log on at
# that device, and everything else is refused with a message that says why: no key, a wrong PIN,
# a TOTP-only user, an expired entry (the agent's clock moved on by libfaketime), a changed byte,
# an entry signed by another key, an entry copied from the other device, a cloned key (counter).
# Back online, one contact reports the offline logons to the audit and drops the entry that an
# admin withdrew meanwhile; a central reject is never overridden by a cached entry.
source "$(dirname "$0")/lib.sh"

: "${SOFT_FIDO2_PRELOAD:?the soft_fido2_preload library}"
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[[ -f $FAKETIME_LIB ]] || { echo "FAIL: libfaketime is missing (package faketime)"; exit 1; }
TOOL="/usr/bin/python3 $(dirname "$0")/offline_entry_tool.py"
CALLER="/usr/bin/python3 $(dirname "$0")/local_caller.py"

CA=$WORK/ca
bash "${AUTHD_SOURCE_DIR:?}/tests/tls/test_ca.sh" "$CA" central nb-017.stadt.test nb-018.stadt.test \
  >/dev/null

write_accounts
echo "telearbeit:x:30001:alice,bob,dave" >>"$WORK/group"
write_config
# central_config LISTEN : the central server's configuration.
central_config() {
  cat "$WORK/authd.toml"
  cat <<TOML
[fido2]
rp_id = "mfa.stadt-test.example"
[offline]
signing_key_file = "$WORK/offline.key"
[policy.groups.telearbeit]
factors = ["fido2", "totp"]
offline = true
offline_max_age_days = 14
[tls]
listen = ["$1"]
cert_file = "$CA/central.pem"
key_file = "$CA/central.key"
ca_file = "$CA/ca.pem"
TOML
}
central_config "127.0.0.1:0" >"$WORK/central.toml"
"$AUTHD_BIN" --config "$WORK/central.toml" --offline-public-key >"$WORK/offline.pub"
check "authd prints its offline public key" contains "$(cat "$WORK/offline.pub")" "BEGIN PUBLIC KEY"

# Ready once this start logged its TLS listener (a restart appends to the same log).
start_central() {
  local before
  before=$(grep -c "tls: listening on" "$WORK/central.log" 2>/dev/null || true)
  spawn_authd "$WORK/central.log" --config "$WORK/central.toml"
  CENTRAL_PID=$!
  for _ in $(seq 200); do
    (($(grep -c "tls: listening on" "$WORK/central.log" 2>/dev/null || true) > ${before:-0})) && break
    sleep 0.1
  done
  CENTRAL=$(sed -n 's/.*tls: listening on \(127\.0\.0\.1:[0-9]*\).*/\1/p' "$WORK/central.log" | tail -1)
}
stop_central() {
  kill "$CENTRAL_PID"
  wait "$CENTRAL_PID" 2>/dev/null || true
  CENTRAL_PID=
}
start_central
check "the central server listens" test -n "$CENTRAL"
# Restarts keep the port, so that the agents find the server again.
central_config "$CENTRAL" >"$WORK/central.toml"

# start_agent NAME DEVICE [PRELOAD FAKETIME] : an agent for DEVICE on $WORK/NAME.sock whose
# entries live in $WORK/NAME.offline.
start_agent() {
  local name=$1 device=$2
  {
    agent_config "$name" "$CA/$device" "$CENTRAL"
    echo "offline_public_key_file = \"$WORK/offline.pub\""
    echo "offline_directory = \"$WORK/$name.offline\""
  } >"$WORK/$name.toml"
  rm -f "$WORK/$name.sock"
  LD_PRELOAD="$SANITIZER_PRELOAD $NSS_WRAPPER_LIB ${3:-}" FAKETIME="${4:-}" \
    FAKETIME_DONT_FAKE_MONOTONIC=1 NSS_WRAPPER_PASSWD=$WORK/passwd NSS_WRAPPER_GROUP=$WORK/group \
    "$AUTHD_BIN" --agent --config "$WORK/$name.toml" >>"$WORK/$name.log" 2>&1 &
  eval "${name}_PID=$!"
  wait_for_agent "$name"
}
stop_agent() {
  eval "local pid=\$${1}_PID"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
}
start_agent agentA nb-017.stadt.test
start_agent agentB nb-018.stadt.test
stop_all() {
  kill "${agentA_PID:-}" "${agentB_PID:-}" "${CENTRAL_PID:-}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap 'stop_all; cleanup' EXIT

entries() { find "$WORK/$1.offline" -name '*.entry' 2>/dev/null | wc -l; }
# The entry file of USER at agent NAME: the hex SHA-256 of the login name.
entry_of() { echo "$WORK/$1.offline/$(printf '%s' "$2" | sha256sum | cut -d' ' -f1).entry"; }

SOCK=$WORK/authd.sock  # authctl administers at the central server
keys akey:pin=2468
printf '2468\n' | with_keys "$AUTHCTL_BIN" --socket "$SOCK" enroll fido2 alice --uv required \
  >/dev/null 2>&1
keys ekey
with_keys "$AUTHCTL_BIN" --socket "$SOCK" enroll fido2 erin >/dev/null 2>&1
bob=$(secret_of "$(authctl --json enroll totp bob --no-confirm)")
AT_A=$(pam_service offline-a "auth required $PAM_AUTHD_SO socket=$WORK/agentA.sock")
AT_B=$(pam_service offline-b "auth required $PAM_AUTHD_SO socket=$WORK/agentB.sock")

# --- online: the cache fills where the policy allows it
keys akey:pin=2468
check "alice logs on at device A with her key and PIN" key_login "$AT_A" alice 2468
check "device A now holds one offline entry" test "$(entries agentA)" -eq 1
check "... alice's, mode 0600, in a 0700 directory" \
  test "$(stat -c %a "$(entry_of agentA alice)") $(stat -c %a "$WORK/agentA.offline")" = "600 700"
payload=$($TOOL show <"$(entry_of agentA alice)")
check "the entry is bound to device A and holds no secret" \
  test "$(jq -r '.device + " " + (.keys | length | tostring) + " " + (.uv | tostring)' <<<"$payload")" \
  = "nb-017.stadt.test 1 true"
shown=$(authctl show alice)
check "authctl show lists the device and the entry's expiry" \
  contains "$shown" "nb-017.stadt.test: valid until"
keys ekey
check "erin logs on at device A with her key" key_login "$AT_A" erin
check "... but her group policy allows no offline entry" test "$(entries agentA)" -eq 1
keys akey:pin=2468
check "alice logs on at device B" key_login "$AT_B" alice 2468
check "device B holds its own entry" test "$(entries agentB)" -eq 1
check "the answer's entry does not reach PAM's log" \
  bash -c "! grep -q offline_entry '$WORK/agentA.log'"

# --- offline: no central server can be reached
stop_central
out=$(key_login "$AT_A" alice 2468) && rc=0 || rc=$?
check "offline, alice logs on at device A with her key and PIN" test "$rc" -eq 0
check "the agent logged an offline logon" contains "$(cat "$WORK/agentA.log")" "offline logon of alice accepted"
keys
out=$(key_login "$AT_A" alice 2468) && rc=0 || rc=$?
check "offline without the key: refused" test "$rc" -ne 0
keys akey:pin=2468
out=$(key_login "$AT_A" alice 1111) && rc=0 || rc=$?
check "offline with a wrong PIN: refused" test "$rc" -ne 0
out=$(pam_login "$AT_A" bob "$(totp "$bob")") && rc=0 || rc=$?
check "offline, a TOTP-only user is refused" test "$rc" -ne 0
check "... with a message that says why" contains "$out" "authenticator app can only be checked"
out=$(key_login "$AT_A" dave 2468) && rc=0 || rc=$?
check "offline, a user without an entry is refused" test "$rc" -ne 0

# A copy of the key taken now signs with the counter the original uses next.
cp "$WORK/akey.key" "$WORK/clone.key"
check "alice logs on offline again (the counter advances)" key_login "$AT_A" alice 2468
keys clone:pin=2468
out=$(key_login "$AT_A" alice 2468) && rc=0 || rc=$?
check "offline, a cloned key (counter not above the last) is refused" test "$rc" -ne 0
check "... as a counter regression" contains "$(cat "$WORK/agentA.log")" "counter_regression"
keys akey:pin=2468

entry=$(entry_of agentA alice)
cp "$entry" "$WORK/entry.saved"
$TOOL tamper <"$WORK/entry.saved" >"$entry"
out=$(key_login "$AT_A" alice 2468) && rc=0 || rc=$?
check "offline, an entry with a changed byte is refused" test "$rc" -ne 0
check "... as damaged" contains "$out" "damaged or was not issued by authd"
$TOOL resign <"$WORK/entry.saved" >"$entry"
out=$(key_login "$AT_A" alice 2468) && rc=0 || rc=$?
check "offline, an entry signed by another key is refused" test "$rc" -ne 0
check "... with its audit reason in the agent's log" \
  contains "$(cat "$WORK/agentA.log")" "offline_entry_bad_signature"
cp "$(entry_of agentB alice)" "$entry"
out=$(key_login "$AT_A" alice 2468) && rc=0 || rc=$?
check "offline, an entry copied from device B is refused at device A" test "$rc" -ne 0
check "... saying so" contains "$out" "issued for another device"
cp "$WORK/entry.saved" "$entry"

stop_agent agentA
start_agent agentA nb-017.stadt.test "$FAKETIME_LIB" "+15d"
out=$(key_login "$AT_A" alice 2468) && rc=0 || rc=$?
check "offline 15 days later, the 14-day entry has expired: refused" test "$rc" -ne 0
check "... saying so" contains "$out" "offline logon has expired"
stop_agent agentA
start_agent agentA nb-017.stadt.test
check "the entry works again at the right time" key_login "$AT_A" alice 2468

# --- back online: an admin withdraws device A's entry before the device is back
start_central
out=$(authctl offline revoke alice nb-017.stadt.test)
check "authctl offline revoke withdraws the entry at device A" contains "$out" "Withdrew 1 offline entry"
check "authctl show says it is withdrawn" \
  contains "$(authctl show alice)" "nb-017.stadt.test: withdrawn"
answer=$($CALLER "$WORK/agentA.sock" ask '{"v":1,"id":1,"op":"ping"}')
check "one contact of device A" test "$(jq -r .ok <<<"$answer")" = true
check "... removes the withdrawn entry" test "$(entries agentA)" -eq 0
offline_logons=$(authctl --json audit --user alice |
  jq '[.events[] | select(.op == "offline_logon" and .device == "nb-017.stadt.test")] | length')
check "the offline logons are in the central audit with their device" test "$offline_logons" -eq 3
check "authctl show no longer lists device A" \
  bash -c "! grep -q nb-017 <<<\"\$($AUTHCTL_BIN --socket $SOCK show alice)\""
check "device B's entry still stands" contains "$(authctl show alice)" "nb-018.stadt.test: valid until"

# A central reject always wins: device B holds a valid entry, the central authd refuses the
# clone (counter regression), and that is the answer.
keys clone:pin=2468
out=$(key_login "$AT_B" alice 2468) && rc=0 || rc=$?
check "online, the central reject of a cloned key stands although device B holds an entry" \
  test "$rc" -ne 0
check "... the central authd saw a counter regression" \
  test "$(authctl --json audit --user alice --limit 1 | jq -r '.events[0].reason')" = counter_regression
answer=$($CALLER "$WORK/agentB.sock" ask '{"v":1,"id":2,"op":"ping"}')
# The clone suspicion withdrew every entry of alice; device B learns it at its next sync, which
# is due after its interval; the grant row says so already.
check "a clone suspicion withdraws alice's entries" contains "$(authctl show alice)" "nb-018.stadt.test: withdrawn"

cat "$WORK"/central.log "$WORK"/agent*.log >"$WORK/authd.log"
finish
