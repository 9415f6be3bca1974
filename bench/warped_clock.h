#pragma once
// Virtual time for the benchmark. A TOTP step can be accepted once per credential and lasts 30 s,
// so 10,000 users allow only ~333 accepts/s in real time. The benchmark server and the load
// generator both run this clock instead: it starts at `epoch` and runs `speedup` times faster,
//   virtual_now = epoch + (realtime_now - epoch) * speedup   (truncated to whole seconds),
// computed the same way in both processes from CLOCK_REALTIME, so they agree on the step.

#include <time.h>

#include <chrono>
#include <cmath>
#include <cstdint>

namespace authd::bench {

class WarpedClock {
 public:
  WarpedClock(double epoch, double speedup) : epoch_(epoch), speedup_(speedup) {}

  static double realNow() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }

  // Virtual Unix time in whole seconds.
  std::int64_t now() const { return static_cast<std::int64_t>(virtualAt(realNow())); }

  // Real seconds from now until the virtual clock reaches `virtualTime` (0 when already past).
  std::chrono::nanoseconds realUntil(std::int64_t virtualTime) const {
    double realTarget = epoch_ + (static_cast<double>(virtualTime) - epoch_) / speedup_;
    double wait = realTarget - realNow();
    if (wait <= 0) return std::chrono::nanoseconds(0);
    return std::chrono::nanoseconds(static_cast<std::int64_t>(std::ceil(wait * 1e9)));
  }

  double speedup() const { return speedup_; }

 private:
  double virtualAt(double real) const { return epoch_ + (real - epoch_) * speedup_; }

  double epoch_;
  double speedup_;
};

}  // namespace authd::bench
