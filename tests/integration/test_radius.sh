#!/usr/bin/env bash
# The RADIUS front end end to end (docs/radius.md): authd with the ldap backend (slapd) and
# [radius] on loopback; radclient (freeradius-utils) and pam_radius_auth (through pamtester) as
# real gateways, radius_tool.py as an independent client for what radclient cannot do (send one
# datagram twice, check that Message-Authenticator comes first); codes from oathtool.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ldap_lib.sh"

for tool in radclient pamtester; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
PAM_RADIUS_SO=$(find /lib /usr/lib -name pam_radius_auth.so 2>/dev/null | head -n 1)
[[ -n $PAM_RADIUS_SO ]] || { echo "SKIP: libpam-radius-auth is not installed"; exit 77; }
TOOL=$AUTHD_SOURCE_DIR/tests/integration/radius_tool.py

SECRET=$(openssl rand -hex 16)
(umask 077 && printf '%s\n' "$SECRET" >"$WORK/radius.secret")

# radius_config MODE [REQUIRE_MA] : authd.toml with one RADIUS client on 127.0.0.1 in MODE.
radius_config() {
  AUTHD_TEST_WORKERS=4 LOCKOUT_MAX_FAILURES=20 write_config
  ldap_directory_config ldap1 >>"$WORK/authd.toml"
  cat >>"$WORK/authd.toml" <<TOML
[policy]
mfa_groups = ["telearbeit"]
[radius]
listen = ["127.0.0.1:0"]
accounting_listen = ["127.0.0.1:0"]
state_ttl = 30
licence_limit = 2
licence_warning_percent = 50
[[radius.clients]]
name = "vpn-test"
address = "127.0.0.0/8"
secret_file = "$WORK/radius.secret"
mode = "$1"
require_message_authenticator = ${2:-true}
[radius.groups.telearbeit]
class = "telearbeit"
filter_id = "vpn-telearbeit"
TOML
}

# restart_radius MODE [REQUIRE_MA] : authd with that client; sets PORT and ACCT_PORT.
restart_radius() {
  stop_authd
  radius_config "$@"
  start_authd
  PORT=$(sed -n 's/.*radius: listening on 127\.0\.0\.1:\([0-9]*\) (authentication).*/\1/p' "$WORK/authd.log" | tail -n 1)
  ACCT_PORT=$(sed -n 's/.*radius: listening on 127\.0\.0\.1:\([0-9]*\) (accounting).*/\1/p' "$WORK/authd.log" | tail -n 1)
  [[ -n $PORT && -n $ACCT_PORT ]] || { echo "authd logged no RADIUS ports"; cat "$WORK/authd.log"; exit 1; }
}

# radc TYPE ATTRIBUTES [SECRET] : radclient's view of one request (-x prints the reply).
radc() {
  local port=$PORT
  [[ $1 == acct ]] && port=$ACCT_PORT
  printf '%s\n' "$2" | radclient -x -t 2 -r 1 "127.0.0.1:$port" "$1" "${3:-$SECRET}" 2>&1 || true
}
signed() { printf 'Message-Authenticator = 0x00, %s' "$1"; }
login_attrs() { printf 'User-Name = "%s", User-Password = "%s", NAS-Identifier = "vpn-gw-1", Calling-Station-Id = "198.51.100.7"' "$1" "$2"; }
got() { grep -o 'Received Access-[A-Za-z]*' <<<"$1" | head -n 1 | sed 's/Received //'; }
tool() { python3 "$TOOL" 127.0.0.1 "$PORT" "$WORK/radius.secret" "$@"; }
# The newest logon decision of USER (audit queries are audited too, so filter them out).
last_verify() { authctl --json audit --user "$1" | jq -c '[.events[] | select(.op == "verify")][0]'; }
last_audit() { last_verify "$1" | jq -r ".$2"; }
# fresh USER : the secret of a new TOTP app of USER, whose time steps are all unused.
fresh() { secret_of "$(authctl --json enroll totp "$1" --no-confirm)"; }
verifies() { authctl --json audit --user "$1" | jq '[.events[] | select(.op == "verify")] | length'; }

start_ldap ldap1
write_accounts
restart_radius append
erin=$(fresh erin)
bob=$(fresh bob)
frank=$(fresh frank)

# --- append mode: password and code in one field
code=$(totp "$erin" -1)
out=$(radc auth "$(signed "$(login_attrs erin "erin-pw$code")")")
check "append: radclient gets Access-Accept for password+code" test "$(got "$out")" = Access-Accept
check "... audited with the client, the NAS and the calling station" \
  test "$(last_verify erin | jq -r '[.service, .device, .rhost] | join(" ")')" = \
  "radius:vpn-test vpn-gw-1 198.51.100.7"
