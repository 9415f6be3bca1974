#!/usr/bin/env bash
# The network listener (issue 11): the same protocol over mutual TLS on loopback, peers known by
# certificates of the city's CA. A device acts for the users logging on at it and is audited
# with its name; an admin certificate administers and acts for nobody; no certificate, another
# CA's, a revoked one and a name-less one are refused; the local socket keeps working.
source "$(dirname "$0")/lib.sh"

CA=$WORK/ca
FOREIGN=$WORK/foreign
TLS_CA=${AUTHD_SOURCE_DIR:?}/tests/tls/test_ca.sh
TLS_CALL=$AUTHD_SOURCE_DIR/tests/tls/tls_call.py
bash "$TLS_CA" "$CA" central nb-017.stadt.test nb-018.stadt.test admin-frank >/dev/null
bash "$TLS_CA" "$CA" --revoke nb-018.stadt.test
bash "$TLS_CA" "$FOREIGN" nb-evil.stadt.test >/dev/null
# A certificate of the right CA without a common name.
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/O=Stadt" \
  -keyout "$CA/noname.key" -out "$CA/noname.csr" 2>/dev/null
openssl x509 -req -in "$CA/noname.csr" -CA "$CA/ca.pem" -CAkey "$CA/ca.key" -days 1 \
  -out "$CA/noname.pem" 2>/dev/null

write_accounts
write_config
cat >>"$WORK/authd.toml" <<TOML
[tls]
listen = ["127.0.0.1:0"]
cert_file = "$CA/central.pem"
key_file = "$CA/central.key"
ca_file = "$CA/ca.pem"
crl_file = "$CA/crl.pem"
admins = ["admin-frank"]
TOML
start_authd
ADDRESS=$(sed -n 's/.*tls: listening on \(127\.0\.0\.1:[0-9]*\).*/\1/p' "$WORK/authd.log" | head -n 1)
check "authd names the address it listens on" test -n "$ADDRESS"

# as NAME [DIR] : sends stdin over TLS with NAME's certificate from DIR (default the city CA).
as() { python3 "$TLS_CALL" "$ADDRESS" "$CA/ca.pem" "${2:-$CA}/$1.pem" "${2:-$CA}/$1.key"; }
ok_answer() { [[ $(jq -r .ok <<<"$1") == true ]]; }
error_of() { jq -r .error <<<"$1"; }

ping='{"v":1,"id":1,"op":"ping"}'
answer=$(as nb-017.stadt.test <<<"$ping")
check "a device of the city CA is served over TLS" ok_answer "$answer"
check "TLS 1.2 is enough" ok_answer "$(python3 "$TLS_CALL" "$ADDRESS" "$CA/ca.pem" \
  "$CA/nb-017.stadt.test.pem" "$CA/nb-017.stadt.test.key" --max-tls1.2 <<<"$ping")"

secret=$(secret_of "$(authctl --json enroll totp alice --no-confirm)")
verify=$(printf '{"v":1,"id":2,"op":"verify","user":"alice","factor":"totp","code":"%s","service":"login"}' \
  "$(totp "$secret")")
answer=$(as nb-017.stadt.test <<<"$verify")
check "a device verifies a code for a user logging on at it" \
  test "$(jq -r .result <<<"$answer")" = accept
events=$(authctl --json audit --user alice)
check "the audit names the device of the logon" \
  test "$(jq -r '[.events[] | select(.op == "verify")][0].device' <<<"$events")" = nb-017.stadt.test
check "the audit of a local call names no device" \
  test "$(jq -r '[.events[] | select(.op == "enroll")][0].device' <<<"$events")" = ""

answer=$(as nb-017.stadt.test <<<'{"v":1,"id":3,"op":"list"}')
check "a device may not administer" test "$(error_of "$answer")" = forbidden
answer=$(as admin-frank <<<'{"v":1,"id":4,"op":"list"}')
check "an admin certificate administers" ok_answer "$answer"
answer=$(as admin-frank <<<"$verify")
check "an admin certificate acts for no account" test "$(error_of "$answer")" = forbidden
events=$(authctl --json audit)
check "the refusal is audited with the admin certificate's name" \
  test "$(jq -r '[.events[] | select(.result == "denied")][0].device' <<<"$events")" = admin-frank

refused() { ! "$@" <<<"$ping" >/dev/null 2>&1; }
check "no client certificate: refused" refused python3 "$TLS_CALL" "$ADDRESS" "$CA/ca.pem"
check "a certificate of another CA: refused" refused as nb-evil.stadt.test "$FOREIGN"
check "a revoked certificate: refused" refused as nb-018.stadt.test
check "... because it is revoked (the CRL was read)" \
  contains "$(cat "$WORK/authd.log")" "tls: refused 127.0.0.1:[0-9]*: handshake failed: .*(certificate revoked)"
check "a certificate without a name: refused" refused as noname
check "authd logged the refusals" contains "$(cat "$WORK/authd.log")" "tls: refused"
# Anyone on the network can be refused as often as they connect: the log lines stay bounded
# (a burst of 20, then one per second).
start=$(date +%s%N)
python3 - "$ADDRESS" "$CA/ca.pem" <<'PY'
import socket, ssl, sys
host, port = sys.argv[1].rsplit(":", 1)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.load_verify_locations(sys.argv[2])
for _ in range(100):
    try:
        with socket.create_connection((host, int(port)), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                tls.sendall(b'{"v":1,"op":"ping"}\n')
                tls.recv(100)
    except (ssl.SSLError, ConnectionError, socket.timeout):
        pass
PY
seconds=$((($(date +%s%N) - start) / 1000000000 + 1))
refused_lines=$(grep -c "tls: refused" "$WORK/authd.log")
check "100 refused connections log at most 20 + one per second of lines ($refused_lines in ${seconds}s)" \
  test "$refused_lines" -le $((20 + seconds + 5))
check "the local socket still answers" authctl --timeout 2 --json list >/dev/null
check "authd still serves devices after the refusals" ok_answer "$(as nb-017.stadt.test <<<"$ping")"

# A key file other users may read is refused at start.
stop_authd
chmod 644 "$CA/central.key"
spawn_authd "$WORK/start.log" --config "$WORK/authd.toml"
exit_status $! && rc=0 || rc=$?
check "a world-readable TLS key stops authd at start" test "$rc" -eq 1
check "it says why" contains "$(cat "$WORK/start.log")" "other users may access it"
chmod 600 "$CA/central.key"
start_authd

finish
