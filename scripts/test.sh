#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs unit and integration tests,
# then the same suite under ASan+UBSan, then every libFuzzer target briefly.
# Usage: scripts/test.sh [--quick]   (--quick: the plain build only)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

# Tests must leave the system as they found it: their PAM service files are checked at the end.
pam_itest_files() { find /etc/pam.d -maxdepth 1 -name 'authd-itest-*' -printf '%f\n' | sort; }
pam_before=$(pam_itest_files)

jobs=$(nproc)
# The independent FIDO2 verifiers (fido2-tools, python3-fido2) were just installed: tests that
# would skip without them must fail instead.
export AUTHD_REQUIRE_VERIFIERS=1 AUTHD_REQUIRE_SLAPD=1
run_suite() {
  local dir=$1; shift
  cmake -S . -B "$dir" -DAUTHD_WERROR=ON -DAUTHD_TESTS=ON "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  ctest --test-dir "$dir" --output-on-failure -j"$jobs"
}

# -g1 (line tables only): backtraces and sanitizer reports keep file:line, and the builds take
# about a third less time than with full debug info (CI has 2 cores).
plain_flags=("-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -DNDEBUG -g1"
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -DNDEBUG -g1")
asan_flags=(-DCMAKE_BUILD_TYPE=Debug -DAUTHD_SANITIZE=ON -DAUTHD_BENCH=OFF
  -DCMAKE_C_FLAGS_DEBUG=-g1 -DCMAKE_CXX_FLAGS_DEBUG=-g1)

echo "== build and test (RelWithDebInfo), ${SECONDS}s in"
run_suite build "${plain_flags[@]}"

if [[ ${1:-} != --quick ]]; then
  echo "== build and test under ASan+UBSan, ${SECONDS}s in"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_suite build-asan "${asan_flags[@]}"
  if [[ -x scripts/fuzz.sh ]]; then
    echo "== fuzz every parser briefly, ${SECONDS}s in"
    scripts/fuzz.sh
  fi
fi
left=$(comm -13 <(printf '%s\n' "$pam_before") <(pam_itest_files))
if [[ -n $left ]]; then
  echo "test.sh: the tests left PAM service files in /etc/pam.d:" $left >&2
  exit 1
fi
echo "test.sh: all suites passed in ${SECONDS}s"
