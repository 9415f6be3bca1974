#pragma once
// Injected randomness and time: production uses OpenSSL's RNG and the system clock; tests and
// benchmarks hand in their own.

#include <cstddef>
#include <cstdint>
#include <functional>

namespace authd {

// Fills the buffer with cryptographically strong random bytes; throws on RNG failure.
using Random = std::function<void(unsigned char* out, std::size_t size)>;
Random systemRandom();

// Unix time in seconds.
using Clock = std::function<std::int64_t()>;
Clock systemClock();

}  // namespace authd
