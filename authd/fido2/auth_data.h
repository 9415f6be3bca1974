#pragma once
// Authenticator data (WebAuthn Level 2 §6.1): rpIdHash ‖ flags ‖ signCount (big-endian) ‖
// [attested credential data: aaguid ‖ credIdLen ‖ credId ‖ COSE_Key] ‖ [extensions map].
// The parser only splits and bounds-checks; the parts are views into the caller's bytes.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "authd/fido2/byte_reader.h"
#include "authd/fido2/relying_party.h"
#include "authd/protocol.h"

namespace authd::fido2 {

inline constexpr std::uint8_t kFlagUserPresent = 0x01;
inline constexpr std::uint8_t kFlagUserVerified = 0x04;
inline constexpr std::uint8_t kFlagAttestedData = 0x40;
inline constexpr std::uint8_t kFlagExtensionData = 0x80;

inline constexpr std::size_t kMaxCredentialIdSize = protocol::kMaxFido2CredentialIdBytes;

using RpIdHash = std::array<unsigned char, 32>;

struct AttestedCredentialData {
  Aaguid aaguid{};
  ByteSpan credentialId;
  ByteSpan coseKey;  // one strict CBOR map, not yet interpreted (see cose_key.h)
};

struct AuthData {
  RpIdHash rpIdHash{};
  std::uint8_t flags = 0;
  std::uint32_t signCount = 0;
  std::optional<AttestedCredentialData> attested;  // present exactly when AT is set
  std::optional<ByteSpan> extensions;              // one strict CBOR map, present when ED is set

  bool userPresent() const { return (flags & kFlagUserPresent) != 0; }
  bool userVerified() const { return (flags & kFlagUserVerified) != 0; }
};

// nullopt unless `raw` is exactly one well-formed authenticator data: the AT and ED flags match
// what follows, a credential id of 1..kMaxCredentialIdSize bytes, strict CBOR, nothing trailing.
std::optional<AuthData> parseAuthData(ByteSpan raw);

// rpIdHash == SHA-256(rpId), compared in constant time; false for an empty rp id.
bool rpIdHashMatches(const RpIdHash& rpIdHash, std::string_view rpId);

// The checks both ceremonies make (WebAuthn §7.1 steps 13-16, §7.2 steps 15-18): rpIdHash, then
// UP, then UV when required. The refusal reason, or empty when all hold.
std::string_view authDataRefusal(const AuthData& authData, std::string_view rpId, bool requireUv);

}  // namespace authd::fido2
