#!/usr/bin/env bash
# OpenVPN end to end (docs/gateways.md#openvpn): a real tunnel between two network namespaces
# made here, a server side (slapd, authd, the OpenVPN servers; RADIUS and LDAP stay on that
# namespace's loopback) and a client side, joined by a veth pair. Both ways of the guide:
#   A. openvpn-plugin-auth-pam.so -> pam_authd (password factor=totp) -> authd's Unix socket
#   B. openvpn-plugin-auth-pam.so -> pam_radius_auth -> authd's RADIUS listener, mode challenge
# The client sends the code as a static-challenge response ("SCRV1:<base64 password>:<base64
# code>" in its auth-user-pass file, which the plugin splits), so nothing asks at a console.
# The tunnel must come up with password and code, and only then; codes come from oathtool.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ldap_lib.sh"

for tool in openvpn ip ping; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
PLUGIN=$(find /usr/lib /usr/lib64 -path '*/openvpn/plugins/openvpn-plugin-auth-pam.so' 2>/dev/null | head -n 1)
[[ -n $PLUGIN ]] || { echo "SKIP: openvpn-plugin-auth-pam.so is not installed"; exit 77; }
[[ -c /dev/net/tun ]] || { echo "SKIP: no /dev/net/tun"; exit 77; }
PAM_RADIUS_SO=$(find /lib /usr/lib -name pam_radius_auth.so 2>/dev/null | head -n 1)
[[ -n $PAM_RADIUS_SO ]] || { echo "SKIP: libpam-radius-auth is not installed"; exit 77; }

SRV_NS=authd-vpn-srv-$$
CLI_NS=authd-vpn-cli-$$
SRV_IF=avs$$ # veth ends: at most 15 characters
CLI_IF=avc$$
SRV_ADDR=10.200.0.1
VPN=$WORK/vpn
VPN_PIDS=()

# stop_pid PID : TERM, at most 5 s to end, then KILL; reaps it.
stop_pid() {
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 50); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
stop_vpns() { for p in "${VPN_PIDS[@]}"; do stop_pid "$p"; done; }
remove_netns() {
  ip -n "$SRV_NS" link del "$SRV_IF" 2>/dev/null || true
  ip netns del "$CLI_NS" 2>/dev/null || true
  ip netns del "$SRV_NS" 2>/dev/null || true
}
# The namespaces go last: the processes inside them stop first.
trap 'stop_vpns; stop_ldaps; cleanup; remove_netns' EXIT

if ! ip netns add "$SRV_NS" 2>/dev/null; then
  echo "SKIP: cannot create network namespaces"
  exit 77
fi
ip netns add "$CLI_NS"
ip link add "$SRV_IF" type veth peer name "$CLI_IF"
ip link set "$SRV_IF" netns "$SRV_NS"
ip link set "$CLI_IF" netns "$CLI_NS"
ip -n "$SRV_NS" addr add "$SRV_ADDR/30" dev "$SRV_IF"
ip -n "$CLI_NS" addr add 10.200.0.2/30 dev "$CLI_IF"
for ns in "$SRV_NS" "$CLI_NS"; do ip -n "$ns" link set lo up; done
ip -n "$SRV_NS" link set "$SRV_IF" up
ip -n "$CLI_NS" link set "$CLI_IF" up

# --- the server side: slapd and authd in the server namespace
LDAP_NETNS=$SRV_NS
AUTHD_NETNS=$SRV_NS
SECRET=$(openssl rand -hex 16)
(umask 077 && printf '%s\n' "$SECRET" >"$WORK/radius.secret")
start_ldap ldap1
write_accounts
# Three failed logons per user follow each other here: no lockout in between.
LOCKOUT_MAX_FAILURES=10 AUTHD_TEST_WORKERS=4 write_config
ldap_directory_config ldap1 >>"$WORK/authd.toml"
cat >>"$WORK/authd.toml" <<TOML
[radius]
listen = ["127.0.0.1:0"]
state_ttl = 30
[[radius.clients]]
name = "openvpn-test"
address = "127.0.0.1"
secret_file = "$WORK/radius.secret"
mode = "challenge"
# pam_radius_auth 2.0 does not sign its requests
require_message_authenticator = false
TOML
start_authd
PORT=$(sed -n 's/.*radius: listening on 127\.0\.0\.1:\([0-9]*\) (authentication).*/\1/p' "$WORK/authd.log" | tail -n 1)
[[ -n $PORT ]] || { echo "authd logged no RADIUS port"; cat "$WORK/authd.log"; exit 1; }

