#pragma once
// PIN/UV auth protocols 1 and 2 (CTAP 2.1 §6.5.6, §6.5.7), authenticator side: key derivation
// from the ECDH secret, encryption of PIN hashes and tokens, and HMAC of requests.

#include <memory>
#include <optional>

#include "fido2/bytes.h"
#include "fido2/rng.h"

namespace authd::testing {

class PinProtocol {
 public:
  // nullptr for a version other than 1 or 2.
  static std::unique_ptr<PinProtocol> create(int64_t version);
  // nullptr unless the version is also in `enabled`.
  static std::unique_ptr<PinProtocol> create(int64_t version, const std::vector<int>& enabled);
  virtual ~PinProtocol() = default;

  virtual int version() const = 0;
  // Shared secret from the ECDH x-coordinate Z: P1 SHA-256(Z) (32 bytes); P2 HMAC key ‖ AES key
  // (64 bytes, HKDF-SHA-256).
  virtual Bytes kdf(ByteView z) const = 0;
  // nullopt when the length does not fit the protocol (no padding is used).
  virtual std::optional<Bytes> decrypt(ByteView key, ByteView ciphertext) const = 0;
  virtual Bytes encrypt(ByteView key, ByteView plaintext, Rng& rng) const = 0;
  // HMAC-SHA-256 under key[0:32]: P1 keeps the first 16 bytes, P2 all 32.
  virtual Bytes authenticate(ByteView key, ByteView message) const = 0;
  // Constant-time check of a pinUvAuthParam.
  bool verify(ByteView key, ByteView message, ByteView param) const;
};

}  // namespace authd::testing
