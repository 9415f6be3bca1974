#pragma once
// Attestation certificates: the x5c array of a statement (leaf first, DER each) and the
// requirements WebAuthn Level 2 §8.2.1 puts on a "packed" attestation certificate.

#include <cbor.h>

#include <cstddef>
#include <optional>

#include "authd/fido2/openssl_ptr.h"
#include "authd/fido2/relying_party.h"

namespace authd::fido2 {

inline constexpr std::size_t kMaxX5cCertificates = 8;

struct CertificateChain {
  X509Ptr leaf;
  X509StackPtr intermediates;  // x5c[1..], possibly empty
};

// nullopt unless `x5c` is an array of 1..kMaxX5cCertificates byte strings, each exactly one DER
// certificate.
std::optional<CertificateChain> decodeX5c(const cbor_item_t* x5c);

// Version 3; subject with C, O, CN and OU "Authenticator Attestation"; not a CA; and, when the
// id-fido-gen-ce-aaguid extension (1.3.6.1.4.1.45724.1.1.4) is present, not critical and equal to
// the AAGUID of the authenticator data.
bool meetsPackedCertificateRequirements(X509* leaf, const Aaguid& aaguid);

}  // namespace authd::fido2
