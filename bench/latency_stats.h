#pragma once
// Latency samples of one run and their percentiles (nearest-rank).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

namespace authd::bench {

class LatencyStats {
 public:
  void add(std::chrono::steady_clock::duration d) {
    samples_.push_back(std::chrono::duration<double, std::milli>(d).count());
  }
  std::size_t count() const { return samples_.size(); }

  // p in (0, 100]; 0 when there is no sample.
  double percentileMs(double p) {
    if (samples_.empty()) return 0;
    auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(count())));
    auto nth = samples_.begin() +
               static_cast<std::ptrdiff_t>(std::clamp<std::size_t>(rank, 1, count()) - 1);
    std::nth_element(samples_.begin(), nth, samples_.end());
    return *nth;
  }

 private:
  std::vector<double> samples_;
};

}  // namespace authd::bench
