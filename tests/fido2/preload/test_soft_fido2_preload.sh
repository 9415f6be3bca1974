#!/usr/bin/env bash
# The LD_PRELOAD shim seen from outside: a program linked only against libfido2.so
# (soft_fido2_probe) lists the virtual keys of AUTHD_SOFT_FIDO2_KEYS, enrols in one process and
# logs on in the next ones with the persisted credential, the counter carrying on.
# Env (set by CMake): SOFT_FIDO2_PRELOAD, SOFT_FIDO2_PROBE.
set -uo pipefail

: "${SOFT_FIDO2_PRELOAD:?}" "${SOFT_FIDO2_PROBE:?}"

WORK=$(mktemp -d /tmp/soft-fido2-preload-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
FAILURES=0
CHECKS=0

# Sanitizer builds: the shim is instrumented, the probe (like pamtester) is not, so the ASan and
# UBSan runtimes are preloaded first, as tests/integration/lib.sh does for pam_authd.so.
SANITIZER_PRELOAD=
# grep reads all of ldd's output (grep -q could quit early: SIGPIPE under pipefail).
if ldd "$SOFT_FIDO2_PRELOAD" | grep libasan >/dev/null; then
  SANITIZER_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
fi

# probe KEYS ARGS... : runs the probe with the shim and the key list; stdout+stderr to $OUT.
probe() {
  local keys=$1
  shift
  OUT=$(AUTHD_SOFT_FIDO2_KEYS=$keys LD_PRELOAD="$SANITIZER_PRELOAD $SOFT_FIDO2_PRELOAD" \
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" "$SOFT_FIDO2_PROBE" "$@" 2>&1)
}

check() {
  local what=$1
  shift
  CHECKS=$((CHECKS + 1))
  if "$@"; then
    echo "ok   - $what"
  else
    echo "FAIL - $what"
    echo "       output: ${OUT:-}"
    FAILURES=$((FAILURES + 1))
  fi
}

count_of() { sed -n 's/.*count=\([0-9]*\).*/\1/p' <<<"$OUT"; }
device_of() { sed -n 's/^device=\([^ ]*\).*/\1/p' <<<"$OUT"; }

MAIN="main:$WORK/main.state:fmt=x5c:x5cdir=$WORK/pki"
mkdir -p "$WORK/pki"

# Without AUTHD_SOFT_FIDO2_KEYS the real manifest answers (no hardware here: no error).
OUT=$(LD_PRELOAD="$SANITIZER_PRELOAD $SOFT_FIDO2_PRELOAD" ASAN_OPTIONS=detect_leaks=0 \
  "$SOFT_FIDO2_PROBE" list 2>&1)
check "without the key list, libfido2's own manifest answers" test $? -eq 0
check "  and lists no soft key" bash -c "! grep -q soft-fido2 <<<'$OUT'"

probe "early:$WORK/early.state:fmt=x5c:x5cdir=$WORK/early-pki" usage-error
check "the CA exists as soon as the shim loads, before any key is used" \
  test -s "$WORK/early-pki/ca.pem" -a ! -e "$WORK/early.state"

probe "$MAIN" list
check "the shim lists the virtual key" test "$OUT" = "soft-fido2://main"

probe "$MAIN" register "$WORK/cred"
check "process 1 enrols with x5c attestation" test $? -eq 0
check "  fmt packed" grep -q "fmt=packed" <<<"$OUT"
check "  state file written" test -s "$WORK/main.state"
check "  CA bundle written for authd" test -s "$WORK/pki/ca.pem"
check "  attestation certificate chains to the CA" \
  openssl verify -CAfile "$WORK/pki/ca.pem" "$WORK/pki/main-attestation.pem"
check "  state file is private" test "$(stat -c %a "$WORK/main.state")" = 600
first=$(count_of)

probe "$MAIN" assert "$WORK/cred"
check "process 2 logs on with the persisted credential" test $? -eq 0
second=$(count_of)
check "  the counter carries on ($first -> $second)" test "${second:-0}" -gt "${first:-0}"
probe "$MAIN" assert "$WORK/cred"
third=$(count_of)
check "process 3 too, counter still rising ($second -> $third)" \
  test "${third:-0}" -gt "${second:-0}"

# Two keys plugged: the probe (like pam_authd) finds the one holding the credential.
TWO="spare:$WORK/spare.state,$MAIN"
probe "$TWO" list
check "two keys listed" test "$(wc -l <<<"$OUT")" -eq 2
probe "$TWO" assert "$WORK/cred"
check "with two keys the holder is found" test "$(device_of)" = "soft-fido2://main"
OUT=$(AUTHD_SOFT_FIDO2_PLUGGED=spare AUTHD_SOFT_FIDO2_KEYS=$TWO \
  LD_PRELOAD="$SANITIZER_PRELOAD $SOFT_FIDO2_PRELOAD" ASAN_OPTIONS=detect_leaks=0 \
  "$SOFT_FIDO2_PROBE" assert "$WORK/cred" 2>&1)
check "AUTHD_SOFT_FIDO2_PLUGGED=spare unplugs main: no credential (0x2e)" test $? -eq 46
probe "$TWO" register "$WORK/cred2"
check "enrolment refuses two plugged keys" test $? -ne 0

# PIN set initially on a new state file; algorithms; faults.
PINNED="pinned:$WORK/pinned.state:pin=4711"
probe "$PINNED" register "$WORK/cred3"
check "a key created with pin= wants the PIN (0x36)" test $? -eq 54
PROBE_PIN=4711 probe "$PINNED" register "$WORK/cred3" eddsa
check "  and enrols an EdDSA credential with it" test $? -eq 0
PROBE_PIN=4711 probe "$PINNED" assert "$WORK/cred3"
check "  and logs on with it in the next process" test $? -eq 0
PROBE_PIN=4711 probe "pinned:$WORK/pinned.state" assert "$WORK/cred3"
check "  the PIN lives in the state file, not the option" test $? -eq 0

probe "u2f:$WORK/u2f.state:fmt=fido-u2f" register "$WORK/cred4"
check "fido-u2f attestation verifies" grep -q "fmt=fido-u2f" <<<"$OUT"
probe "rsa:$WORK/rsa.state:fmt=none" register "$WORK/cred5" rs256
check "fmt=none: the probe cannot verify a none statement" test $? -ne 0

probe "$MAIN" assert "$WORK/cred"
latest=$(count_of)
probe "$MAIN:counterback" assert "$WORK/cred"
check "counterback: the counter goes backwards ($latest -> $(count_of))" \
  test "$(count_of)" -lt "$latest"
probe "$MAIN:tamper" assert "$WORK/cred"
check "tamper: the assertion does not verify" grep -q "FIDO_ERR_INVALID_SIG" <<<"$OUT"
probe "$MAIN:up=off" assert "$WORK/cred"
check "up=off: the assertion fails the UP check" test $? -ne 0
probe "$MAIN:nocred" assert "$WORK/cred"
check "nocred: no credential (0x2e)" test $? -eq 46
probe "$MAIN:wrongrp" assert "$WORK/cred"
check "wrongrp: rpIdHash mismatch" test $? -ne 0
probe "bad:$WORK/bad.state:frobnicate" list
check "an unknown option fails loudly" grep -q "unknown or malformed option" <<<"$OUT"

echo "$((CHECKS - FAILURES)) passed, $FAILURES failed"
((FAILURES == 0))
