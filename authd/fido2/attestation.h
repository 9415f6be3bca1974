#pragma once
// Attestation statements (WebAuthn Level 2 §8) and the service's attestation policy
// (docs/protocol.md "fido2_register_finish"):
//   none      "none" (empty statement) and everything below
//   self      "packed" self attestation, "packed" with x5c, "fido-u2f"
//   trusted   "packed" with x5c or "fido-u2f" whose certificate chains to the CA bundle
// Under every policy a statement that is present is verified in full; the certificate chain of an
// x5c statement only under trusted. The verdict's type says what was proved: "packed" with x5c
// and "fido-u2f" are `basic` under trusted and `basicUnverified` under none and self.

#include <optional>
#include <string_view>

#include "authd/fido2/auth_data.h"
#include "authd/fido2/byte_reader.h"
#include "authd/fido2/cose_key.h"
#include "authd/fido2/relying_party.h"

namespace authd::fido2 {

struct AttestationEvidence {
  std::string_view fmt;
  ByteSpan attStmt;                          // CBOR map
  ByteSpan authData;                         // raw, as signed
  const AttestedCredentialData& credential;  // parsed from authData
  ByteSpan rpIdHash;
  ByteSpan clientDataHash;
  const CoseKey& credentialKey;  // status ok
};

struct AttestationVerdict {
  std::optional<AttestationType> type;  // what the statement proved, set when accepted
  std::string_view reason;              // attestation_format_not_allowed, _invalid, _not_trusted
};

AttestationVerdict verifyAttestation(const AttestationEvidence& evidence,
                                     const AttestationTrust& trust);

}  // namespace authd::fido2
