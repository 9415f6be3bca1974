#pragma once
// "packed" self attestation (WebAuthn §8.2): the credential key signs authData ‖ clientDataHash.

#include "fido2/authenticator_state.h"
#include "fido2/cbor_util.h"

namespace authd::testing {

// attStmt {"alg": -7, "sig": DER}; the tamperSignature fault flips a bit of sig.
CborPtr packedSelfAttestation(const AuthenticatorState& state, const Es256Key& credentialKey,
                              ByteView authData, ByteView clientDataHash);

}  // namespace authd::testing
