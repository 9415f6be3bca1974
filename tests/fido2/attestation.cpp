#include "fido2/attestation.h"

#include "fido2/auth_data.h"

namespace authd::testing {

CborPtr packedSelfAttestation(const AuthenticatorState& state, const Es256Key& credentialKey,
                              ByteView authData, ByteView clientDataHash) {
  Bytes signedData(authData.begin(), authData.end());
  signedData.insert(signedData.end(), clientDataHash.begin(), clientDataHash.end());
  Bytes signature = credentialKey.sign(signedData);
  state.tamper(signature);
  return CanonicalMap().add("alg", cborInt(kCoseEs256)).add("sig", cborBytes(signature)).build();
}

}  // namespace authd::testing
