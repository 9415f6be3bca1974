#include "fido2/auth_data.h"

#include <openssl/sha.h>

namespace authd::testing {

CborPtr coseKey(const Es256Key& key, int64_t alg) {
  return CanonicalMap()
      .add(1, cborInt(2))  // kty: EC2
      .add(3, cborInt(alg))
      .add(-1, cborInt(1))  // crv: P-256
      .add(-2, cborBytes(key.x()))
      .add(-3, cborBytes(key.y()))
      .build();
}

Bytes buildAuthData(std::string_view rpId, uint8_t flags, uint32_t signCount,
                    const AttestedCredential* attested) {
  Bytes out(SHA256_DIGEST_LENGTH);
  SHA256(reinterpret_cast<const uint8_t*>(rpId.data()), rpId.size(), out.data());
  if (attested != nullptr) flags |= kFlagAttestedData;
  out.push_back(flags);
  appendBigEndian(out, signCount, 4);
  if (attested == nullptr) return out;
  out.insert(out.end(), attested->aaguid.begin(), attested->aaguid.end());
  appendBigEndian(out, attested->credentialId.size(), 2);
  out.insert(out.end(), attested->credentialId.begin(), attested->credentialId.end());
  CborPtr cose = attested->key->coseKey();
  const Bytes encoded = cose ? encodeCbor(cose.get()) : Bytes{};
  if (encoded.empty()) return {};
  out.insert(out.end(), encoded.begin(), encoded.end());
  return out;
}

}  // namespace authd::testing
