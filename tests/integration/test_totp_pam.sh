#!/usr/bin/env bash
# End to end: authctl enrols a TOTP app, oathtool (independent RFC 6238 code) plays the phone,
# pamtester logs on through the real pam_authd.so against a real authd.
source "$(dirname "$0")/lib.sh"

write_accounts
write_config
start_authd

LOGIN=$(pam_service login "auth required $PAM_AUTHD_SO socket=$SOCK")

# --- enrolment and a first logon
enrolled=$(authctl --json enroll totp alice --label phone --no-confirm)
secret=$(secret_of "$enrolled")
check "enrolment returns a base32 secret of >= 160 bits" \
  test "$(printf %s "$secret" | wc -c)" -ge 32
check "enrolment URI is otpauth with the configured issuer" \
  contains "$(jq -r .uri <<<"$enrolled")" "^otpauth://totp/Stadt%20Test:alice?secret=$secret"

code=$(totp "$secret")
out=$(pam_login "$LOGIN" alice "$code") && rc=0 || rc=$?
check "a current code from oathtool logs alice on" test "$rc" -eq 0
check "pamtester reports success" contains "$out" "successfully authenticated"

# --- replay, wrong code, unknown user
out=$(pam_login "$LOGIN" alice "$code") && rc=0 || rc=$?
check "the same code a second time is rejected" test "$rc" -ne 0
check "replay is a plain authentication failure" contains "$out" "Authentication failure"

wrong=$(totp "$secret" 5)
out=$(pam_login "$LOGIN" alice "$wrong") && rc=0 || rc=$?
check "a code outside the window is rejected" test "$rc" -ne 0

out_unknown=$(pam_login "$LOGIN" nosuchuser "$wrong") && rc=0 || rc=$?
check "an unknown account is rejected" test "$rc" -ne 0
check "an unknown account gets the same answer as a wrong code" \
  test "$(grep -c 'Authentication failure' <<<"$out_unknown")" -eq "$(grep -c 'Authentication failure' <<<"$out")"

audit=$(authctl --json audit --user alice)
check "audit records the replay" contains "$(jq -r '.events[].reason' <<<"$audit")" "^replayed$"
check "audit records the wrong code" contains "$(jq -r '.events[].reason' <<<"$audit")" "^wrong_code$"
check "audit never contains a code" bash -c "! grep -q -- '$code' <<<'$audit'"
check "the database never holds the secret in clear" \
  bash -c "! sqlite3 '$WORK/authd.db' .dump | grep -q '$secret'"

authctl unlock alice >/dev/null

# --- lockout after 3 failures (test config), unlock
dave=$(secret_of "$(authctl --json enroll totp dave --no-confirm)")
for i in 1 2 3; do pam_login "$LOGIN" dave "$(totp "$dave" 7)" >/dev/null || true; done
good=$(totp "$dave")
out=$(pam_login "$LOGIN" dave "$good") && rc=0 || rc=$?
check "after the failure limit even a valid code is refused" test "$rc" -ne 0
check "a locked user gets PAM_MAXTRIES" contains "$out" "maximum number of retries"
check "the locked user sees a clear message" contains "$out" "locked"
check "authctl list shows the lock" contains "$(authctl --json list dave | jq -r '.locks[].user')" "^dave$"
authctl unlock dave >/dev/null
out=$(pam_login "$LOGIN" dave "$good") && rc=0 || rc=$?
check "authctl unlock frees the user" test "$rc" -eq 0

# --- durability: a used code stays used after a crash (SIGKILL) and a restart
next=$(totp "$secret" 1)
out=$(pam_login "$LOGIN" alice "$next") && rc=0 || rc=$?
check "the next step's code is accepted" test "$rc" -eq 0
stop_authd KILL
start_authd
out=$(pam_login "$LOGIN" alice "$next") && rc=0 || rc=$?
check "after a crash and restart the used code is still rejected" test "$rc" -ne 0
out=$(pam_login "$LOGIN" alice "$(totp "$secret" -1)") && rc=0 || rc=$?
check "after the restart an older step than the last accepted one is rejected" test "$rc" -ne 0
reasons=$(authctl --json audit --user alice --limit 1 | jq -r '.events[] | .reason + " x" + (.count|tostring)')
check "both refusals after the restart are audited as replays (one row, count 2)" \
  test "$reasons" = "replayed x2"
