#pragma once
// Bytes that hold a secret (TOTP seed, encryption key): wiped with OPENSSL_cleanse when freed.

#include <openssl/crypto.h>

#include <cstddef>
#include <vector>

namespace authd {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t size) : bytes_(size) {}
  SecretBytes(const unsigned char* data, std::size_t size) : bytes_(data, data + size) {}
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) {}
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    wipe();
    bytes_ = std::move(other.bytes_);
    return *this;
  }
  ~SecretBytes() { wipe(); }

  unsigned char* data() { return bytes_.data(); }
  const unsigned char* data() const { return bytes_.data(); }
  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  void resize(std::size_t size) {
    // Growing may reallocate: wipe the old buffer by moving through a fresh one.
    SecretBytes bigger(size);
    std::copy(bytes_.begin(), bytes_.begin() + static_cast<long>(std::min(size, bytes_.size())),
              bigger.bytes_.begin());
    *this = std::move(bigger);
  }

 private:
  void wipe() {
    if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
  }
  std::vector<unsigned char> bytes_;
};

}  // namespace authd
