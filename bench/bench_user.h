#pragma once
// The bench users' names, as bench/lib.sh writes them to the passwd file: bench0000 .. bench9999
// for 10,000 users (at least four digits, more when the count needs them).

#include <algorithm>
#include <string>

namespace authd::bench {

inline std::string userName(int index, int total) {
  int width = std::max(4, static_cast<int>(std::to_string(std::max(total - 1, 0)).size()));
  std::string digits = std::to_string(index);
  return "bench" + std::string(static_cast<std::size_t>(width) - digits.size(), '0') + digits;
}

}  // namespace authd::bench
