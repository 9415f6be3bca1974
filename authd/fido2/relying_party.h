#pragma once
// The FIDO2 relying party's checks (WebAuthn Level 2 §7.1 registration, §7.2 assertion), as pure
// functions over bytes the client sent: no store, no socket, no clock. authd's admin and verifier
// call them and then persist the outcome. Every input is untrusted and parsed fully first.
//
// Reasons are stable machine-readable words (docs/protocol.md lists them) for the audit log.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authd/base64url.h"

namespace authd::fido2 {

// COSE algorithm identifiers (RFC 9053 / IANA) accepted for credential keys.
inline constexpr int kEs256 = -7;
inline constexpr int kEdDsa = -8;
inline constexpr int kRs256 = -257;

using Aaguid = std::array<unsigned char, 16>;

enum class AttestationPolicy { none, self, trusted };
// What registration proved. `basic` only when the attestation certificate's chain was checked
// against the vendor roots (policy trusted); under none and self an x5c statement proves its
// signature only, so anyone could have made the certificate: `basicUnverified`.
enum class AttestationType { none, self, basic, basicUnverified };
const char* toString(AttestationType type);

// What the service trusts at registration. caBundle is PEM text (vendor roots); required and
// non-empty when policy is trusted.
struct AttestationTrust {
  AttestationPolicy policy = AttestationPolicy::self;
  std::string caBundlePem;
  std::vector<Aaguid> allowedAaguids;  // empty: any model
};

// The client's view of the ceremony: exactly one of the two forms.
//   CTAP clients (pam_authd, authctl): clientDataHash is the 32-byte challenge itself.
//   WebAuthn clients (browsers): clientDataJSON whose type, challenge and origin are checked;
//   the hash signed by the authenticator is SHA-256(clientDataJSON).
struct ClientData {
  std::optional<Bytes> hash;
  std::optional<std::string> json;
};

struct RegistrationInput {
  std::string rpId;
  Bytes challenge;  // what authd issued (32 bytes)
  ClientData clientData;
  std::vector<std::string> origins;  // allowed origins for the JSON form
  std::string fmt;                   // "packed", "fido-u2f", "none"
  Bytes authData;                    // raw authenticator data
  Bytes attStmt;                     // CBOR map, as in the WebAuthn attestation object
  bool requireUv = false;
};

struct RegisteredCredential {
  Bytes credentialId;
  Bytes coseKey;  // the COSE_Key exactly as the authenticator sent it
  int algorithm = 0;
  Aaguid aaguid{};
  std::string fmt;
  AttestationType attestation = AttestationType::none;
  std::uint32_t signCount = 0;
  bool userVerified = false;
};

struct RegistrationResult {
  std::optional<RegisteredCredential> credential;  // set only when every check passed
  std::string reason;                              // why not, when empty credential
};

RegistrationResult verifyRegistration(const RegistrationInput& input,
                                      const AttestationTrust& trust);

struct AssertionInput {
  std::string rpId;
  Bytes challenge;
  ClientData clientData;
  std::vector<std::string> origins;
  Bytes authData;
  Bytes signature;
  Bytes coseKey;  // stored key of the credential the client named
  int algorithm = 0;
  bool requireUv = false;
};

struct AssertionResult {
  bool valid = false;  // signature, rpIdHash, UP, UV (when required) and client data all good
  std::string reason;
  std::uint32_t signCount = 0;
  bool userVerified = false;
};

AssertionResult verifyAssertion(const AssertionInput& input);

// Signature-counter rule of WebAuthn §7.2 step 21: when either value is non-zero the presented
// one must be greater than the stored one.
inline bool signCountAcceptable(std::uint32_t stored, std::uint32_t presented) {
  return (stored == 0 && presented == 0) || presented > stored;
}

std::string aaguidToString(const Aaguid& aaguid);               // 8-4-4-4-12 lower-case hex
std::optional<Aaguid> aaguidFromString(std::string_view text);  // same form only

}  // namespace authd::fido2
