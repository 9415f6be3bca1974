#pragma once
// P-256 keys (OpenSSL 3): credential keys (ES256 signing) and the clientPIN key agreement key
// (ECDH). Generated from the authenticator's Rng so seeded runs are reproducible.

#include <openssl/evp.h>

#include <memory>
#include <optional>

#include "fido2/bytes.h"
#include "fido2/rng.h"

namespace authd::testing {

class Es256Key {
 public:
  static Es256Key generate(Rng& rng);
  // A peer's public key; nullopt unless x and y are 32 bytes and the point is on the curve.
  static std::optional<Es256Key> fromPublic(ByteView x, ByteView y);

  // DER-encoded ECDSA signature over SHA-256(message).
  Bytes sign(ByteView message) const;
  // ECDH shared secret: the x-coordinate of d * peer, 32 bytes; empty on failure.
  Bytes sharedSecret(const Es256Key& peer) const;

  // The private key as PKCS#8 DER (for CredentialKey and the state file); wipe after use.
  Bytes pkcs8() const;

  const Bytes& x() const { return x_; }
  const Bytes& y() const { return y_; }

 private:
  struct PkeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
  };
  Es256Key(EVP_PKEY* key, Bytes x, Bytes y) : key_(key), x_(std::move(x)), y_(std::move(y)) {}

  std::unique_ptr<EVP_PKEY, PkeyFree> key_;
  Bytes x_;
  Bytes y_;
};

}  // namespace authd::testing
