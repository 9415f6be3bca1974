# Private slapd servers for integration tests (tests/ldap/slapd.sh): seeded users alice..frank
# with the passwords NAME-pw and the groups gesundheitsamt and telearbeit. Source after lib.sh.

: "${AUTHD_SOURCE_DIR:?}"
LDAP_SH=$AUTHD_SOURCE_DIR/tests/ldap/slapd.sh
if [[ ! -x /usr/sbin/slapd ]]; then
  echo "SKIP: slapd is not installed"
  exit 77
fi

LDAP_DIRS=()
stop_ldaps() { for d in "${LDAP_DIRS[@]}"; do "$LDAP_SH" stop "$d" >/dev/null 2>&1 || true; done; }
trap 'stop_ldaps; cleanup' EXIT

# start_ldap NAME [slapd.sh start options]: a seeded server sharing the test CA; with LDAP_NETNS
# set, in that network namespace (slapd.sh's port choice and readiness probe run there as well).
start_ldap() {
  local name=$1 netns=()
  shift
  [[ -z ${LDAP_NETNS:-} ]] || netns=(ip netns exec "$LDAP_NETNS")
  "${netns[@]}" "$LDAP_SH" start "$WORK/$name" --ca "$WORK/ca" "$@" >"$WORK/$name.start.log" 2>&1 ||
    { cat "$WORK/$name.start.log"; exit 1; }
  LDAP_DIRS+=("$WORK/$name")
}
ldap_var() { (source "$WORK/$1/env" && printf '%s' "${!2}"); }

# ldap_directory_config NAME: the [directory] and [ldap] sections for the server NAME.
ldap_directory_config() {
  cat <<TOML
[directory]
backend = "ldap"
cache_ttl = ${CACHE_TTL:-0}
negative_cache_ttl = 0
[ldap]
uris = ["$(ldap_var "$1" LDAPS_URI)"]
ca_file = "$(ldap_var "$1" LDAP_CA)"
bind_dn = "$(ldap_var "$1" LDAP_BIND_DN)"
bind_password_file = "$(ldap_var "$1" LDAP_BIND_PASSWORD_FILE)"
user_base = "$(ldap_var "$1" LDAP_PEOPLE)"
group_base = "$(ldap_var "$1" LDAP_GROUPS)"
disabled_attribute = "pwdAccountLockedTime"
connect_timeout_ms = 1000
timeout_ms = 2000
TOML
}