out=$(radc auth "$(signed "$(login_attrs erin "erin-pw$code")")")
check "append: the same code again is rejected" test "$(got "$out")" = Access-Reject
check "... as replayed" test "$(last_audit erin reason)" = replayed
out=$(radc auth "$(signed "$(login_attrs erin "wrong-pw$(totp "$erin")")")")
check "append: a wrong password with a right code is rejected" test "$(got "$out")" = Access-Reject
check "... as wrong_password" test "$(last_audit erin reason)" = wrong_password
out=$(radc auth "$(signed "$(login_attrs erin "erin-pw000000")")")
check "append: a wrong code is rejected" test "$(got "$out")" = Access-Reject
check "... with a message that names neither part" contains "$out" "wrong password or code"
unknown=$(radc auth "$(signed "$(login_attrs nobody-here "pw123456")")")
check "append: an unknown user gets the same Access-Reject" test "$(got "$unknown")" = Access-Reject
check "... and the same message" contains "$unknown" "wrong password or code"
out=$(radc auth "$(signed "$(login_attrs bob "bob-pw$(totp "$bob")")")")
check "append: bob (telearbeit) is accepted" test "$(got "$out")" = Access-Accept
check "... with his group's Class and Filter-Id" \
  bash -c 'grep -q "Class = 0x74656c6561726265697" <<<"$1" && grep -q "Filter-Id = \"vpn-telearbeit\"" <<<"$1"' _ "$out"
out=$(radc auth "$(login_attrs frank "frank-pw$(totp "$frank")")")
check "require_message_authenticator: a request without it gets no answer" contains "$out" "No reply"
out=$(radc auth "$(signed "$(login_attrs frank "frank-pw$(totp "$frank")")")" "wrong-secret-0123456789")
check "a wrong shared secret gets no answer" contains "$out" "No reply"

# --- replies as an independent client sees them; retransmissions
reply=$(tool frank "frank-pw$(totp "$frank")" --proxy-state 0102abcd)
check "Message-Authenticator is the first attribute of the reply" test "$(jq -r .message_authenticator_first <<<"$reply")" = true
check "... and valid, as is the Response Authenticator" \
  test "$(jq -r '[.message_authenticator_valid, .response_authenticator_valid] | join(",")' <<<"$reply")" = "true,true"
check "... the reply is an Access-Accept" test "$(jq -r .code <<<"$reply")" = 2
check "Proxy-State comes back unchanged" test "$(jq -c .proxy_state <<<"$reply")" = '["0102abcd"]'
before=$(verifies frank)
replies=$(tool frank "frank-pw$(totp "$frank" 1)" --repeat 3)
check "a retransmitted Access-Request gets the same Accept three times" \
  test "$(jq -r .code <<<"$replies" | sort -u)" = 2
check "... byte for byte" test "$(jq -r .hex <<<"$replies" | sort -u | wc -l)" -eq 1
check "... and is evaluated once" test "$(verifies frank)" -eq $((before + 1))
out=$(radc status "Message-Authenticator = 0x00")
check "Status-Server is answered with Access-Accept" test "$(got "$out")" = Access-Accept

# --- accounting: sessions as the gateway reports them, counted against the licence
acct() { radc acct "Acct-Status-Type = $1, Acct-Session-Id = \"$2\", User-Name = \"$3\", NAS-Identifier = \"vpn-gw-1\", Calling-Station-Id = \"198.51.100.7\", Framed-IP-Address = 10.8.0.6"; }
got_acct() { grep -c 'Received Accounting-Response' <<<"$1" || true; }
out=$(acct Start s-1 erin)
check "accounting: a start is acknowledged" test "$(got_acct "$out")" -eq 1
sessions=$(authctl --json sessions)
check "... and erin's session is open in authctl sessions" \
  test "$(jq -r '[.open, .sessions[0].user, .sessions[0].framed_ip, .sessions[0].calling_station] | join(" ")' <<<"$sessions")" = "1 erin 10.8.0.6 198.51.100.7"
check "... counted against the licence limit" test "$(jq -r .licence_limit <<<"$sessions")" -eq 2
check "authd warns when the sessions come close to the licence limit" grep -qi "licen" "$WORK/authd.log"
out=$(acct Start s-1 erin)
check "accounting: a repeated start is acknowledged, still one session" \
  test "$(got_acct "$out") $(authctl --json sessions | jq .open)" = "1 1"
acct Start s-2 bob >/dev/null
out=$(acct Stop s-1 erin)
check "accounting: a stop closes the session" \
  test "$(got_acct "$out") $(authctl --json sessions | jq -r '[.open, .sessions[0].user] | join(" ")')" = "1 1 bob"