authctl unlock alice >/dev/null

# --- confirmation flow: a pending credential is not usable until confirmed
carol_json=$(authctl --json enroll totp carol)
carol=$(secret_of "$carol_json")
carol_id=$(jq -r .credential_id <<<"$carol_json")
check "a confirmable enrolment starts pending" test "$(jq -r .state <<<"$carol_json")" = pending
out=$(pam_login "$LOGIN" carol "$(totp "$carol")") && rc=0 || rc=$?
check "a pending credential cannot log on" test "$rc" -ne 0
authctl unlock carol >/dev/null
authctl confirm carol "$carol_id" "$(totp "$carol")" >/dev/null && rc=0 || rc=$?
check "authctl confirm activates with a current code" test "$rc" -eq 0
out=$(pam_login "$LOGIN" carol "$(totp "$carol" 1)") && rc=0 || rc=$?
check "the confirmed credential logs on" test "$rc" -eq 0

# --- revoke
erin_json=$(authctl --json enroll totp erin --no-confirm)
authctl revoke erin "$(jq -r .credential_id <<<"$erin_json")" >/dev/null
out=$(pam_login "$LOGIN" erin "$(totp "$(secret_of "$erin_json")")") && rc=0 || rc=$?
check "a revoked credential cannot log on" test "$rc" -ne 0

# --- nouserok: only for a user without any factor
# PAM_IGNORE alone fails a stack, so nouserok needs a module after it that decides.
NOUSEROK=$(pam_service nouserok "auth required $PAM_AUTHD_SO socket=$SOCK nouserok
auth required pam_permit.so")
out=$(pam_login "$NOUSEROK" bob "") && rc=0 || rc=$?
check "nouserok lets a user without factor through (PAM_IGNORE + pam_permit)" test "$rc" -eq 0
out=$(pam_login "$LOGIN" bob "") && rc=0 || rc=$?
check "without nouserok a user without factor is refused" test "$rc" -ne 0
check "the refusal for want of a factor is audited" \
  test "$(authctl --json audit --user bob --limit 1 | jq -r '.events[0] | "\(.op) \(.result) \(.reason)"')" = "factors reject no_factor"
out=$(pam_login "$NOUSEROK" alice "$(totp "$secret" 5)") && rc=0 || rc=$?
check "nouserok does not help an enrolled user with a wrong code" test "$rc" -ne 0

# --- admin operations need root or the admin group
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$AUTHCTL_BIN" --socket "$SOCK" list 2>&1) && rc=0 || rc=$?
check "a non-admin caller is refused" test "$rc" -eq 1
check "the refusal is one clear line" contains "$out" "forbidden"
out=$(setpriv --reuid=20006 --regid=20006 --clear-groups "$AUTHCTL_BIN" --socket "$SOCK" --json list 2>&1) && rc=0 || rc=$?
check "a member of the admin group may list" test "$rc" -eq 0
check "the refused call is audited" \
  contains "$(authctl --json audit | jq -r '.events[] | select(.result=="denied") | .uid')" "^65534$"

# --- fail secure: authd down means no logon, not an open door
stop_authd
out=$(pam_login "$NOUSEROK" bob "") && rc=0 || rc=$?
check "with authd down even nouserok does not let anyone in" test "$rc" -ne 0
check "authd down is reported as authinfo unavailable" \
  contains "$out" "Authentication service cannot retrieve authentication info"
out=$(pam_login "$LOGIN" alice "$(totp "$secret" 1)") && rc=0 || rc=$?
check "with authd down an enrolled user cannot log on" test "$rc" -ne 0

finish
