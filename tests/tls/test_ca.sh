#!/usr/bin/env bash
# A test CA for the TLS listener and agents: test_ca.sh DIR NAME... creates DIR/ca.{pem,key}
# (once) and, for each NAME, DIR/NAME.{pem,key} signed by it (CN=NAME; SAN IP:127.0.0.1 and
# DNS:NAME, so one certificate serves as server or client). test_ca.sh DIR --revoke NAME
# revokes it and writes DIR/crl.pem. Keys are P-256, mode 0600. Nothing leaves DIR.
set -euo pipefail
dir=$1
shift
mkdir -p "$dir"
cd "$dir"
if [[ ! -f ca.pem ]]; then
  mkdir -p ca.db && : >ca.db/index.txt && echo 1000 >ca.db/serial && echo 1000 >ca.db/crlnumber
  cat >ca.cnf <<'CNF'
[ca]
default_ca = test_ca
[test_ca]
database = ca.db/index.txt
serial = ca.db/serial
crlnumber = ca.db/crlnumber
certificate = ca.pem
private_key = ca.key
new_certs_dir = ca.db
default_md = sha256
default_days = 30
default_crl_days = 30
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
[leaf]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
CNF
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=Test CA $(basename "$dir")" -keyout ca.key -out ca.pem 2>/dev/null
  chmod 600 ca.key
fi
if [[ ${1:-} == --revoke ]]; then
  openssl ca -config ca.cnf -batch -revoke "$2.pem" 2>/dev/null
  openssl ca -config ca.cnf -batch -gencrl -out crl.pem 2>/dev/null
  exit 0
fi
for name in "$@"; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:$name" -keyout "$name.key" -out "$name.csr" 2>/dev/null
  chmod 600 "$name.key"
  openssl ca -config ca.cnf -batch -extensions leaf -in "$name.csr" -out "$name.pem" \
    -notext 2>/dev/null
  rm -f "$name.csr"
done
