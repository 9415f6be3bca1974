#!/usr/bin/env bash
# Builds every libFuzzer target with clang and runs each one briefly on its committed corpus.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
build=build-fuzz
CC=clang CXX=clang++ cmake -S . -B "$build" -DAUTHD_FUZZ=ON -DAUTHD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=$(sed -n 's/^authd_fuzzer(\(fuzz_[a-z0-9_]*\).*/\1/p' tests/fuzz/CMakeLists.txt)
# shellcheck disable=SC2086
cmake --build "$build" -j"$(nproc)" --target $targets
for t in $targets; do
  corpus=tests/fuzz/corpus/$t
  scratch=$(mktemp -d)
  echo "fuzz: $t for ${seconds}s"
  "$build/tests/fuzz/$t" -max_total_time="$seconds" -max_len=20000 -timeout=10 \
    -print_final_stats=1 "$scratch" "$corpus" 2>&1 | tail -n 3
  rm -rf "$scratch"
done
echo "fuzz: all targets ran without a crash"
