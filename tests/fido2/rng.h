#pragma once
// Randomness of a soft authenticator: seeded (deterministic credential ids, keys, AAGUIDs and
// PIN tokens, so test failures reproduce) or from OpenSSL's RAND_bytes when no seed is given.

#include <array>
#include <cstdint>
#include <optional>

#include "fido2/bytes.h"

namespace authd::testing {

class Rng {
 public:
  explicit Rng(std::optional<uint64_t> seed);
  ~Rng();
  Rng(const Rng&) = delete;
  Rng& operator=(const Rng&) = delete;

  void fill(std::span<uint8_t> out);
  Bytes bytes(size_t n);

  bool seeded() const { return seeded_; }
  // How many blocks a seeded generator has produced; a persisted key resumes from there, so a
  // second process with the same seed does not repeat credential ids and keys.
  uint64_t position() const { return counter_; }
  void skipTo(uint64_t position) {
    if (position > counter_) counter_ = position;
  }

 private:
  bool seeded_;
  std::array<uint8_t, 32> state_{};  // SHA-256 counter mode over the seed; test use only
  uint64_t counter_ = 0;
};

}  // namespace authd::testing
