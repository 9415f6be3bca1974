#include "authd/fido2/auth_data.h"

#include <openssl/crypto.h>

#include "authd/fido2/cbor_strict.h"
#include "authd/fido2/digest.h"
#include "authd/fido2/reasons.h"

namespace authd::fido2 {
namespace {

constexpr std::uint8_t kCborMapMajor = 5;

// One strict CBOR map at the start of `in`; its bytes are taken from the reader.
bool takeCborMap(ByteReader& in, ByteSpan* out) {
  const ByteSpan rest = in.rest();
  if (rest.empty() || (rest[0] >> 5) != kCborMapMajor) return false;
  const std::optional<std::size_t> length = strictCborItemLength(rest);
  return length && in.take(*length, out);
}

bool readAttestedCredential(ByteReader& in, AttestedCredentialData* out) {
  std::uint16_t idLength = 0;
  if (!in.copy(&out->aaguid) || !in.u16(&idLength)) return false;
  if (idLength == 0 || idLength > kMaxCredentialIdSize) return false;
  return in.take(idLength, &out->credentialId) && takeCborMap(in, &out->coseKey);
}

}  // namespace

std::optional<AuthData> parseAuthData(ByteSpan raw) {
  ByteReader in(raw);
  AuthData out;
  if (!in.copy(&out.rpIdHash) || !in.u8(&out.flags) || !in.u32(&out.signCount)) {
    return std::nullopt;
  }
  if ((out.flags & kFlagAttestedData) != 0) {
    AttestedCredentialData attested;
    if (!readAttestedCredential(in, &attested)) return std::nullopt;
    out.attested = attested;
  }
  if ((out.flags & kFlagExtensionData) != 0) {
    ByteSpan extensions;
    if (!takeCborMap(in, &extensions)) return std::nullopt;
    out.extensions = extensions;
  }
  if (!in.atEnd()) return std::nullopt;
  return out;
}

bool rpIdHashMatches(const RpIdHash& rpIdHash, std::string_view rpId) {
  if (rpId.empty()) return false;
  Sha256Digest expected{};
  const ByteSpan rpIdBytes(reinterpret_cast<const unsigned char*>(rpId.data()), rpId.size());
  return sha256(rpIdBytes, {}, &expected) &&
         CRYPTO_memcmp(expected.data(), rpIdHash.data(), expected.size()) == 0;
}

std::string_view authDataRefusal(const AuthData& authData, std::string_view rpId, bool requireUv) {
  if (!rpIdHashMatches(authData.rpIdHash, rpId)) return reason::kRpIdMismatch;
  if (!authData.userPresent()) return reason::kUserPresenceMissing;
  if (requireUv && !authData.userVerified()) return reason::kUserVerificationMissing;
  return {};
}

}  // namespace authd::fido2
