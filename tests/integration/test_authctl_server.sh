#!/usr/bin/env bash
# authctl --server (issue 11): the admin operations over authd's network listener with an admin
# certificate of the city CA, audited with the certificate's name. A device certificate may not
# administer; a certificate of another CA, a server certificate for another name or address and
# an untrusted server CA are refused; --server without its files is a usage error.
source "$(dirname "$0")/lib.sh"

CA=$WORK/ca
FOREIGN=$WORK/foreign
TLS_CA=${AUTHD_SOURCE_DIR:?}/tests/tls/test_ca.sh
bash "$TLS_CA" "$CA" central nb-017.stadt.test admin-frank >/dev/null
bash "$TLS_CA" "$FOREIGN" admin-frank >/dev/null
# A server certificate for the name localhost only (test_ca.sh always adds IP:127.0.0.1).
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost" -keyout "$CA/named.key" -out "$CA/named.csr" 2>/dev/null
chmod 600 "$CA/named.key"
(cd "$CA" && openssl ca -config ca.cnf -batch -extensions leaf -in named.csr -out named.pem \
  -notext 2>/dev/null)

write_accounts
write_config
tls_config() {
  cat >>"$WORK/authd.toml" <<TOML
[tls]
listen = ["127.0.0.1:0"]
cert_file = "$CA/$1.pem"
key_file = "$CA/$1.key"
ca_file = "$CA/ca.pem"
admins = ["admin-frank"]
TOML
}
cp "$WORK/authd.toml" "$WORK/base.toml"
tls_config central
start_authd
# The port of the authd started last (the log is appended to across restarts).
listening_port() {
  sed -n 's/.*tls: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/authd.log" | tail -n 1
}
PORT=$(listening_port)
check "authd names the port it listens on" test -n "$PORT"

# remote HOST:PORT CERT_DIR NAME CA_FILE ARGS... : authctl over TLS with NAME's certificate.
remote() {
  local server=$1 dir=$2 name=$3 ca=$4
  shift 4
  "$AUTHCTL_BIN" --server "$server" --cert "$dir/$name.pem" --key "$dir/$name.key" --ca "$ca" \
    --timeout 5 "$@"
}
admin() { remote "127.0.0.1:$PORT" "$CA" admin-frank "$CA/ca.pem" "$@"; }
quiet() { "$@" >/dev/null; }
# fails_with RC PATTERN CMD... : CMD exits RC and its error line matches PATTERN.
fails_with() {
  local want=$1 pattern=$2 rc=0
  shift 2
  "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
  [[ $rc -eq $want ]] && grep -q -- "$pattern" "$WORK/err" && [[ $(wc -l <"$WORK/err") -eq 1 ]] ||
    { echo "  exit $rc: $(cat "$WORK/err")"; return 1; }
}

# --- an admin certificate administers -----------------------------------------------------------
enrolled=$(admin --json enroll totp alice)
secret=$(secret_of "$enrolled")
id=$(jq -r .credential_id <<<"$enrolled")
check "an admin certificate enrols over --server" test -n "$secret" -a "$secret" != null
check "... and confirms it with a code from the app" \
  quiet admin confirm alice "$id" "$(totp "$secret")"
listed=$(admin --json list)
check "... lists the active credential" \
  test "$(jq -r --arg id "$id" '[.credentials[] | select((.id | tostring) == $id)][0].state' \
    <<<"$listed")" = active
check "... shows the user" contains "$(admin --json show alice)" '"user":"alice"'
events=$(admin --json audit --user alice)
check "the audit names the admin certificate as device of the enrolment" \
  test "$(jq -r '[.events[] | select(.op == "enroll")][0].device' <<<"$events")" = admin-frank
check "... and of the confirmation" \
  test "$(jq -r '[.events[] | select(.op == "confirm")][0].device' <<<"$events")" = admin-frank

# --- refusals -------------------------------------------------------------------------------------
check "a device certificate may not administer (exit 1, forbidden, tls.admins named)" \
  fails_with 1 "(forbidden); over --server, admin operations need a certificate named in authd's tls.admins" \
  remote "127.0.0.1:$PORT" "$CA" nb-017.stadt.test "$CA/ca.pem" list
check "a certificate of another CA: exit 3, naming the server" \
  fails_with 3 "authctl: cannot reach authd at 127.0.0.1:$PORT: TLS: " remote "127.0.0.1:$PORT" "$FOREIGN" admin-frank "$CA/ca.pem" list
check "a server certificate for another name: exit 3, hostname mismatch" \
  fails_with 3 "cannot reach authd at localhost:$PORT: the server's certificate was refused: hostname mismatch" \
  remote "localhost:$PORT" "$CA" admin-frank "$CA/ca.pem" list
check "a server certificate of a CA other than --ca: exit 3" \
  fails_with 3 "cannot reach authd at 127.0.0.1:$PORT: the server's certificate was refused: " \
  remote "127.0.0.1:$PORT" "$CA" admin-frank "$FOREIGN/ca.pem" list
check "nothing listening: exit 3" \
  fails_with 3 "cannot reach authd at 127.0.0.1:1: Connection refused" remote 127.0.0.1:1 "$CA" admin-frank "$CA/ca.pem" list
check "--server without --cert: exit 2 naming it" \
  fails_with 2 "authctl: --server needs --cert " \
  "$AUTHCTL_BIN" --server "127.0.0.1:$PORT" --key "$CA/admin-frank.key" --ca "$CA/ca.pem" list
check "--server with a bad address: exit 2" \
  fails_with 2 "is not HOST\[:PORT\]" remote 127.0.0.1:0 "$CA" admin-frank "$CA/ca.pem" list
check "the local socket still answers as before" quiet authctl --json list
check "pam_authd.so does not link libssl" bash -c "! ldd '$PAM_AUTHD_SO' | grep libssl >/dev/null"

# --- a server certificate for a DNS name only ------------------------------------------------------
stop_authd
cp "$WORK/base.toml" "$WORK/authd.toml"
tls_config named
start_authd
PORT=$(listening_port)
check "a server certificate issued for the name used: served" \
  quiet remote "localhost:$PORT" "$CA" admin-frank "$CA/ca.pem" list
check "... without the address used: exit 3, IP address mismatch" \
  fails_with 3 "the server's certificate was refused: IP address mismatch" admin list

finish