PAM_A=$(pam_service openvpn-a "auth required $PAM_AUTHD_SO socket=$SOCK password factor=totp")
printf '127.0.0.1:%s %s 3\n' "$PORT" "$SECRET" >"$WORK/pam_radius.conf"
chmod 600 "$WORK/pam_radius.conf"
PAM_B=$(pam_service openvpn-b "auth required $PAM_RADIUS_SO conf=$WORK/pam_radius.conf")

# --- a throwaway PKI: the server proves itself with a certificate, the users with PAM
mkdir -m 700 "$VPN"
(
  umask 077
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj "/CN=authd test VPN CA" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -keyout "$VPN/ca.key" -out "$VPN/ca.pem"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=vpn-server" \
    -keyout "$VPN/server.key" -out "$VPN/server.csr"
  openssl x509 -req -in "$VPN/server.csr" -CA "$VPN/ca.pem" -CAkey "$VPN/ca.key" -days 1 \
    -set_serial "0x$(openssl rand -hex 12)" -out "$VPN/server.pem" -extfile <(printf '%s\n' \
      "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
      "extendedKeyUsage=serverAuth")
) >"$VPN/pki.log" 2>&1 || { cat "$VPN/pki.log"; exit 1; }

# server_config PORT SUBNET PAM_SERVICE ANSWERS : an OpenVPN server on $SRV_ADDR:PORT handing out
# addresses of SUBNET.0/24 (it takes .1), users checked by the PAM plugin with that service.
server_config() {
  cat <<CONF
dev tun
proto udp
local $SRV_ADDR
port $1
topology subnet
server $2.0 255.255.255.0
ca $VPN/ca.pem
cert $VPN/server.pem
key $VPN/server.key
dh none
disable-dco
tmp-dir $VPN
verify-client-cert none
username-as-common-name
plugin $PLUGIN "$3 $4"
setenv deferred_auth_pam 1
# renegotiations (every 4 s here, to see one) use the token pushed to the client, not the used
# code again; the renewal time must be twice hand-window at least, so it is not reneg-sec here
auth-gen-token 43200 3600
reneg-sec 4
# the plugin's debug lines (verb 4 shows them): which PAM prompt got which answer
setenv verb 9
verb 4
CONF
}
client_config() {
  cat <<CONF
client
dev tun
proto udp
remote $SRV_ADDR $1
nobind
ca $VPN/ca.pem
remote-cert-tls server
verify-x509-name vpn-server name
auth-nocache
auth-retry none
disable-dco
verb 3
CONF
}

# start_server NAME : the OpenVPN server $VPN/NAME.conf in the server namespace, ready within 10 s.
start_server() {
  # Under the ASan+UBSan suite the plugin loads an instrumented pam_authd.so into an
  # uninstrumented openvpn: the sanitizer runtimes must come first (as for pamtester in lib.sh).
  ip netns exec "$SRV_NS" env LD_PRELOAD="$SANITIZER_PRELOAD" \
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" openvpn --config "$VPN/$1.conf" \
    --log "$VPN/$1.log" &
  VPN_PIDS+=($!)
  for _ in $(seq 100); do
    grep -q "Initialization Sequence Completed" "$VPN/$1.log" 2>/dev/null && return 0
    kill -0 "$!" 2>/dev/null || break
    sleep 0.1
  done
  echo "the OpenVPN server $1 did not start:"
  cat "$VPN/$1.log"
  exit 1
}

server_config 1194 10.201.0 "$PAM_A" "login USERNAME password PASSWORD verification OTP" >"$VPN/server-a.conf"
server_config 1195 10.202.0 "$PAM_B" "login USERNAME password PASSWORD enter OTP" >"$VPN/server-b.conf"
client_config 1194 >"$VPN/client-a.conf"
client_config 1195 >"$VPN/client-b.conf"
start_server server-a
start_server server-b