check "authctl sessions shows the count in words" contains "$(authctl sessions)" "1 session"
out=$(radc acct "Acct-Status-Type = Accounting-On, NAS-Identifier = \"vpn-gw-1\"")
check "accounting: Accounting-On (a gateway restart) closes all its sessions" \
  test "$(got_acct "$out") $(authctl --json sessions | jq .open)" = "1 0"
out=$(radc acct "Acct-Status-Type = Start, User-Name = \"erin\"")
check "accounting: a start without Acct-Session-Id is not acknowledged" test "$(got_acct "$out")" -eq 0

# --- legacy clients: no Message-Authenticator allowed, but not with Proxy-State
restart_radius append false
dave=$(fresh dave)
reply=$(tool dave "dave-pw$(totp "$dave")" --no-ma)
check "require_message_authenticator = false: an unsigned request is answered" test "$(jq -r .code <<<"$reply")" = 2
check "... still with Message-Authenticator first" test "$(jq -r .message_authenticator_first <<<"$reply")" = true
reply=$(tool dave "dave-pw$(totp "$dave" 1)" --no-ma --proxy-state 0102 --timeout 1)
check "limit_proxy_state: unsigned with Proxy-State gets no answer" test "$(jq -r .code <<<"$reply")" = 0

# --- otp_only: the gateway checked the password
restart_radius otp_only
alice=$(fresh alice)
out=$(radc auth "$(signed "$(login_attrs alice "$(totp "$alice" -1)")")")
check "otp_only: the code alone is accepted" test "$(got "$out")" = Access-Accept
out=$(radc auth "$(signed "$(login_attrs alice "alice-pw$(totp "$alice")")")")
check "otp_only: password+code is no code" test "$(got "$out")" = Access-Reject

# --- challenge: password first, then the code with the State
restart_radius challenge
erin=$(fresh erin)
state_of() { sed -n 's/.*State = 0x\([0-9a-f]*\).*/\1/p' <<<"$1" | head -n 1; }
out=$(radc auth "$(signed "$(login_attrs erin "erin-pw")")")
check "challenge: the password gets an Access-Challenge" test "$(got "$out")" = Access-Challenge
check "... with the prompt as Reply-Message" contains "$out" "Enter the code from your authenticator app"
state=$(state_of "$out")
check "... and a 16-octet State" test "${#state}" -eq 32
out=$(radc auth "$(signed "$(login_attrs erin "$(totp "$erin" -1)"), State = 0x$state")")
check "challenge: the code with the State is accepted" test "$(got "$out")" = Access-Accept
out=$(radc auth "$(signed "$(login_attrs erin "$(totp "$erin")"), State = 0x$state")")
check "challenge: a State works once" test "$(got "$out")" = Access-Reject
check "... audited as challenge_unknown" test "$(last_audit erin reason)" = challenge_unknown
out=$(radc auth "$(signed "$(login_attrs erin "not-her-password")")")
check "challenge: a wrong password gets the same challenge (no password oracle)" test "$(got "$out")" = Access-Challenge
out=$(radc auth "$(signed "$(login_attrs erin "$(totp "$erin")"), State = 0x$(state_of "$out")")")
check "... and is refused only after the code" test "$(got "$out")" = Access-Reject
check "... as wrong_password" test "$(last_audit erin reason)" = wrong_password
out=$(radc auth "$(signed "$(login_attrs bob "bob-pw")")")
out=$(radc auth "$(signed "$(login_attrs erin "$(totp "$erin" 1)"), State = 0x$(state_of "$out")")")
check "challenge: bob's State does not serve erin" test "$(got "$out")" = Access-Reject

# --- pam_radius_auth (a real PAM client of RADIUS) through pamtester, challenge mode
restart_radius challenge false
bob=$(fresh bob)
printf '127.0.0.1:%s %s 3\n' "$PORT" "$SECRET" >"$WORK/pam_radius.conf"
chmod 600 "$WORK/pam_radius.conf"
VPN=$(pam_service radius "auth required $PAM_RADIUS_SO conf=$WORK/pam_radius.conf")
code=$(totp "$bob" 1)
out=$(printf 'bob-pw\n%s\n' "$code" | pamtester -v "$VPN" bob authenticate 2>&1) && rc=0 || rc=$?
check "pam_radius_auth: password, then the code at authd's prompt" test "$rc" -eq 0
check "... which showed authd's Reply-Message" contains "$out" "Enter the code from your authenticator app"
out=$(printf 'bob-pw\n%s\n' "$code" | pamtester -v "$VPN" bob authenticate 2>&1) && rc=0 || rc=$?
check "pam_radius_auth: the same code again is refused" test "$rc" -ne 0

check "no password or shared secret in the log or the database" \
  bash -c "! grep -q -e erin-pw -e bob-pw -e frank-pw -e '$SECRET' '$WORK/authd.log' '$WORK/authd.db'*"
finish
