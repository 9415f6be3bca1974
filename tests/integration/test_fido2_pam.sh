#!/usr/bin/env bash
# End to end with security keys: authctl enrols a virtual FIDO2 key, pamtester logs on through the
# real pam_authd.so against a real authd. The keys are software CTAP2 authenticators that the real
# libfido2 talks to: an LD_PRELOAD shim (tests/fido2/preload) replaces fido_dev_info_manifest in
# authctl and pamtester, and each key keeps its state in a file so both processes see one key.
source "$(dirname "$0")/lib.sh"

: "${SOFT_FIDO2_PRELOAD:?the soft_fido2_preload library}"

write_accounts
write_config
cat >>"$WORK/authd.toml" <<TOML
[fido2]
rp_id = "mfa.stadt-test.example"
rp_name = "Stadt Test"
TOML
start_authd

key_authctl() { with_keys "$AUTHCTL_BIN" --socket "$SOCK" "$@"; }
last_reason() { authctl --json audit --user "$1" --limit 1 | jq -r '.events[0].reason'; }

ANY=$(pam_service any "auth required $PAM_AUTHD_SO socket=$SOCK")
KEYONLY=$(pam_service keyonly "auth required $PAM_AUTHD_SO socket=$SOCK factor=fido2")

# --- enrolment with authctl
keys key0
enrolled=$(key_authctl --json enroll fido2 alice --label "YubiKey Büro" 2>"$WORK/err") && rc=0 || rc=$?
check "authctl told the admin to touch the key" contains "$(cat "$WORK/err")" "Touch your security key"
check "authctl enrols the plugged key" test "$rc" -eq 0
check "the enrolment is packed self attestation with ES256" \
  test "$(jq -r '.fmt + " " + .attestation + " " + (.algorithm|tostring)' <<<"$enrolled")" = "packed self -7"
alice_id=$(jq -r .credential_id <<<"$enrolled")
listed=$(authctl --json list alice)
check "authctl list shows the key with its label and AAGUID" \
  test "$(jq -r '.credentials[] | select(.factor=="fido2") | .label' <<<"$listed")" = "YubiKey Büro"
check "the AAGUID is listed in 8-4-4-4-12 form" \
  contains "$(jq -r '.credentials[] | select(.factor=="fido2") | .aaguid' <<<"$listed")" \
  '^[0-9a-f]\{8\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{12\}$'
out=$(key_authctl enroll fido2 alice 2>&1) && rc=0 || rc=$?
check "the same key cannot be enrolled twice for one user" test "$rc" -ne 0
check "... and authctl says why" contains "$out" "already"

# --- logon
out=$(key_login "$ANY" alice) && rc=0 || rc=$?
check "alice logs on with her key" test "$rc" -eq 0
check "pamtester reports success" contains "$out" "successfully authenticated"
check "the module asked for the touch" contains "$out" "Please touch your security key"
check "the logon is audited as a fido2 accept" test "$(last_reason alice)" = ok
count1=$(authctl --json list alice | jq -r '.credentials[] | select(.factor=="fido2") | .sign_count')
key_login "$ANY" alice >/dev/null
count2=$(authctl --json list alice | jq -r '.credentials[] | select(.factor=="fido2") | .sign_count')
check "the stored signature counter advances with every logon" test "$count2" -gt "$count1"

keys spare key0
out=$(key_login "$ANY" alice) && rc=0 || rc=$?
check "two keys plugged, only the second enrolled: logon works" test "$rc" -eq 0
keys spare
out=$(key_login "$KEYONLY" alice) && rc=0 || rc=$?
check "only a foreign key plugged: refused" test "$rc" -ne 0
keys
out=$(key_login "$KEYONLY" alice) && rc=0 || rc=$?
check "no key plugged with factor=fido2: refused" test "$rc" -ne 0
check "... with a clear message" contains "$out" "No security key"
authctl unlock alice >/dev/null

# --- a broken or cloned key is refused with its audit reason
for fault in "up=off user_presence_missing" "wrongrp rp_id_mismatch" "tamper bad_signature"; do
  set -- $fault
  keys "key0:$1"
  out=$(key_login "$ANY" alice) && rc=0 || rc=$?
  check "fault $1 is refused" test "$rc" -ne 0
  check "fault $1 is audited as $2" test "$(last_reason alice)" = "$2"
  authctl unlock alice >/dev/null
done
# A clone: a copy of the key's state taken now, used after the original signed again.
cp "$WORK/key0.key" "$WORK/clone.key"
keys key0
key_login "$ANY" alice >/dev/null
keys clone
out=$(key_login "$ANY" alice) && rc=0 || rc=$?
check "a cloned key (counter not above the stored one) is refused" test "$rc" -ne 0
check "... audited as counter_regression" test "$(last_reason alice)" = counter_regression
check "... and the credential is marked clone-suspected" \
  test "$(authctl --json list alice | jq -r '.credentials[] | select(.factor=="fido2") | .clone_suspected')" = true