# connect NAME PATH USER PASSWORD CODE : a new OpenVPN client process in the client namespace
# (config client-PATH.conf) that logs in with PASSWORD and the static-challenge response CODE.
# Returns once its log $VPN/NAME.log shows the tunnel up or the login refused, or the client
# ended (at most 20 s); the client keeps running in the first case, as CLIENT_PID.
connect() {
  local name=$1 log=$VPN/$1.log
  (umask 077 && printf '%s\nSCRV1:%s:%s\n' "$3" "$(printf %s "$4" | base64 -w 0)" \
    "$(printf %s "$5" | base64 -w 0)" >"$VPN/$name.auth")
  ip netns exec "$CLI_NS" openvpn --config "$VPN/client-$2.conf" --auth-user-pass "$VPN/$name.auth" \
    --log "$log" &
  CLIENT_PID=$!
  VPN_PIDS+=("$CLIENT_PID")
  for _ in $(seq 200); do
    grep -q -e "Initialization Sequence Completed" -e AUTH_FAILED "$log" 2>/dev/null && return 0
    kill -0 "$CLIENT_PID" 2>/dev/null || return 0
    sleep 0.1
  done
}
tunnel_up() { grep -q "Initialization Sequence Completed" "$VPN/$1.log"; }
refused() { grep -q AUTH_FAILED "$VPN/$1.log"; }
# client_ended : the refused client exits by itself (auth-retry none), within 10 s.
client_ended() {
  for _ in $(seq 100); do
    kill -0 "$CLIENT_PID" 2>/dev/null || return 0
    sleep 0.1
  done
  return 1
}
# renegotiated PATH USER : the server renewed USER's session with the token, within 15 s.
renegotiated() {
  for _ in $(seq 150); do
    grep -q "auth-token authentication succeeded for username '$2'" "$VPN/server-$1.log" && return 0
    sleep 0.1
  done
  return 1
}
ping_server() { ip netns exec "$CLI_NS" ping -c 1 -W 2 "$1" >/dev/null 2>&1; }
no_ping() { ! ping_server "$1"; }
verifies() { authctl --json audit --user "$1" | jq '[.events[] | select(.op == "verify")] | length'; }
# last_verify USER FIELD : FIELD of USER's latest logon in the audit (authctl's own queries are
# audited as well).
last_verify() {
  authctl --json audit --user "$1" | jq -r "[.events[] | select(.op == \"verify\")][0].$2"
}

# run_path PATH USER SERVER_TUNNEL_IP : the four logons of one way, in the order that makes each
# failure count (the replay needs the accepted code first).
run_path() {
  local path=$1 user=$2 ip=$3 secret code label
  label=${path^^}
  secret=$(secret_of "$(authctl --json enroll totp "$user" --no-confirm)")
  code=$(totp "$secret")

  connect "$path-ok" "$path" "$user" "$user-pw" "$code"
  check "$label: password and a valid code bring the tunnel up" tunnel_up "$path-ok"
  check "... and the server answers through it ($ip)" ping_server "$ip"
  check "... audited as accepted" test "$(last_verify "$user" result)" = accept
  check "$label: a TLS renegotiation re-authenticates with the auth-gen-token token" renegotiated "$path" "$user"
  check "... the tunnel stays up" ping_server "$ip"
  check "... and authd saw no second logon (the code is not sent again)" test "$(verifies "$user")" -eq 1
  stop_pid "$CLIENT_PID"
  check "... and without the client, no ping gets through" no_ping "$ip"

  connect "$path-replay" "$path" "$user" "$user-pw" "$code"
  check "$label: the same code again (a new client) is refused with AUTH_FAILED" refused "$path-replay"
  check "... the client gives up" client_ended
  check "... no tunnel" no_ping "$ip"
  check "... audited as replayed" test "$(last_verify "$user" reason)" = replayed

  connect "$path-wrong-code" "$path" "$user" "$user-pw" "$(totp "$secret" 20)"
  check "$label: a wrong code is refused with AUTH_FAILED" refused "$path-wrong-code"
  check "... no tunnel" no_ping "$ip"
  check "... audited as wrong_code" test "$(last_verify "$user" reason)" = wrong_code

  connect "$path-wrong-pw" "$path" "$user" "not-$user-pw" "$(totp "$secret" 1)"
  check "$label: a wrong password with a valid code is refused with AUTH_FAILED" refused "$path-wrong-pw"
  check "... no tunnel" no_ping "$ip"
  check "... audited as wrong_password" test "$(last_verify "$user" reason)" = wrong_password
}

# --- A: pam_authd asks "Password: " and "Verification code: "; the plugin answers from the login
run_path a bob 10.201.0.1
check "A: the plugin answered pam_authd's prompt with the code" \
  grep -q "\['Verification code: ', 'verification'\] = 'OTP'" "$VPN/server-a.log"

# --- B: pam_radius_auth asks "Password: ", then shows authd's Access-Challenge as its prompt
run_path b erin 10.202.0.1
check "B: the plugin answered authd's RADIUS challenge with the code" \
  grep -q "\['Enter the code from your authenticator app: ', 'enter'\] = 'OTP'" "$VPN/server-b.log"
check "B: all four logons came over RADIUS" test "$(authctl --json audit --user erin |
  jq -c '[.events[] | select(.op == "verify") | .service] | [length, unique]')" = '[4,["radius:openvpn-test"]]'

check "no password (plain or as sent in SCRV1) or shared secret in the OpenVPN or authd logs" \
  bash -c "! grep -q -e bob-pw -e erin-pw -e $(printf bob-pw | base64) -e $(printf erin-pw | base64) \
    -e '$SECRET' '$WORK/authd.log' '$VPN'/*.log"
stop_vpns
finish
