#!/usr/bin/env bash
# authd started the way packaging/authd.service starts it (its ExecStartPre and ExecStart lines,
# run as written, under the unit's UMask) reads /etc/authd/authd.toml and runs on it. Everything
# happens in a private mount namespace: /etc/authd, /run/authd, /var/lib/authd and the directory
# of the unit's authd are this test's own (empty tmpfs; a missing one is made in an overlay of its
# parent whose layers sit in a private tmpfs on /mnt), so nothing of the real system is read or
# changed, and nothing is left behind.
UNIT=$(cd "$(dirname "$0")/../../packaging" && pwd)/authd.service
SYSTEM_DIRS=(/etc/authd /run/authd /var/lib/authd)

if [[ -z ${AUTHD_ITEST_PRIVATE_MOUNTS:-} ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "SKIP: needs root (mount namespace)"
    exit 77
  fi
  before=$(ls -d "${SYSTEM_DIRS[@]}" 2>/dev/null || true)
  AUTHD_ITEST_PRIVATE_MOUNTS=1 unshare --mount --propagation private \
    bash -c 'mount -t tmpfs -o mode=0700 tmpfs /mnt && exec bash "$@"' bash "$0" "$@" && rc=0 || rc=$?
  after=$(ls -d "${SYSTEM_DIRS[@]}" 2>/dev/null || true)
  if [[ $before != "$after" ]]; then
    echo "FAIL - the test changed the real system: before [$before], after [$after]"
    exit 1
  fi
  echo "ok   - the real /etc, /run and /var/lib are as before"
  exit "$rc"
fi

source "$(dirname "$0")/lib.sh"

# unit_line KEY: the value of the unit's only KEY= line.
unit_line() {
  local lines
  lines=$(sed -n "s/^$1=//p" "$UNIT")
  if [[ $(wc -l <<<"$lines") -ne 1 || -z $lines ]]; then
    echo "$UNIT: expected exactly one $1= line" >&2
    exit 1
  fi
  # Prefixes such as - or + change how systemd runs the line; this test does not model them.
  if [[ $lines == [-@:+!]* ]]; then
    echo "$UNIT: $1 has a prefix this test does not model: $lines" >&2
    exit 1
  fi
  echo "$lines"
}

# private_dir DIR MODE: an empty DIR with MODE, seen only in this namespace. A missing DIR is made
# in an overlay of its parent whose writable layer is in the private /mnt.
private_dir() {
  local dir=$1 mode=$2 parent layer
  if [[ ! -d $dir ]]; then
    parent=$(dirname "$dir")
    layer=/mnt/overlay$(tr / _ <<<"$parent")
    mkdir -p "$layer/upper" "$layer/work"
    mount -t overlay overlay -o "lowerdir=$parent,upperdir=$layer/upper,workdir=$layer/work" "$parent"
    mkdir "$dir"
  fi
  mount -t tmpfs -o "mode=$mode" tmpfs "$dir"
}

PRE=$(unit_line ExecStartPre)
START=$(unit_line ExecStart)
UNIT_UMASK=$(unit_line UMask)
BIN=${START%% *}
private_dir "$(dirname "$BIN")" 0755
ln -s "$AUTHD_BIN" "$BIN"
private_dir /etc/authd 0755
private_dir /run/authd "$(unit_line RuntimeDirectoryMode)"
private_dir /var/lib/authd "$(unit_line StateDirectoryMode)"
SOCK=/run/authd/authd.sock

# unit_run LINE: runs an Exec line as systemd would, with the unit's umask (no nss_wrapper: the
# caller is root, who is in the system's own passwd).
unit_run() { (umask "$UNIT_UMASK" && exec bash -c "exec $1"); }
# unit_spawn LINE LOG: the same in the background, output appended to LOG. The subshell and bash
# exec into the line's program, so $! is its pid.
unit_spawn() { (umask "$UNIT_UMASK" && exec bash -c "exec $1") >>"$2" 2>&1 & }

# --- no configuration file: the built-in defaults
out=$(unit_run "$PRE" 2>&1) && rc=0 || rc=$?
check "ExecStartPre without /etc/authd/authd.toml passes" test "$rc" -eq 0
check "... and says that the built-in defaults are checked" contains "$out" "built-in defaults"

# --- a configuration with non-default settings
cat >/etc/authd/authd.toml <<'TOML'
[server]
socket_mode = "0660"
[totp]
issuer = "Unit Check"
TOML
out=$(unit_run "$PRE" 2>&1) && rc=0 || rc=$?
check "ExecStartPre checks /etc/authd/authd.toml" contains "$out" "/etc/authd/authd.toml: configuration is valid"

unit_spawn "$START" "$WORK/authd.log"
AUTHD_PID=$!
wait_for_authd
check "the start-up log names the configuration file" \
  grep -q "ready on $SOCK, configuration: /etc/authd/authd.toml" "$WORK/authd.log"
check "server.socket_mode from the file took effect" test "$(stat -c %a "$SOCK")" = 660
enrolled=$(authctl --json enroll totp root --label unit --no-confirm)
check "totp.issuer from the file took effect" \
  contains "$(jq -r .uri <<<"$enrolled")" "^otpauth://totp/Unit%20Check:root?"

# --- a file that does not parse stops the start (no silent fallback to the defaults)
stop_authd
echo "[totp]" >>/etc/authd/authd.toml
out=$(unit_run "$PRE" 2>&1) && rc=0 || rc=$?
check "ExecStartPre refuses a broken /etc/authd/authd.toml" test "$rc" -ne 0
unit_spawn "$START" "$WORK/broken.log"
exit_status $! && rc=0 || rc=$?
check "ExecStart refuses it too" test "$rc" -eq 1
check "... naming the file" grep -q "/etc/authd/authd.toml:" "$WORK/broken.log"

finish
