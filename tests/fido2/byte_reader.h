#pragma once
// Bounds-checked reading of untrusted binary input (the state file): every read answers nullopt
// instead of running past the end, and a failed read leaves the reader failed.

#include <cstdint>
#include <optional>

#include "fido2/bytes.h"

namespace authd::testing {

class ByteReader {
 public:
  explicit ByteReader(ByteView input) : input_(input) {}

  std::optional<ByteView> take(size_t n) {
    if (failed_ || n > input_.size() - offset_) {
      failed_ = true;
      return std::nullopt;
    }
    const ByteView out = input_.subspan(offset_, n);
    offset_ += n;
    return out;
  }
  // Big-endian unsigned integer of `width` bytes (1..8).
  std::optional<uint64_t> bigEndian(size_t width) {
    const std::optional<ByteView> bytes = take(width);
    if (!bytes) return std::nullopt;
    uint64_t value = 0;
    for (uint8_t b : *bytes) value = value << 8 | b;
    return value;
  }
  // A u16 length, then that many bytes.
  std::optional<ByteView> lengthPrefixed() {
    const std::optional<uint64_t> length = bigEndian(2);
    if (!length) return std::nullopt;
    return take(static_cast<size_t>(*length));
  }

  bool failed() const { return failed_; }
  bool atEnd() const { return !failed_ && offset_ == input_.size(); }

 private:
  ByteView input_;
  size_t offset_ = 0;
  bool failed_ = false;
};

}  // namespace authd::testing
