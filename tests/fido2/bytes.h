#pragma once
// Byte buffers shared by the soft authenticator's files.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace authd::testing {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline Bytes toBytes(std::string_view text) { return Bytes(text.begin(), text.end()); }

// Appends a big-endian unsigned integer of `width` bytes.
inline void appendBigEndian(Bytes& out, uint64_t value, int width) {
  for (int shift = 8 * (width - 1); shift >= 0; shift -= 8) {
    out.push_back(static_cast<uint8_t>(value >> shift));
  }
}

// Wipes a buffer that held key material, a PIN hash or a token, then empties it.
void wipeBytes(Bytes& bytes);

}  // namespace authd::testing
