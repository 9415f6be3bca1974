#pragma once
// Attestation statements of makeCredential (WebAuthn §8) in the key's configured format:
// packed self (the credential key signs authData ‖ clientDataHash), packed with x5c (the
// attestation key signs the same), fido-u2f (the attestation key signs
// 0x00 ‖ rpIdHash ‖ clientDataHash ‖ credentialId ‖ 0x04 ‖ x ‖ y) and none.

#include <string>

#include "fido2/authenticator_state.h"
#include "fido2/cbor_util.h"

namespace authd::testing {

struct AttestationStatement {
  std::string fmt;
  CborPtr statement;  // nullptr on failure
};

// The tamperSignature fault flips a bit of sig.
AttestationStatement attestCredential(const AuthenticatorState& state, const Credential& credential,
                                      ByteView authData, ByteView clientDataHash);

// The AAGUID authData carries for a new credential: zero for fido-u2f, as a U2F key has none.
std::array<uint8_t, 16> attestedAaguid(const AuthenticatorState& state);

}  // namespace authd::testing
