#include "fido2/attestation.h"

#include "fido2/auth_data.h"

namespace authd::testing {
namespace {

constexpr size_t kRpIdHashSize = 32;

Bytes concat(ByteView a, ByteView b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

CborPtr x5cArray(const AuthenticatorState& state) {
  CborArrayBuilder x5c;
  for (const Bytes& der : state.config.attestationIdentity->x5c) x5c.add(cborBytes(der));
  return x5c.build();
}

AttestationStatement packedSelf(const AuthenticatorState& state, const Credential& credential,
                                ByteView authData, ByteView clientDataHash) {
  Bytes signature = credential.key.sign(concat(authData, clientDataHash));
  state.tamper(signature);
  return {"packed", CanonicalMap()
                        .add("alg", cborInt(credential.key.alg()))
                        .add("sig", cborBytes(signature))
                        .build()};
}

AttestationStatement packedX5c(const AuthenticatorState& state, ByteView authData,
                               ByteView clientDataHash) {
  Bytes signature =
      digestSign(state.attestationKey.get(), EVP_sha256(), concat(authData, clientDataHash));
  state.tamper(signature);
  return {"packed", CanonicalMap()
                        .add("alg", cborInt(kCoseEs256))
                        .add("sig", cborBytes(signature))
                        .add("x5c", x5cArray(state))
                        .build()};
}

AttestationStatement fidoU2f(const AuthenticatorState& state, const Credential& credential,
                             ByteView authData, ByteView clientDataHash) {
  if (authData.size() < kRpIdHashSize) return {"fido-u2f", nullptr};
  Bytes message{0x00};
  message.insert(message.end(), authData.begin(), authData.begin() + kRpIdHashSize);
  message.insert(message.end(), clientDataHash.begin(), clientDataHash.end());
  message.insert(message.end(), credential.id.begin(), credential.id.end());
  const Bytes point = credential.key.uncompressedPoint();
  message.insert(message.end(), point.begin(), point.end());
  Bytes signature = digestSign(state.attestationKey.get(), EVP_sha256(), message);
  state.tamper(signature);
  return {"fido-u2f",
          CanonicalMap().add("sig", cborBytes(signature)).add("x5c", x5cArray(state)).build()};
}

}  // namespace

AttestationStatement attestCredential(const AuthenticatorState& state, const Credential& credential,
                                      ByteView authData, ByteView clientDataHash) {
  switch (state.config.attestation) {
    case AttestationFormat::packedX5c:
      return packedX5c(state, authData, clientDataHash);
    case AttestationFormat::fidoU2f:
      return fidoU2f(state, credential, authData, clientDataHash);
    case AttestationFormat::none:
      return {"none", CanonicalMap().build()};
    case AttestationFormat::packedSelf:
    default:
      return packedSelf(state, credential, authData, clientDataHash);
  }
}

std::array<uint8_t, 16> attestedAaguid(const AuthenticatorState& state) {
  if (state.config.attestation == AttestationFormat::fidoU2f) return {};
  return state.aaguid;
}

}  // namespace authd::testing
