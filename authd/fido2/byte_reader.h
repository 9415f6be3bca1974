#pragma once
// Bounds-checked reading of untrusted bytes: every read reports whether the bytes were there and
// never moves past the end, so parsers cannot index out of range.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace authd::fido2 {

using ByteSpan = std::span<const unsigned char>;

class ByteReader {
 public:
  explicit ByteReader(ByteSpan data) : data_(data) {}

  std::size_t remaining() const { return data_.size() - position_; }
  bool atEnd() const { return remaining() == 0; }
  ByteSpan rest() const { return data_.subspan(position_); }

  bool take(std::size_t count, ByteSpan* out) {
    if (count > remaining()) return false;
    *out = data_.subspan(position_, count);
    position_ += count;
    return true;
  }
  template <std::size_t N>
  bool copy(std::array<unsigned char, N>* out) {
    ByteSpan bytes;
    if (!take(N, &bytes)) return false;
    std::copy(bytes.begin(), bytes.end(), out->begin());
    return true;
  }
  bool u8(std::uint8_t* out) { return bigEndian(1, out); }
  bool u16(std::uint16_t* out) { return bigEndian(2, out); }
  bool u32(std::uint32_t* out) { return bigEndian(4, out); }

 private:
  template <typename T>
  bool bigEndian(std::size_t width, T* out) {
    ByteSpan bytes;
    if (!take(width, &bytes)) return false;
    T value = 0;
    for (unsigned char byte : bytes) value = static_cast<T>((value << 8) | byte);
    *out = value;
    return true;
  }

  ByteSpan data_;
  std::size_t position_ = 0;
};

}  // namespace authd::fido2
