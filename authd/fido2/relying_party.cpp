#include "authd/fido2/relying_party.h"

#include <algorithm>
#include <cstdio>

#include "authd/fido2/assertion.h"
#include "authd/fido2/attestation.h"
#include "authd/fido2/auth_data.h"
#include "authd/fido2/client_data.h"
#include "authd/fido2/cose_key.h"
#include "authd/fido2/reasons.h"
#include "authd/protocol.h"

namespace authd::fido2 {
namespace {

// docs/protocol.md limits of fido2_register_finish.
constexpr std::size_t kMaxRegistrationAuthDataSize = protocol::kMaxFido2RegistrationAuthDataBytes;
constexpr std::size_t kMaxAttStmtSize = protocol::kMaxFido2AttStmtBytes;

RegistrationResult refuse(std::string_view why) {
  RegistrationResult result;
  result.reason = why;
  return result;
}

RegisteredCredential credentialFrom(const RegistrationInput& input, const AuthData& authData,
                                    int algorithm, AttestationType attestation) {
  const AttestedCredentialData& attested = *authData.attested;
  RegisteredCredential credential;
  credential.credentialId.assign(attested.credentialId.begin(), attested.credentialId.end());
  credential.coseKey.assign(attested.coseKey.begin(), attested.coseKey.end());
  credential.algorithm = algorithm;
  credential.aaguid = attested.aaguid;
  credential.fmt = input.fmt;
  credential.attestation = attestation;
  credential.signCount = authData.signCount;
  credential.userVerified = authData.userVerified();
  return credential;
}

bool aaguidAllowed(const AttestationTrust& trust, const Aaguid& aaguid) {
  return trust.allowedAaguids.empty() ||
         std::find(trust.allowedAaguids.begin(), trust.allowedAaguids.end(), aaguid) !=
             trust.allowedAaguids.end();
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

const char* toString(AttestationType type) {
  switch (type) {
    case AttestationType::self:
      return "self";
    case AttestationType::basic:
      return "basic";
    case AttestationType::basicUnverified:
      return "basic_unverified";
    case AttestationType::none:
      break;
  }
  return "none";
}

RegistrationResult verifyRegistration(const RegistrationInput& input,
                                      const AttestationTrust& trust) {
  const std::optional<ClientDataHash> clientDataHash =
      checkClientData(input.clientData, input.challenge, input.origins, Ceremony::registration);
  if (!clientDataHash) return refuse(reason::kClientDataMismatch);
  if (input.authData.size() > kMaxRegistrationAuthDataSize) {
    return refuse(reason::kMalformedAuthData);
  }
  const std::optional<AuthData> authData = parseAuthData(input.authData);
  // authd requests no extension, so extension outputs are refused like any unexpected data.
  if (!authData || !authData->attested || authData->extensions) {
    return refuse(reason::kMalformedAuthData);
  }
  if (const std::string_view why = authDataRefusal(*authData, input.rpId, input.requireUv);
      !why.empty()) {
    return refuse(why);
  }
  const CoseKey key = parseCoseKey(authData->attested->coseKey);
  if (key.status == CoseKeyStatus::unsupportedAlgorithm) {
    return refuse(reason::kAlgorithmNotAllowed);
  }
  if (key.status != CoseKeyStatus::ok) return refuse(reason::kMalformedAuthData);
  if (input.attStmt.size() > kMaxAttStmtSize) return refuse(reason::kAttestationInvalid);
  const AttestationVerdict verdict =
      verifyAttestation({input.fmt, input.attStmt, input.authData, *authData->attested,
                         authData->rpIdHash, *clientDataHash, key},
                        trust);
  if (!verdict.type) return refuse(verdict.reason);
  if (!aaguidAllowed(trust, authData->attested->aaguid)) return refuse(reason::kAaguidNotAllowed);
  RegistrationResult result;
  result.credential = credentialFrom(input, *authData, key.algorithm, *verdict.type);
  return result;
}

AssertionResult verifyAssertion(const AssertionInput& input) {
  const std::optional<ClientDataHash> clientDataHash =
      checkClientData(input.clientData, input.challenge, input.origins, Ceremony::authentication);
  if (!clientDataHash) {
    AssertionResult result;
    result.reason = reason::kClientDataMismatch;
    return result;
  }
  return checkAssertion(input, *clientDataHash);
}

std::string aaguidToString(const Aaguid& aaguid) {
  std::string text;
  text.reserve(36);
  char hex[3];
  for (std::size_t i = 0; i < aaguid.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
    std::snprintf(hex, sizeof hex, "%02x", aaguid[i]);
    text.append(hex, 2);
  }
  return text;
}

std::optional<Aaguid> aaguidFromString(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  Aaguid aaguid{};
  std::size_t position = 0;
  for (std::size_t i = 0; i < aaguid.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      if (text[position++] != '-') return std::nullopt;
    }
    const int high = hexValue(text[position++]);
    const int low = hexValue(text[position++]);
    if (high < 0 || low < 0) return std::nullopt;
    aaguid[i] = static_cast<unsigned char>(high << 4 | low);
  }
  return aaguid;
}

}  // namespace authd::fido2
