#!/usr/bin/env bash
# End to end against a real directory: slapd (tests/ldap/slapd.sh) with TLS, seeded users and
# groups; authd with the ldap backend and group policy; pamtester through the real pam_authd.so
# with oathtool codes and virtual FIDO2 keys; raw protocol lines over socat for the password check.
source "$(dirname "$0")/lib.sh"

: "${SOFT_FIDO2_PRELOAD:?the soft_fido2_preload library}"
source "$(dirname "$0")/ldap_lib.sh"

# ldap_config URI... : authd.toml for these servers, in this order.
ldap_config() {
  local uris= u
  for u in "$@"; do uris+="${uris:+, }\"$u\""; done
  # Accounts come from slapd here, not nss_wrapper: several workers, as deployed.
  AUTHD_TEST_WORKERS=4 write_config
  cat >>"$WORK/authd.toml" <<TOML
[directory]
backend = "ldap"
cache_ttl = ${CACHE_TTL:-0}
negative_cache_ttl = 0
[ldap]
uris = [$uris]
ca_file = "$(ldap_var ldap1 LDAP_CA)"
bind_dn = "$(ldap_var ldap1 LDAP_BIND_DN)"
bind_password_file = "$(ldap_var ldap1 LDAP_BIND_PASSWORD_FILE)"
user_base = "$(ldap_var ldap1 LDAP_PEOPLE)"
group_base = "$(ldap_var ldap1 LDAP_GROUPS)"
disabled_attribute = "pwdAccountLockedTime"
connect_timeout_ms = 1000
timeout_ms = 2000
retry_after = 60
[policy]
mfa_groups = ["gesundheitsamt", "telearbeit"]
[policy.groups.gesundheitsamt]
factors = ["fido2"]
[policy.groups.telearbeit]
factors = ["fido2", "totp"]
[fido2]
rp_id = "mfa.stadt-test.example"
TOML
}

restart_authd() {
  stop_authd
  ldap_config "$@"
  start_authd
}

# Raw protocol: one request line in, one response line out (a client that is not ours).
request() { printf '%s\n' "$1" | socat -t 5 - "UNIX-CONNECT:$SOCK"; }
verify_with_password() {
  request "$(jq -cn --arg u "$1" --arg c "$2" --arg p "$3" \
    '{v:1,id:1,op:"verify",user:$u,factor:"totp",code:$c,password:$p,service:"vpn"}')"
}
last_reason() { authctl --json audit --user "$1" --limit 1 | jq -r '.events[0].reason'; }

key_login() { printf '\n' | with_keys pamtester -v "$1" "$2" authenticate 2>&1; }

start_ldap ldap1
start_ldap ldap2
write_accounts
restart_authd "$(ldap_var ldap1 LDAPS_URI)"
LOGIN=$(pam_service login "auth required $PAM_AUTHD_SO socket=$SOCK")

# --- --check-config reads what start reads: the password file and the CA; and it looks up the
# groups [policy] names
out=$("$AUTHD_BIN" --check-config --config "$WORK/authd.toml" 2>&1) && rc=0 || rc=$?
check "--check-config accepts the running configuration" test "$rc" -eq 0
cp "$(ldap_var ldap1 LDAP_BIND_PASSWORD_FILE)" "$WORK/open.password"
chmod 0644 "$WORK/open.password"
sed "s|^bind_password_file = .*|bind_password_file = \"$WORK/open.password\"|" \
  "$WORK/authd.toml" >"$WORK/open.toml"
out=$("$AUTHD_BIN" --check-config --config "$WORK/open.toml" 2>&1) && rc=0 || rc=$?
check "--check-config refuses a password file every user may read" test "$rc" -eq 1
check "... and says why" contains "$out" "other users may access it (mode 0644)"
check "... without printing the password" \
  bash -c '! grep -qF -- "$1" <<<"$2"' _ "$(cat "$WORK/open.password")" "$out"
