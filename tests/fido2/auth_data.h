#pragma once
// authenticatorData (WebAuthn §6.1) and COSE_Key encoding of the soft authenticator.

#include <array>
#include <string_view>

#include "fido2/bytes.h"
#include "fido2/cbor_util.h"
#include "fido2/credential_key.h"
#include "fido2/es256_key.h"

namespace authd::testing {

inline constexpr uint8_t kFlagUserPresent = 0x01;
inline constexpr uint8_t kFlagUserVerified = 0x04;
inline constexpr uint8_t kFlagAttestedData = 0x40;

inline constexpr int64_t kCoseEcdhEsHkdf256 = -25;  // clientPIN key agreement

// COSE_Key of a P-256 public key {1:2, 3:alg, -1:1, -2:x, -3:y} (clientPIN key agreement).
CborPtr coseKey(const Es256Key& key, int64_t alg);

struct AttestedCredential {
  std::array<uint8_t, 16> aaguid;
  ByteView credentialId;
  const CredentialKey* key;
};

// rpIdHash | flags | signCount (big-endian) | [aaguid | credIdLen | credId | COSE_Key].
// AT is set in the flags when `attested` is given. Empty on encoding failure.
Bytes buildAuthData(std::string_view rpId, uint8_t flags, uint32_t signCount,
                    const AttestedCredential* attested);

}  // namespace authd::testing
