#!/usr/bin/env bash
# Grows the committed fuzz corpora: runs each target for SECONDS on its committed corpus, reports
# whether its edge coverage still grew in the second half of the run, then merges what it found
# into the committed corpus (-merge=1 keeps the smallest set of inputs with the same coverage).
# Rerun a target until it reports "saturated". Two targets run at a time (one per core).
# Usage: scripts/fuzz-deepen.sh SECONDS [TARGET...]   (default: every target)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:?seconds per target}
shift
scripts/fuzz.sh --build-only
targets=${*:-$(sed -n 's/^authd_fuzzer(\(fuzz_[a-z0-9_]*\).*/\1/p' tests/fuzz/CMakeLists.txt)}
work=$(mktemp -d /tmp/authd-fuzz-deepen.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Prints the edge coverage at half of the run and at its end, from libFuzzer's status lines.
coverage_growth() {
  awk '/ cov: / { for (i = 1; i <= NF; i++) if ($i == "cov:") c = $(i + 1); n[++k] = substr($1, 2) + 0; cov[k] = c }
       END { for (j = 1; j <= k; j++) if (n[j] <= n[k] / 2) h = cov[j]; print h + 0, c + 0 }' "$1"
}

deepen_one() {
  local t=$1 fuzzer=build-fuzz/tests/fuzz/$1 corpus=tests/fuzz/corpus/$1 half end
  mkdir -p "$work/$t.new" "$work/$t.merged"
  local rc=0
  # Artifacts (a crash, a timeout) stay in the scratch directory and are reported; a run that
  # stopped early is no evidence of saturation.
  "$fuzzer" -max_total_time="$seconds" -max_len=20000 -timeout=10 -artifact_prefix="$work/$t." \
    "$work/$t.new" "$corpus" >"$work/$t.log" 2>&1 || rc=$?
  if ((rc != 0)); then
    printf 'fuzz-deepen: %s stopped early (exit %d): %s\n' "$t" "$rc" \
      "$(grep -m1 -E '^(==[0-9]+== ERROR|ALARM|SUMMARY)' "$work/$t.log" || echo 'see its log')"
    grep -m1 '^Base64:' "$work/$t.log" || true  # the input, to reproduce it
  fi
  read -r half end < <(coverage_growth "$work/$t.log")
  "$fuzzer" -merge=1 -max_len=20000 -timeout=10 "$work/$t.merged" "$corpus" "$work/$t.new" \
    >"$work/$t.merge.log" 2>&1
  rm -rf "$corpus" && mv "$work/$t.merged" "$corpus"
  local verdict=saturated
  ((end > half)) && verdict="still growing"
  printf 'fuzz-deepen: %s: edge coverage %s at half, %s at the end of %ss (%s); corpus %s inputs\n' \
    "$t" "$half" "$end" "$seconds" "$verdict" "$(find "$corpus" -type f | wc -l)"
}
export -f deepen_one coverage_growth
export seconds work
# shellcheck disable=SC2086,SC2016  # $targets splits into words; $1 is the inner bash's
printf '%s\n' $targets | xargs -P "$(nproc)" -I{} bash -c 'deepen_one "$1"' _ {}
