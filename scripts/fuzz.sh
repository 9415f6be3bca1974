#!/usr/bin/env bash
# Builds every libFuzzer target with clang and runs each one briefly on its committed corpus.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET | --build-only]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
build=build-fuzz
CC=clang CXX=clang++ cmake -S . -B "$build" -DAUTHD_FUZZ=ON -DAUTHD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=$(sed -n 's/^authd_fuzzer(\(fuzz_[a-z0-9_]*\).*/\1/p' tests/fuzz/CMakeLists.txt)
# shellcheck disable=SC2086
cmake --build "$build" -j"$(nproc)" --target $targets
[[ $seconds == --build-only ]] && exit 0
# One target on a fresh scratch corpus beside the committed one. Targets run side by side, one
# per core, so each prints its report in one piece when done: the last lines, or all on failure.
fuzz_one() {
  local t=$1 scratch report rc=0
  scratch=$(mktemp -d)
  "$build/tests/fuzz/$t" -max_total_time="$seconds" -max_len=20000 -timeout=10 \
    -print_final_stats=1 "$scratch" "tests/fuzz/corpus/$t" >"$scratch.log" 2>&1 || rc=$?
  if ((rc == 0)); then report=$(tail -n 3 "$scratch.log"); else report=$(cat "$scratch.log"); fi
  printf 'fuzz: %s for %ss: exit %d\n%s\n' "$t" "$seconds" "$rc" "$report"
  rm -rf "$scratch" "$scratch.log"
  return "$rc"
}
export -f fuzz_one
export build seconds
# shellcheck disable=SC2086
printf '%s\n' $targets | xargs -P "$(nproc)" -I{} bash -c 'fuzz_one "$1"' _ {}
echo "fuzz: all targets ran without a crash"
