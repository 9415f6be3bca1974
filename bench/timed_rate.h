#pragma once
// The measuring loop of the baseline probes (fsync_rate, nss_lookup_rate): one operation after
// another for a given time, bounded in count too, and the rate printed as one result line.

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

namespace authd::bench {

struct TimedRate {
  long ops = 0;
  double seconds = 0;
  bool ok = true;  // false when an operation failed
};

// Adds the probes' --seconds option (how long to measure, 0.1 to 60).
inline void addSecondsOption(CLI::App& app, double& seconds) {
  app.add_option("--seconds", seconds, "how long to measure")->check(CLI::Range(0.1, 60.0));
}

// Calls op(n) for n = 0, 1, ... for `seconds`; stops early when op returns false.
template <class Operation>
TimedRate measureRate(double seconds, Operation op) {
  constexpr long kMaxOps = 10'000'000;
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  TimedRate rate;
  while (rate.ops < kMaxOps && Clock::now() < end) {
    if (!op(rate.ops)) {
      rate.ok = false;
      break;
    }
    ++rate.ops;
  }
  rate.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return rate;
}

// "<key>=<ops per second> ops=<n> seconds=<s>", the line bench/lib.sh's field() reads.
inline void printRate(const char* key, const TimedRate& rate) {
  std::printf("%s=%.0f ops=%ld seconds=%.3f\n", key, static_cast<double>(rate.ops) / rate.seconds,
              rate.ops, rate.seconds);
}

}  // namespace authd::bench
