#!/usr/bin/env bash
# An unprivileged local user attacks the others through authd's socket (issue 10's findings):
# locking out another user, telling accounts apart, holding all connections, flooding FIDO2
# challenges, growing the database. Each attack must fail while root's pamtester logons (and the
# victim's own non-root caller) keep working. The attacker is uid 65534 (nobody), switched to with
# setpriv; authd knows the uids through nss_wrapper.
source "$(dirname "$0")/lib.sh"

: "${SOFT_FIDO2_PRELOAD:?the soft_fido2_preload library}"

write_accounts
write_config
cat >>"$WORK/authd.toml" <<TOML
[fido2]
rp_id = "mfa.stadt-test.example"
TOML
sed -i 's/^idle_timeout = 10$/idle_timeout = 60\nmax_connections = 12\nmax_connections_per_uid = 8\nrequest_burst = 100/' \
  "$WORK/authd.toml"
start_authd

cp "$(dirname "$0")/local_caller.py" "$WORK/local_caller.py"
chmod 755 "$WORK/local_caller.py"
# as UID ARGS... : runs the protocol client as that uid (no groups, no privileges).
as() {
  local uid=$1
  shift
  setpriv --reuid="$uid" --regid="$uid" --clear-groups /usr/bin/python3 "$WORK/local_caller.py" "$SOCK" "$@"
}
NOBODY=65534
ALICE_UID=20001
TOTP=$(pam_service totp "auth required $PAM_AUTHD_SO socket=$SOCK factor=totp")
KEY=$(pam_service key "auth required $PAM_AUTHD_SO socket=$SOCK factor=fido2")

alice_secret=$(secret_of "$(authctl --json enroll totp alice --no-confirm)")
authctl --json enroll totp erin --no-confirm >/dev/null
authctl --json enroll totp nobody --no-confirm >/dev/null
PLUGGED="carolkey:$WORK/carol.key"
with_keys "$AUTHCTL_BIN" --socket "$SOCK" --json enroll fido2 carol >/dev/null 2>&1
PLUGGED="nobodykey:$WORK/nobody.key"
with_keys "$AUTHCTL_BIN" --socket "$SOCK" --json enroll fido2 nobody >/dev/null 2>&1
check "the victims and the attacker have their factors" \
  test "$(authctl --json list | jq '.credentials | length')" -eq 5

verify_line() { printf '{"v":1,"op":"verify","user":"%s","factor":"totp","code":"%s"}' "$1" "$2"; }

# --- 1. Locking out another user: 30 wrong codes for alice from nobody.
out=$(as $NOBODY flood 30 "$(verify_line alice 000000)")
check "every guess for another account is forbidden" \
  test "$(jq '.errors.forbidden' <<<"$out")" -eq 30
check "alice has no failure counted" test "$(authctl --json list alice | jq '.locks | length')" -eq 0
out=$(pam_login "$TOTP" alice "$(totp "$alice_secret")") && rc=0 || rc=$?
check "alice still logs on through root's PAM stack" test "$rc" -eq 0
check "the refusals are audited with the attacker's uid" \
  test "$(authctl --json audit --user alice | jq '[.events[] | select(.result=="denied" and .uid==65534)] | length')" -ge 1

# --- 2. Telling accounts apart: enrolled (alice), key holder (carol), no factor (bob),
# unknown (zed), locked (erin) all answer alike.
for _ in 1 2 3; do pam_login "$TOTP" erin 000000 >/dev/null || true; done
check "erin is locked" test "$(authctl --json list erin | jq '.locks[0].locked_until != null')" = true
answers=""
for u in alice carol bob zed erin; do
  a=$(as $NOBODY ask "{\"v\":1,\"op\":\"factors\",\"user\":\"$u\"}" \
    "{\"v\":1,\"op\":\"fido2_begin\",\"user\":\"$u\"}" \
    "$(verify_line "$u" 123456)")
  answers+="$a"$'\n'
done
check "an unprivileged caller gets one answer for every kind of account" \
  test "$(sort -u <<<"$answers" | grep -c .)" -eq 1
check "... and it is a refusal" test "$(sort -u <<<"$answers" | jq -r .error)" = forbidden

# --- 3. Holding all connections: nobody opens 40 and keeps them.
coproc HOLDER { as $NOBODY hold 40; }
read -r -t 30 held <&"${HOLDER[0]}" || held="no answer"
check "one uid gets at most max_connections_per_uid connections" test "$held" = "answered 8"
out=$(pam_login "$TOTP" alice "$(totp "$alice_secret" 1)") && rc=0 || rc=$?
check "while they are held, root's PAM logon still succeeds" test "$rc" -eq 0
own=$(as $ALICE_UID ask '{"v":1,"op":"factors","user":"alice"}')
check "... and another non-root user's own call too" test "$(jq -r .ok <<<"$own")" = true
holder_pid=$HOLDER_PID
eval "exec ${HOLDER[1]}>&-"
wait "$holder_pid" || true

# --- 4. Flooding challenges: nobody asks for 2000 challenges of its own key.
out=$(as $NOBODY flood 2000 '{"v":1,"op":"fido2_begin","user":"nobody"}')
check "the flood is throttled" test "$(jq '.errors.busy // 0' <<<"$out")" -gt 0
PLUGGED="carolkey:$WORK/carol.key"
out=$(printf '\n' | with_keys pamtester -v "$KEY" carol authenticate 2>&1) && rc=0 || rc=$?
check "carol's security-key logon still succeeds after the flood" test "$rc" -eq 0

# --- 5. Growing the database: nobody sends wrong codes for itself with the largest fields.
rows() { sqlite3 "file:$WORK/authd.db?mode=ro" 'SELECT count(*) FROM audit'; }
before=$(rows)
big=$(printf 'x%.0s' $(seq 64))
host=$(printf 'h%.0s' $(seq 256))
line=$(printf '{"v":1,"op":"verify","user":"nobody","factor":"totp","code":"000000","service":"%s","rhost":"%s","tty":"%s"}' "$big" "$host" "$host")
out=$(as $NOBODY flood 2000 "$line")
answered=$(jq '.ok' <<<"$out")
check "the caller is throttled to its request rate" test "$(jq '.errors.busy // 0' <<<"$out")" -gt 0
after=$(rows)
check "2000 requests add at most a handful of audit rows ($((after - before)))" \
  test $((after - before)) -le 10
check "... while the rejections were counted (answered $answered)" \
  test "$(sqlite3 "file:$WORK/authd.db?mode=ro" "SELECT coalesce(sum(count),0) FROM audit WHERE user='nobody' AND op='verify'")" -ge "$answered"

finish
