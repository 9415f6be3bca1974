#pragma once
// The key pair of one credential: ES256 (P-256), EdDSA (Ed25519) or RS256 (RSA-2048), with its
// COSE_Key encoding and the signature format each algorithm uses in WebAuthn.

#include <cstdint>
#include <optional>

#include "fido2/bytes.h"
#include "fido2/cbor_util.h"
#include "fido2/pkey_util.h"
#include "fido2/rng.h"

namespace authd::testing {

inline constexpr int64_t kCoseEs256 = -7;
inline constexpr int64_t kCoseEdDsa = -8;
inline constexpr int64_t kCoseRs256 = -257;

class CredentialKey {
 public:
  static bool supported(int64_t alg);
  // A new key; nullopt for an unsupported algorithm. ES256 and EdDSA keys come from the Rng (so
  // seeded runs repeat them); RS256 keys from OpenSSL, cached per seeded Rng draw
  // (rsa_key_cache.h).
  static std::optional<CredentialKey> generate(int64_t alg, Rng& rng);
  // A stored key; nullopt unless the DER is a key of exactly the type `alg` needs.
  static std::optional<CredentialKey> fromPkcs8(int64_t alg, ByteView der);

  int64_t alg() const { return alg_; }
  // ES256: DER ECDSA over SHA-256(message); RS256: PKCS#1 v1.5 over SHA-256(message);
  // EdDSA: Ed25519 over the message itself (no pre-hash).
  Bytes sign(ByteView message) const;
  // ES256 {1:2,3:-7,-1:1,-2:x,-3:y}; EdDSA {1:1,3:-8,-1:6,-2:x}; RS256 {1:3,3:-257,-1:n,-2:e}.
  CborPtr coseKey() const;
  // ES256 only (fido-u2f): 0x04 ‖ x ‖ y; empty for other algorithms.
  Bytes uncompressedPoint() const;
  Bytes pkcs8() const { return pkcs8Der(key_.get()); }

 private:
  CredentialKey(int64_t alg, EvpPkeyPtr key, Bytes first, Bytes second);
  static std::optional<CredentialKey> fromPkey(int64_t alg, EvpPkeyPtr key);

  int64_t alg_;
  EvpPkeyPtr key_;
  Bytes first_;   // ES256 x, EdDSA public key, RS256 n
  Bytes second_;  // ES256 y, RS256 e; empty for EdDSA
};

}  // namespace authd::testing