keys key0
out=$(key_login "$ANY" alice) && rc=0 || rc=$?
check "a clone-suspected credential stays refused, also for the original key" test "$rc" -ne 0
authctl reinstate alice "$alice_id" >/dev/null
authctl unlock alice >/dev/null
out=$(key_login "$ANY" alice) && rc=0 || rc=$?
check "after authctl reinstate the original key logs on again" test "$rc" -eq 0
keys key0:counterback
out=$(key_login "$ANY" alice) && rc=0 || rc=$?
check "a key whose counter goes backwards is refused" test "$rc" -ne 0
check "... audited as counter_regression" test "$(last_reason alice)" = counter_regression
authctl reinstate alice "$alice_id" >/dev/null
authctl unlock alice >/dev/null

# --- PIN: enrolled with --uv required
keys pinkey:pin=2468
out=$(printf '2468\n' | key_authctl --json enroll fido2 bob --uv required 2>"$WORK/err") && rc=0 || rc=$?
check "a key with a PIN is enrolled with uv=required" test "$rc" -eq 0
out=$(key_login "$ANY" bob 2468) && rc=0 || rc=$?
check "bob logs on with the right PIN" test "$rc" -eq 0
check "the module asked for the PIN" contains "$out" "PIN"
out=$(key_login "$ANY" bob 1111) && rc=0 || rc=$?
check "a wrong PIN is refused" test "$rc" -ne 0
out=$(key_login "$ANY" bob "") && rc=0 || rc=$?
check "no PIN given is refused" test "$rc" -ne 0
authctl unlock bob >/dev/null

# --- factor=any: a user with an app and a key falls back to the code without a key
carol_secret=$(secret_of "$(authctl --json enroll totp carol --no-confirm)")
keys key1
key_authctl enroll fido2 carol >/dev/null
keys
out=$(key_login "$ANY" carol "$(totp "$carol_secret")") && rc=0 || rc=$?
check "without a key plugged carol logs on with her app's code" test "$rc" -eq 0
keys key1
out=$(key_login "$ANY" carol) && rc=0 || rc=$?
check "with her key plugged carol logs on with the key" test "$rc" -eq 0
check "... and was not asked for a code" bash -c "! grep -q 'Verification code' <<<'$out'"

# --- revocation
authctl revoke alice "$alice_id" >/dev/null
keys key0
out=$(key_login "$KEYONLY" alice) && rc=0 || rc=$?
check "a revoked key no longer logs on" test "$rc" -ne 0

# --- attestation policy "self" (default): a certificate is accepted, but not vouched for
keys x5ckey:fmt=x5c:x5cdir=$WORK/x5c
out=$(key_authctl --json enroll fido2 frank 2>"$WORK/err") && rc=0 || rc=$?
check "self policy: a key with an attestation certificate is enrolled" test "$rc" -eq 0
check "... as basic_unverified, since no chain was checked" \
  test "$(jq -r .attestation <<<"$out")" = basic_unverified
check "... and listed so" test "$(authctl --json list frank |
  jq -r '.credentials[] | select(.factor=="fido2") | .attestation')" = basic_unverified

# --- attestation policy "trusted": only keys with a certificate from the configured CA
stop_authd
keys x5ckey:fmt=x5c:x5cdir=$WORK/x5c
with_keys "$AUTHCTL_BIN" --socket "$SOCK" --timeout 1 list >/dev/null 2>&1 || true  # creates the CA
cat >>"$WORK/authd.toml" <<TOML
attestation = "trusted"
ca_file = "$WORK/x5c/ca.pem"
TOML
start_authd
out=$(key_authctl --json enroll fido2 dave 2>"$WORK/err") && rc=0 || rc=$?
check "trusted policy: a key with a certificate from the CA is enrolled" test "$rc" -eq 0
check "... as basic attestation" test "$(jq -r .attestation <<<"$out")" = basic
keys selfkey
out=$(key_authctl enroll fido2 erin 2>&1) && rc=0 || rc=$?
check "trusted policy: a self-attested key is refused" test "$rc" -ne 0
check "... audited as attestation_not_trusted" test "$(last_reason erin)" = attestation_not_trusted

# --- authd down: the module fails closed
stop_authd
keys x5ckey
out=$(key_login "$KEYONLY" dave) && rc=0 || rc=$?
check "authd down: logon refused" test "$rc" -ne 0
check "authd down: PAM_AUTHINFO_UNAVAIL" contains "$out" "Authentication service cannot retrieve authentication info"

finish
