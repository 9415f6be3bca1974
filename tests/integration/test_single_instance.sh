#!/usr/bin/env bash
# A second authd started by hand on the socket of a running one (what an admin does to debug)
# must refuse to start, and the running one must stay reachable: before, the second removed the
# live socket, and when it exited, every logon got "unavailable".
source "$(dirname "$0")/lib.sh"

answers() { authctl --timeout 2 --json list >/dev/null; }

write_accounts
write_config
start_authd
inode=$(stat -c %i "$SOCK")

# An authd that refuses exits at once; one that does not would serve until stopped.
spawn_authd "$WORK/second.log" --config "$WORK/authd.toml"
exit_status $! && rc=0 || rc=$?
out=$(cat "$WORK/second.log")
check "the second authd exits at once with status 1" test "$rc" -eq 1
check "it says that another authd serves the socket" \
  contains "$out" "$SOCK: another authd serves this socket"
check "the socket is still the first authd's" test "$(stat -c %i "$SOCK")" = "$inode"
check "the first authd still answers" answers
check "the first authd is still running" kill -0 "$AUTHD_PID"

# A crashed authd leaves its socket behind: the next start replaces it.
stop_authd KILL
check "a killed authd leaves its socket" test -S "$SOCK"
spawn_authd "$WORK/authd.log" --config "$WORK/authd.toml"
AUTHD_PID=$!
wait_for_authd
check "a new authd replaces the stale socket and answers" answers

# A clean stop removes the socket it created.
stop_authd
check "a stopped authd removes its socket" test ! -e "$SOCK"

finish