sed "s|^ca_file = .*|ca_file = \"$WORK/no-such-ca.pem\"|" "$WORK/authd.toml" >"$WORK/noca.toml"
out=$("$AUTHD_BIN" --check-config --config "$WORK/noca.toml" 2>&1) && rc=0 || rc=$?
check "--check-config refuses a missing ca_file" test "$rc" -eq 1
check "... naming it" contains "$out" "no-such-ca.pem cannot be read"
sed "s|^key_file = .*|key_file = \"$WORK/lost.key\"|" "$WORK/authd.toml" >"$WORK/nokey.toml"
out=$("$AUTHD_BIN" --check-config --config "$WORK/nokey.toml" 2>&1) && rc=0 || rc=$?
check "--check-config refuses a database whose key file is missing" test "$rc" -eq 1
check "... and creates no new key" test ! -e "$WORK/lost.key"
sed 's|^mfa_groups = .*|mfa_groups = ["Gesundheitsamt", "telearbiet"]|' \
  "$WORK/authd.toml" >"$WORK/typo.toml"
out=$("$AUTHD_BIN" --check-config --config "$WORK/typo.toml" 2>&1) && rc=0 || rc=$?
check "--check-config refuses a [policy] group the directory does not have" test "$rc" -eq 1
check "... naming it" contains "$out" 'policy: group "telearbiet" does not exist in the directory'
check "... while another case of an existing group is fine" \
  bash -c '! grep -qF Gesundheitsamt <<<"$1"' _ "$out"
cp "$WORK/typo.toml" "$WORK/authd.toml"
stop_authd
start_authd
check "authd starts with it, but warns in its log" contains "$(cat "$WORK/authd.log")" \
  'warning: policy: group "telearbiet" does not exist in the directory'
restart_authd "$(ldap_var ldap1 LDAPS_URI)"

# --- directory entry and policy as the admin sees them
shown=$(authctl --json show dave)
check "authctl show reads dave's entry over ldaps" test "$(jq -r .account.display_name <<<"$shown")" = "Dave Dorn"
check "the stable id is the entryUUID" contains "$(jq -r .account.id <<<"$shown")" "^ldap:[0-9a-f-]\{36\}$"
check "both groups are listed" test "$(jq -r '.account.groups | sort | join(",")' <<<"$shown")" = "gesundheitsamt,telearbeit"
check "the strictest rule wins: fido2 only" test "$(jq -c .policy.factors <<<"$shown")" = '["fido2"]'
text=$(authctl show dave)
check "authctl show explains the rule" contains "$text" "the strictest wins"

# --- an enabled teleworker logs on with a code
bob=$(secret_of "$(authctl --json enroll totp bob --no-confirm)")
out=$(pam_login "$LOGIN" bob "$(totp "$bob")") && rc=0 || rc=$?
check "bob (telearbeit) logs on with a TOTP code" test "$rc" -eq 0

# --- a disabled account, an unknown one, an injected filter
carol=$(secret_of "$(authctl --json enroll totp carol --no-confirm)")
out_disabled=$(pam_login "$LOGIN" carol "$(totp "$carol")") && rc=0 || rc=$?
check "carol (pwdAccountLockedTime) is rejected with a valid code" test "$rc" -ne 0
check "the audit says account_disabled" test "$(last_reason carol)" = account_disabled
out_unknown=$(pam_login "$LOGIN" nobody-here 123456) && rc=0 || rc=$?
check "an unknown user is rejected" test "$rc" -ne 0
out_wrong=$(pam_login "$LOGIN" bob "$(totp "$bob" 5)") && rc=0 || rc=$?
check "an unknown user gets the same answer as a wrong code" \
  test "$(tail -n 1 <<<"$out_unknown")" = "$(tail -n 1 <<<"$out_wrong")"
out=$(pam_login "$LOGIN" '*)(uid=*' 123456) && rc=0 || rc=$?
check "the login name *)(uid=* finds nobody" test "$rc" -ne 0
check "... and is audited as an unknown user" test "$(last_reason '*)(uid=*')" = unknown_user
injected=$(request '{"v":1,"id":1,"op":"factors","user":"*"}')
check "a bare * is no wildcard either" test "$(jq -c .factors <<<"$injected")" = '["totp"]'

