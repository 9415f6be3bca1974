#include "fido2/rng.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <stdexcept>

namespace authd::testing {

Rng::Rng(std::optional<uint64_t> seed) : seeded_(seed.has_value()) {
  if (seeded_) {
    Bytes material = toBytes("authd soft-fido2 seed");
    appendBigEndian(material, *seed, 8);
    SHA256(material.data(), material.size(), state_.data());
  }
}

Rng::~Rng() { OPENSSL_cleanse(state_.data(), state_.size()); }

void Rng::fill(std::span<uint8_t> out) {
  if (!seeded_) {
    if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
      throw std::runtime_error("RAND_bytes failed");
    }
    return;
  }
  size_t done = 0;
  while (done < out.size()) {
    Bytes block(state_.begin(), state_.end());
    appendBigEndian(block, counter_++, 8);
    std::array<uint8_t, 32> digest{};
    SHA256(block.data(), block.size(), digest.data());
    const size_t n = std::min(digest.size(), out.size() - done);
    std::copy_n(digest.begin(), n, out.begin() + static_cast<std::ptrdiff_t>(done));
    done += n;
  }
}

Bytes Rng::bytes(size_t n) {
  Bytes out(n);
  fill(out);
  return out;
}

}  // namespace authd::testing
