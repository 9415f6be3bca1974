// Fuzzes verifyRegistration (authd/fido2/relying_party.h) end to end. Input: a control byte
// (bits 0-1: policy none/self/trusted, bit 2: UV required, bit 3: an AAGUID allow-list, bit 4:
// which names another AAGUID than the authData's own), fmt length (1 byte), fmt,
// authData length (2 bytes, big-endian), authData, and the rest as attStmt. The client data hash
// is the fixed challenge 0x5a x 32; the seeds are real statements over it (soft key packed self,
// packed x5c and fido-u2f chaining to kFuzzRootPem, EdDSA and RS256 self attestation).
// Invariants: a credential comes out only with an empty reason, a reason is one of the documented
// words, and the credential's parts are well formed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "authd/fido2/byte_reader.h"
#include "authd/fido2/cose_key.h"
#include "authd/fido2/relying_party.h"
#include "authd/protocol.h"

using namespace authd::fido2;

namespace {

// The vendor root of the x5c seeds (generated once, valid for a century).
constexpr const char* kFuzzRootPem = R"(-----BEGIN CERTIFICATE-----
MIIBzTCCAXSgAwIBAgIBATAKBggqhkjOPQQDAjBdMQswCQYDVQQGEwJERTEUMBIG
A1UECgwLYXV0aGQgdGVzdHMxHjAcBgNVBAsMFUNlcnRpZmljYXRlIEF1dGhvcml0
eTEYMBYGA1UEAwwPYXV0aGQgZnV6eiByb290MCAXDTI2MTIwMjAzMzMzMloYDzIx
MjYxMTA4MDQzMzMyWjBdMQswCQYDVQQGEwJERTEUMBIGA1UECgwLYXV0aGQgdGVz
dHMxHjAcBgNVBAsMFUNlcnRpZmljYXRlIEF1dGhvcml0eTEYMBYGA1UEAwwPYXV0
aGQgZnV6eiByb290MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE04U43uM5JM3F
8FuzrELeRvwifFSCZCDy9trge0Ap/7i4Z3gOfaGFJBgPoZZjK/qsm50AMjAeAfTr
e8Bh6TSdi6MjMCEwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwCgYI
KoZIzj0EAwIDRwAwRAIgQeuMLK5bEW0J696uV88Sg3Uuumlo5GfTpAW0JH/MX/oC
IEGrJXqAfuCy4WmeoNdghRigw1NaGEwLedGzWupe0FBh
-----END CERTIFICATE-----
)";

bool documentedReason(std::string_view reason) {
  static constexpr std::string_view kReasons[] = {"client_data_mismatch",
                                                  "malformed_auth_data",
                                                  "rp_id_mismatch",
                                                  "user_presence_missing",
                                                  "user_verification_missing",
                                                  "bad_signature",
                                                  "algorithm_not_allowed",
                                                  "attestation_format_not_allowed",
                                                  "attestation_invalid",
                                                  "attestation_not_trusted",
                                                  "aaguid_not_allowed"};
  return std::find(std::begin(kReasons), std::end(kReasons), reason) != std::end(kReasons);
}

bool split(ByteSpan data, RegistrationInput* input, AttestationTrust* trust, bool* allowOwn) {
  ByteReader in(data);
  std::uint8_t control = 0;
  std::uint8_t fmtLength = 0;
  std::uint16_t authDataLength = 0;
  ByteSpan fmt;
  ByteSpan authData;
  if (!in.u8(&control) || !in.u8(&fmtLength) || !in.take(fmtLength, &fmt) ||
      !in.u16(&authDataLength) || !in.take(authDataLength, &authData)) {
    return false;
  }
  const AttestationPolicy policies[] = {AttestationPolicy::none, AttestationPolicy::self,
                                        AttestationPolicy::trusted, AttestationPolicy::trusted};
  trust->policy = policies[control & 3];
  trust->caBundlePem = kFuzzRootPem;
  input->requireUv = (control & 4) != 0;
  *allowOwn = (control & 16) == 0;
  if ((control & 8) != 0) trust->allowedAaguids.push_back(Aaguid{});  // filled in below
  input->fmt.assign(fmt.begin(), fmt.end());
  input->authData.assign(authData.begin(), authData.end());
  input->attStmt.assign(in.rest().begin(), in.rest().end());
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  RegistrationInput input;
  AttestationTrust trust;
  bool allowOwn = true;
  if (!split(ByteSpan(data, size), &input, &trust, &allowOwn)) return 0;
  input.rpId = "mfa.example.org";
  input.challenge = authd::Bytes(32, 0x5a);
  input.clientData.hash = input.challenge;
  // An allow-list naming the authData's own AAGUID (bytes 37..52 when present) or another one.
  if (!trust.allowedAaguids.empty() && input.authData.size() >= 53) {
    std::copy_n(input.authData.begin() + 37, 16, trust.allowedAaguids[0].begin());
    if (!allowOwn) trust.allowedAaguids[0][0] ^= 0xff;
  }
  const RegistrationResult result = verifyRegistration(input, trust);
  if (!result.credential) {
    if (!documentedReason(result.reason)) __builtin_trap();
    return 0;
  }
  const RegisteredCredential& credential = *result.credential;
  if (!result.reason.empty() || credential.credentialId.empty() ||
      credential.credentialId.size() > authd::protocol::kMaxFido2CredentialIdBytes ||
      credential.fmt != input.fmt) {
    __builtin_trap();
  }
  const CoseKey key = parseCoseKey(credential.coseKey);
  if (key.status != CoseKeyStatus::ok || key.algorithm != credential.algorithm) __builtin_trap();
  if (trust.policy == AttestationPolicy::trusted &&
      credential.attestation != AttestationType::basic)
    __builtin_trap();
  if (input.requireUv && !credential.userVerified) __builtin_trap();
  return 0;
}
