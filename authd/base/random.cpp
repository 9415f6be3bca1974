#include "authd/base/random.h"

#include <openssl/rand.h>

#include <chrono>
#include <limits>
#include <stdexcept>

namespace authd {

Random systemRandom() {
  return [](unsigned char* out, std::size_t size) {
    if (size > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
        RAND_bytes(out, static_cast<int>(size)) != 1) {
      throw std::runtime_error("RAND_bytes failed");
    }
  };
}

Clock systemClock() {
  return [] {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
}

}  // namespace authd