# --- group policy: the health office may not use codes, but a key works
alice=$(secret_of "$(authctl --json enroll totp alice --no-confirm)")
out=$(pam_login "$LOGIN" alice "$(totp "$alice")") && rc=0 || rc=$?
check "alice (gesundheitsamt) cannot log on with a code" test "$rc" -ne 0
PLUGGED="key0:$WORK/key0.key"
with_keys "$AUTHCTL_BIN" --socket "$SOCK" enroll fido2 alice >/dev/null 2>&1
out=$(key_login "$LOGIN" alice) && rc=0 || rc=$?
check "alice logs on with her security key" test "$rc" -eq 0
factors=$(request '{"v":1,"id":1,"op":"factors","user":"erin"}')
check "erin (no MFA group) need not use a second factor" test "$(jq -r .mfa <<<"$factors")" = false

# --- the directory password (VPN gateways): wrong, right, empty
erin=$(secret_of "$(authctl --json enroll totp erin --no-confirm)")
r=$(verify_with_password erin "$(totp "$erin" -1)" wrong-pw)
check "a wrong directory password is rejected" test "$(jq -r .result <<<"$r")" = reject
check "... audited as wrong_password" test "$(last_reason erin)" = wrong_password
r=$(verify_with_password erin "$(totp "$erin")" erin-pw)
check "the right directory password with the code is accepted" test "$(jq -r .result <<<"$r")" = accept
r=$(verify_with_password erin "$(totp "$erin" 1)" "")
check "an empty password is refused before any bind" test "$(jq -r .error <<<"$r")" = bad_request
check "no password reached the audit or the log" \
  bash -c "! grep -q -e bob-pw -e wrong-pw '$WORK/authd.log' '$WORK/authd.db'* &&
    ! '$AUTHCTL_BIN' --socket '$SOCK' --json audit | grep -q -e bob-pw -e wrong-pw"

# --- pam_authd with `password`: the VPN-style stack checks the directory password with the code
VPN=$(pam_service vpn "auth required $PAM_AUTHD_SO socket=$SOCK password factor=totp")
frank=$(secret_of "$(authctl --json enroll totp frank --no-confirm)")
out=$(pam_login "$VPN" frank "$(printf 'wrong-pw\n%s' "$(totp "$frank" -1)")") && rc=0 || rc=$?
check "pam_authd password: a wrong directory password fails the logon" test "$rc" -ne 0
check "... audited as wrong_password" test "$(last_reason frank)" = wrong_password
out=$(pam_login "$VPN" frank "$(printf 'frank-pw\n%s' "$(totp "$frank")")") && rc=0 || rc=$?
check "pam_authd password: the right password and code log on" test "$rc" -eq 0
check "... after asking for the password" contains "$out" "Password"

# --- stable identity: a renamed account keeps its app, a new account with the old name gets nothing
as_ldap_admin() {
  (source "$WORK/ldap1/env" && LDAPTLS_CACERT=$LDAP_CA "$1" -x -H "$LDAPS_URI" -D "$LDAP_ADMIN_DN" \
    -y "$LDAP_ADMIN_PASSWORD_FILE" "${@:2}") >/dev/null
}
people=$(ldap_var ldap1 LDAP_PEOPLE)
as_ldap_admin ldapmodrdn -r "uid=bob,$people" "uid=robert"
out=$(pam_login "$LOGIN" robert "$(totp "$bob" 1)") && rc=0 || rc=$?
check "bob, renamed to robert in the directory, logs on with his app" test "$rc" -eq 0
printf 'dn: uid=bob,%s\nobjectClass: inetOrgPerson\nuid: bob\ncn: Bob Neu\nsn: Neu\n' "$people" >"$WORK/newbob.ldif"
as_ldap_admin ldapadd -f "$WORK/newbob.ldif"
out=$(pam_login "$LOGIN" bob "$(totp "$bob" -1)") && rc=0 || rc=$?
check "a new account named bob cannot use the old bob's app" test "$rc" -ne 0
check "... and shows no credentials" test "$(authctl --json show bob | jq '.credentials | length')" -eq 0
check "robert's entry shows the app enrolled as bob" \
  test "$(authctl --json show robert | jq -r '.credentials[0].user')" = bob

