#pragma once
// A directory holding the test attestation PKI of virtual keys used across processes, so the
// test can hand the CA to authd and every process of a key signs with the same certificate:
//   DIR/ca.pem, DIR/ca.key                         one root CA, shared by all keys of DIR
//   DIR/<key>-attestation.pem, DIR/<key>-attestation.key   the key's attestation certificate
// Missing files (and the directory) are created, keys mode 0600, certificates 0644; existing
// ones are loaded.

#include <array>
#include <string>
#include <string_view>

#include "fido2/authenticator_state.h"

namespace authd::testing {

// Throws std::runtime_error when a file cannot be read or written, or does not parse, or when
// only one of a certificate/key pair exists.
AttestationIdentity loadOrCreateAttestation(const std::string& dir, std::string_view keyName,
                                            const std::array<uint8_t, 16>& aaguid);

}  // namespace authd::testing
