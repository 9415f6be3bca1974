#!/usr/bin/env bash
# Self-test of the slapd fixture: starts real slapd instances on 127.0.0.1 and checks what the
# authd LDAP tests rely on (TLS, ACLs, seeded entries, memberOf, lock flag, restart, op counts).
#   tests/ldap/selftest.sh            (SELFTEST_USERS=N sets the bulk size, default 10000)
# Ends with "N passed, N failed"; exit status 1 when a check failed.
# Variables inside the single-quoted bash -c scripts expand there, from the instance's env file.
# shellcheck disable=SC2016
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FIXTURE=$HERE/slapd.sh
USERS=${SELFTEST_USERS:-10000}
WORK=$(mktemp -d /tmp/authd-slapd-selftest-XXXXXX)
export LDAPCONF=/dev/null LDAPRC=.no-ldaprc
PASSED=0
FAILED=0

cleanup() {
  local d
  for d in "$WORK"/*/; do
    if [[ -f $d/env ]]; then "$FIXTURE" stop "$d" >/dev/null 2>&1 || true; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

pass() {
  PASSED=$((PASSED + 1))
  echo "ok   $1"
}
fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL $1${2:+: $2}"
}
check() { # NAME COMMAND...: passes when COMMAND succeeds
  local name=$1
  shift
  if "$@" >"$WORK/out" 2>&1; then pass "$name"; else fail "$name" "$(tail -n 3 "$WORK/out" | tr '\n' ' ')"; fi
}
check_fails() { # NAME COMMAND...: passes when COMMAND fails
  local name=$1
  shift
  if "$@" >"$WORK/out" 2>&1; then fail "$name" "unexpectedly succeeded"; else pass "$name"; fi
}
expect_eq() { # NAME EXPECTED ACTUAL
  if [[ $2 == "$3" ]]; then pass "$1"; else fail "$1" "expected [$2], got [$3]"; fi
}

# Runs a command with the variables of instance DIR.
in_env() {
  local dir=$1
  shift
  (
    # shellcheck source=/dev/null
    source "$dir/env"
    "$@"
  )
}

# Service-account search over ldaps with the trusted CA: values of ATTR, sorted, ';'-joined.
svc_values() { # DIR BASE FILTER ATTR
  in_env "$1" bash -c 'LDAPTLS_CACERT=$LDAP_CA ldapsearch -x -LLL -o ldif_wrap=no -H "$LDAPS_URI" \
    -D "$LDAP_BIND_DN" -y "$LDAP_BIND_PASSWORD_FILE" -b "$1" "$2" "$3" |
    sed -n "s/^$3: //p" | sort | paste -sd ";"' _ "$2" "$3" "$4"
}
member_of() { svc_values "$1" "uid=$2,ou=people,dc=stadt,dc=example" "(objectClass=*)" memberOf; }

user_bind() { # DIR UID PASSWORD [URI variable]
  in_env "$1" bash -c 'LDAPTLS_CACERT=$LDAP_CA ldapwhoami -x -H "${!3}" \
    -D "uid=$1,$LDAP_PEOPLE" -y <(printf %s "$2")' _ "$2" "$3" "${4:-LDAPS_URI}"
}

G=ou=groups,dc=stadt,dc=example
CA=$WORK/ca
D1=$WORK/d1
D2=$WORK/d2

echo "# two instances sharing one CA, started concurrently"
"$FIXTURE" start "$D1" --ca "$CA" >"$WORK/start1.out" 2>&1 &
p1=$!
"$FIXTURE" start "$D2" --ca "$CA" --no-seed >"$WORK/start2.out" 2>&1 &
p2=$!
rc1=0 rc2=0
wait "$p1" || rc1=$?
wait "$p2" || rc2=$?
expect_eq "instance 1 starts" 0 "$rc1"
expect_eq "instance 2 starts" 0 "$rc2"
[[ $rc1 -eq 0 && $rc2 -eq 0 ]] || {
  cat "$WORK"/start*.out
  echo "0 passed, 1 failed"
  exit 1
}
check "instance 1 pid is a slapd" in_env "$D1" bash -c 'grep -q slapd /proc/$LDAP_PID/cmdline'
check "instances use different ports" in_env "$D1" bash -c \
  '[[ $LDAP_PORT != "$(source "$0/env"; echo $LDAP_PORT)" ]]' "$D2"
expect_eq "both trust the same CA" "$CA/ca.pem" "$(in_env "$D2" printenv LDAP_CA)"
expect_eq "bind password file is 0600" 600 "$(stat -c %a "$D1/bind.password")"
check "bind password has no trailing whitespace" in_env "$D1" bash -c \
  '[[ $(wc -l <"$LDAP_BIND_PASSWORD_FILE") -eq 0 && $(cat "$LDAP_BIND_PASSWORD_FILE") =~ ^[0-9a-f]{32}$ ]]'

echo "# TLS and binds"
check "service bind over ldaps" in_env "$D1" bash -c \
  'LDAPTLS_CACERT=$LDAP_CA ldapwhoami -x -H "$LDAPS_URI" -D "$LDAP_BIND_DN" -y "$LDAP_BIND_PASSWORD_FILE"'
check "service bind over StartTLS (-ZZ)" in_env "$D1" bash -c \
  'LDAPTLS_CACERT=$LDAP_CA ldapwhoami -ZZ -x -H "$LDAP_URI" -D "$LDAP_BIND_DN" -y "$LDAP_BIND_PASSWORD_FILE"'
check "ldaps://localhost verifies (libldap checks the host name)" in_env "$D1" bash -c \
  'LDAPTLS_CACERT=$LDAP_CA ldapwhoami -x -H "ldaps://localhost:$LDAPS_PORT" -D "$LDAP_BIND_DN" -y "$LDAP_BIND_PASSWORD_FILE"'
check_fails "ldaps refused without the test CA" in_env "$D1" bash -c \
  'LDAPTLS_CACERT=/etc/ssl/certs/ca-certificates.crt ldapwhoami -x -H "$LDAPS_URI" -D "$LDAP_BIND_DN" -y "$LDAP_BIND_PASSWORD_FILE"'
check_fails "anonymous search refused" in_env "$D1" bash -c \
  'ldapsearch -x -LLL -H "$LDAP_URI" -b "$LDAP_BASE" "(uid=alice)"'
check "anonymous root DSE allowed" in_env "$D1" bash -c \
  'ldapsearch -x -LLL -H "$LDAP_URI" -s base -b "" namingContexts | grep -q "dc=stadt,dc=example"'
check "alice binds with alice-pw" user_bind "$D1" alice alice-pw
check "alice binds over StartTLS" in_env "$D1" bash -c \
  'LDAPTLS_CACERT=$LDAP_CA ldapwhoami -ZZ -x -H "$LDAP_URI" -D "uid=alice,$LDAP_PEOPLE" -w alice-pw'
check_fails "alice with a wrong password" user_bind "$D1" alice wrong-pw
check "erin binds (no groups)" user_bind "$D1" erin erin-pw
check_fails "carol (locked) cannot bind with carol-pw" user_bind "$D1" carol carol-pw
check_fails "no user *)(uid=* can bind" user_bind "$D1" '*)(uid=*' x

echo "# what the service account sees"
expect_eq "alice displayName" "Alice Amsel" "$(svc_values "$D1" "ou=people,dc=stadt,dc=example" "(uid=alice)" displayName)"
expect_eq "alice attributes" "Alice Amsel|alice@stadt.example|20001" "$(
  svc_values "$D1" "ou=people,dc=stadt,dc=example" "(uid=alice)" cn)|$(
  svc_values "$D1" "ou=people,dc=stadt,dc=example" "(uid=alice)" mail)|$(
  svc_values "$D1" "ou=people,dc=stadt,dc=example" "(uid=alice)" uidNumber)"
check "entryUUID readable" bash -c '[[ $0 =~ ^[0-9a-f]{8}-[0-9a-f-]{27}$ ]]' \
  "$(svc_values "$D1" "uid=alice,ou=people,dc=stadt,dc=example" "(objectClass=*)" entryUUID)"
expect_eq "userPassword not readable" "" \
  "$(svc_values "$D1" "ou=people,dc=stadt,dc=example" "(uid=alice)" userPassword)"
expect_eq "carol pwdAccountLockedTime" "000001010000Z" \
  "$(svc_values "$D1" "ou=people,dc=stadt,dc=example" "(uid=carol)" pwdAccountLockedTime)"
expect_eq "alice has no pwdAccountLockedTime" "" \
  "$(svc_values "$D1" "ou=people,dc=stadt,dc=example" "(uid=alice)" pwdAccountLockedTime)"
expect_eq "memberOf alice" "cn=gesundheitsamt,$G" "$(member_of "$D1" alice)"
expect_eq "memberOf bob" "cn=telearbeit,$G" "$(member_of "$D1" bob)"
expect_eq "memberOf carol" "cn=telearbeit,$G" "$(member_of "$D1" carol)"
expect_eq "memberOf dave" "cn=gesundheitsamt,$G;cn=telearbeit,$G" "$(member_of "$D1" dave)"
expect_eq "memberOf frank (direct only)" "cn=mobilarbeit,$G" "$(member_of "$D1" frank)"
expect_eq "memberOf erin" "" "$(member_of "$D1" erin)"
expect_eq "mobilarbeit is in telearbeit" "cn=telearbeit,$G" \
  "$(svc_values "$D1" "cn=mobilarbeit,$G" "(objectClass=*)" memberOf)"
expect_eq "telearbeit members" \
  "cn=mobilarbeit,$G;uid=bob,ou=people,dc=stadt,dc=example;uid=carol,ou=people,dc=stadt,dc=example;uid=dave,ou=people,dc=stadt,dc=example" \
  "$(svc_values "$D1" "cn=telearbeit,$G" "(objectClass=*)" member)"
expect_eq "posixGroup vpn memberUid" "bob" "$(svc_values "$D1" "$G" "(cn=vpn)" memberUid)"
expect_eq "vpn gidNumber" "30001" "$(svc_values "$D1" "$G" "(cn=vpn)" gidNumber)"
expect_eq "escaped * finds only star" "star" \
  "$(svc_values "$D1" "ou=people,dc=stadt,dc=example" "(cn=\\2a)" uid)"
expect_eq "no entry with uid *)(uid=*" "" \
  "$(svc_values "$D1" "ou=people,dc=stadt,dc=example" "(uid=\\2a\\29\\28uid=\\2a)" uid)"
expect_eq "alice cannot read bob" "" "$(in_env "$D1" bash -c 'LDAPTLS_CACERT=$LDAP_CA \
  ldapsearch -x -LLL -H "$LDAPS_URI" -D "uid=alice,$LDAP_PEOPLE" -w alice-pw -b "$LDAP_PEOPLE" "(uid=bob)" uid 2>/dev/null' |
  sed -n 's/^uid: //p')"

echo "# memberOf written by slapadd equals what the overlay computes at run time"
# Instance 2 has no people or groups yet: add instance 1's, memberOf removed, with ldapadd.
awk 'BEGIN { RS = ""; ORS = "\n\n" } /^dn: (uid=|cn=[^,]*,ou=groups)/' "$D1/data.ldif" |
  grep -v -E '^(memberOf|entryUUID):' >"$WORK/runtime.ldif"
check "ldapadd of the seed into instance 2" in_env "$D2" bash -c \
  'LDAPTLS_CACERT=$LDAP_CA ldapadd -x -H "$LDAPS_URI" -D "$LDAP_ADMIN_DN" -y "$LDAP_ADMIN_PASSWORD_FILE" -f "$0"' \
  "$WORK/runtime.ldif"
for u in alice bob carol dave erin frank star; do
  expect_eq "overlay memberOf $u" "$(member_of "$D1" "$u")" "$(member_of "$D2" "$u")"
done
expect_eq "overlay memberOf of group mobilarbeit" \
  "$(svc_values "$D1" "cn=mobilarbeit,$G" "(objectClass=*)" memberOf)" \
  "$(svc_values "$D2" "cn=mobilarbeit,$G" "(objectClass=*)" memberOf)"
check "overlay adds memberOf at run time" in_env "$D1" bash -c \
  'printf "dn: cn=gesundheitsamt,%s\nchangetype: modify\nadd: member\nmember: uid=erin,%s\n" "$LDAP_GROUPS" "$LDAP_PEOPLE" |
   LDAPTLS_CACERT=$LDAP_CA ldapmodify -x -H "$LDAPS_URI" -D "$LDAP_ADMIN_DN" -y "$LDAP_ADMIN_PASSWORD_FILE"'
expect_eq "erin now in gesundheitsamt" "cn=gesundheitsamt,$G" "$(member_of "$D1" erin)"

echo "# operation counts"
mark=$("$FIXTURE" mark "$D1")
in_env "$D1" bash -c 'LDAPTLS_CACERT=$LDAP_CA ldapsearch -x -LLL -H "$LDAPS_URI" -D "$LDAP_BIND_DN" \
  -y "$LDAP_BIND_PASSWORD_FILE" -b "$LDAP_PEOPLE" "(uid=bob)" 1.1 >/dev/null'
user_bind "$D1" bob bob-pw >/dev/null
expect_eq "ops since mark" "SRCH=1 BIND=2" "$("$FIXTURE" ops "$D1" --since "$mark")"
check "ops without mark counts the whole log" bash -c '[[ $("$0" ops "$1") =~ ^SRCH=[0-9]+\ BIND=[0-9]+$ ]]' \
  "$FIXTURE" "$D1"

echo "# wrong CA"
D3=$WORK/d3
check "wrong-ca instance starts" "$FIXTURE" wrong-ca "$D3" --ca "$CA" --no-seed
expect_eq "wrong-ca instance trusts the shared CA" "$CA/ca.pem" "$(in_env "$D3" printenv LDAP_CA)"
check_fails "client trusting only the test CA refuses ldaps" in_env "$D3" bash -c \
  'LDAPTLS_CACERT=$LDAP_CA ldapwhoami -x -H "$LDAPS_URI" -D "$LDAP_BIND_DN" -y "$LDAP_BIND_PASSWORD_FILE"'
check_fails "client trusting only the test CA refuses StartTLS" in_env "$D3" bash -c \
  'LDAPTLS_CACERT=$LDAP_CA ldapwhoami -ZZ -x -H "$LDAP_URI" -D "$LDAP_BIND_DN" -y "$LDAP_BIND_PASSWORD_FILE"'
check "the same client trusting the other CA connects" in_env "$D3" bash -c \
  'LDAPTLS_CACERT=$LDAP_SERVER_CA ldapwhoami -x -H "$LDAPS_URI" -D "$LDAP_BIND_DN" -y "$LDAP_BIND_PASSWORD_FILE"'
check "wrong-ca stop" "$FIXTURE" stop "$D3"

echo "# stop and restart"
port1=$(in_env "$D1" printenv LDAP_PORT)
pid1=$(in_env "$D1" printenv LDAP_PID)
check "stop" "$FIXTURE" stop "$D1"
check_fails "stopped: process gone" bash -c "grep -q slapd /proc/$pid1/cmdline"
check_fails "stopped: no answer" in_env "$D1" bash -c 'ldapsearch -x -o nettimeout=2 -H "$LDAP_URI" -s base -b "" 1.1'
check "stop is idempotent" "$FIXTURE" stop "$D1"
check_fails "status says stopped" "$FIXTURE" status "$D1"
check "restart" "$FIXTURE" restart "$D1"
expect_eq "same port after restart" "$port1" "$(in_env "$D1" printenv LDAP_PORT)"
check "env has the new pid" in_env "$D1" bash -c '[[ $LDAP_PID != "$0" ]] && grep -q slapd /proc/$LDAP_PID/cmdline' "$pid1"
expect_eq "data kept across restart" "cn=gesundheitsamt,$G" "$(member_of "$D1" erin)"
check "alice binds after restart" user_bind "$D1" alice alice-pw
check "restart while running" "$FIXTURE" restart "$D1"
check_fails "start refuses a running instance" "$FIXTURE" start "$D1"

echo "# bulk users ($USERS)"
D4=$WORK/d4
t0=$(date +%s%N)
check "start --users $USERS" "$FIXTURE" start "$D4" --ca "$CA" --users "$USERS"
t1=$(date +%s%N)
echo "     start with $USERS users took $(((t1 - t0) / 1000000)) ms"
if [[ $USERS -ge 2 ]]; then
  last=$(printf 'user%05d' "$USERS")
  odd=$(((USERS % 2) == 1))
  expect_eq "user00001 in telearbeit" "cn=telearbeit,$G" "$(member_of "$D4" user00001)"
  expect_eq "user00002 in gesundheitsamt" "cn=gesundheitsamt,$G" "$(member_of "$D4" user00002)"
  expect_eq "$last memberOf" "cn=$([[ $odd == 1 ]] && echo telearbeit || echo gesundheitsamt),$G" \
    "$(member_of "$D4" "$last")"
  check "$last binds with pw-$last" user_bind "$D4" "$last" "pw-$last"
  check_fails "$last with a wrong password" user_bind "$D4" "$last" "pw-user00000"
  expect_eq "alice still seeded" "cn=gesundheitsamt,$G" "$(member_of "$D4" alice)"
  expect_eq "telearbeit member count" "$(((USERS + 1) / 2 + 4))" "$(in_env "$D4" bash -c \
    'LDAPTLS_CACERT=$LDAP_CA ldapsearch -x -LLL -o ldif_wrap=no -H "$LDAPS_URI" -D "$LDAP_BIND_DN" \
     -y "$LDAP_BIND_PASSWORD_FILE" -b "cn=telearbeit,$LDAP_GROUPS" -s base member | grep -c "^member:"')"
  expect_eq "all generated users present (admin, no size limit)" "$USERS" "$(in_env "$D4" bash -c \
    'LDAPTLS_CACERT=$LDAP_CA ldapsearch -x -LLL -H "$LDAPS_URI" -D "$LDAP_ADMIN_DN" \
     -y "$LDAP_ADMIN_PASSWORD_FILE" -b "$LDAP_PEOPLE" "(uid=user*)" 1.1 | grep -c "^dn:"')"
fi
check "bulk stop" "$FIXTURE" stop "$D4"

if [[ $(id -u) -eq 0 ]] && command -v setpriv >/dev/null; then
  echo "# as an unprivileged user (nobody)"
  D5=$WORK/d5
  mkdir -p "$D5"
  chown 65534:65534 "$D5"
  chmod 755 "$WORK"
  as_nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups env HOME=/nonexistent "$@"; }
  check "start as nobody" as_nobody "$FIXTURE" start "$D5"
  expect_eq "memberOf dave (nobody's server)" "cn=gesundheitsamt,$G;cn=telearbeit,$G" "$(member_of "$D5" dave)"
  check "slapd runs as nobody" in_env "$D5" bash -c '[[ $(stat -c %u /proc/$LDAP_PID) == 65534 ]]'
  check "restart as nobody" as_nobody "$FIXTURE" restart "$D5"
  check "stop as nobody" as_nobody "$FIXTURE" stop "$D5"
fi

check "stop instance 2" "$FIXTURE" stop "$D2"
check "stop instance 1" "$FIXTURE" stop "$D1"

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