# --- StartTLS, and a server whose certificate comes from another CA
restart_authd "$(ldap_var ldap1 LDAP_URI)"
check "StartTLS on ldap:// works" test "$(authctl --json show bob | jq -r .account.name)" = bob
factors=$(request '{"v":1,"id":1,"op":"factors","user":"frank"}')
check "frank needs no second factor (in no MFA group)" test "$(jq -r .mfa <<<"$factors")" = false
"$LDAP_SH" wrong-ca "$WORK/ldapx" --ca "$WORK/ca" >/dev/null 2>&1
LDAP_DIRS+=("$WORK/ldapx")
for uri in "$(ldap_var ldapx LDAPS_URI)" "$(ldap_var ldapx LDAP_URI)"; do
  restart_authd "$uri"
  out=$(authctl show bob 2>&1) && rc=0 || rc=$?
  check "a certificate from another CA is refused ($uri)" test "$rc" -ne 0
  check "... and authctl says the directory is unavailable" contains "$out" "directory is unavailable"
  out=$(pam_login "$LOGIN" robert "$(totp "$bob")") && rc=0 || rc=$?
  check "... so logons fail secure ($uri)" test "$rc" -ne 0
done

# --- memberOf hidden from the service account (an ACL): with a group policy, nobody may look
# group-less, which would exempt them from MFA or from their group's rule
start_ldap ldap3
"$LDAP_SH" config "$WORK/ldap3" <<'LDIF'
dn: olcDatabase={1}mdb,cn=config
changetype: modify
add: olcAccess
olcAccess: {0}to attrs=memberOf by * none
LDIF
restart_authd "$(ldap_var ldap3 LDAPS_URI)"
factors=$(request '{"v":1,"id":1,"op":"factors","user":"frank"}')
check "memberOf unreadable: frank is not exempted, the lookup fails secure" \
  test "$(jq -r .error <<<"$factors")" = unavailable
factors=$(request '{"v":1,"id":1,"op":"factors","user":"alice"}')
check "... alice (health office) cannot slip out of her rule either" \
  test "$(jq -r .error <<<"$factors")" = unavailable
check "... and authd's log says why" contains "$(cat "$WORK/authd.log")" "sees no group membership at all"

# --- failover: the first server stops in the middle of a run of key logons
restart_authd "$(ldap_var ldap1 LDAPS_URI)" "$(ldap_var ldap2 LDAPS_URI)"
failed=0
slowest=0
for i in $(seq 1 12); do
  if ((i == 5)); then "$LDAP_SH" stop "$WORK/ldap1" >/dev/null; fi
  t0=$(date +%s%N)
  key_login "$LOGIN" alice >/dev/null || failed=$((failed + 1))
  ms=$((($(date +%s%N) - t0) / 1000000))
  ((ms > slowest)) && slowest=$ms
done
check "no key logon failed while the first server went away" test "$failed" -eq 0
check "the slowest logon stayed within the timeouts (${slowest} ms <= 6000 ms)" test "$slowest" -le 6000
check "the failover is logged once" test "$(grep -c "$(ldap_var ldap1 LDAPS_URI) did not answer" "$WORK/authd.log")" -eq 1
"$LDAP_SH" stop "$WORK/ldap2" >/dev/null
out=$(key_login "$LOGIN" alice) && rc=0 || rc=$?
check "with no server left, logons fail secure" test "$rc" -ne 0
check "... with the directory named in authd's log" contains "$(cat "$WORK/authd.log")" "no directory server answered"

finish
