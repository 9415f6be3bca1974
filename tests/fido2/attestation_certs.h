#pragma once
// Test PKI for attestation (OpenSSL): a self-signed root CA and attestation certificates that meet
// the packed attestation certificate requirements (WebAuthn §8.2.1): X.509 v3; subject C, O,
// OU "Authenticator Attestation", CN; basicConstraints CA:FALSE; and the non-critical
// id-fido-gen-ce-aaguid extension (1.3.6.1.4.1.45724.1.1.4) holding the AAGUID as an OCTET STRING.

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "fido2/authenticator_state.h"
#include "fido2/bytes.h"

namespace authd::testing {

inline constexpr std::string_view kAaguidExtensionOid = "1.3.6.1.4.1.45724.1.1.4";

struct AttestationCa {
  Bytes certificateDer;
  Bytes privateKeyPkcs8;  // P-256
};

// Both throw std::runtime_error when OpenSSL fails. Certificates are valid from an hour ago for
// ten years; keys come from OpenSSL's randomness.
AttestationCa makeAttestationCa(std::string_view commonName = "authd soft-fido2 test CA");
AttestationIdentity makeAttestationIdentity(
    const AttestationCa& ca, const std::array<uint8_t, 16>& aaguid,
    std::string_view commonName = "authd soft-fido2 attestation");

// PEM conversions; the parsers take the first object of the input and answer nullopt when there
// is none or it is malformed.
std::string certificatePem(ByteView der);
std::optional<Bytes> certificateDerFromPem(std::string_view pem);
std::string privateKeyPem(ByteView pkcs8);  // "PRIVATE KEY" (PKCS#8)
std::optional<Bytes> privateKeyFromPem(std::string_view pem);

}  // namespace authd::testing
