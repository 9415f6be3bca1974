#pragma once
// Seals secrets at rest with AES-256-GCM. Blob layout: version byte 0x01 | 12-byte random nonce |
// ciphertext | 16-byte tag. The associated data binds a blob to its owner (e.g. the user), so a
// sealed secret copied to another row fails to open.

#include <optional>
#include <string_view>
#include <vector>

#include "authd/base/random.h"
#include "authd/base/secret_bytes.h"

namespace authd {

class SecretBox {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  static constexpr std::size_t kNonceBytes = 12;
  static constexpr std::size_t kTagBytes = 16;
  static constexpr unsigned char kVersion = 0x01;

  SecretBox(SecretBytes key, Random random);

  std::vector<unsigned char> seal(const SecretBytes& plaintext, std::string_view aad) const;
  // nullopt when the blob is malformed, was tampered with or belongs to other associated data.
  std::optional<SecretBytes> open(const std::vector<unsigned char>& blob,
                                  std::string_view aad) const;

 private:
  SecretBytes key_;
  Random random_;
};

}  // namespace authd
