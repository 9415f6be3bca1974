#include "authd/fido2/assertion.h"

#include "authd/fido2/auth_data.h"
#include "authd/fido2/cose_key.h"
#include "authd/fido2/reasons.h"
#include "authd/fido2/signature.h"

namespace authd::fido2 {
namespace {

AssertionResult refuse(std::string_view why) {
  AssertionResult result;
  result.reason = why;
  return result;
}

}  // namespace

AssertionResult checkAssertion(const AssertionInput& input, ByteSpan clientDataHash) {
  if (input.authData.size() > kMaxAssertionAuthDataSize) return refuse(reason::kMalformedAuthData);
  const std::optional<AuthData> authData = parseAuthData(input.authData);
  if (!authData || authData->attested || authData->extensions) {
    return refuse(reason::kMalformedAuthData);
  }
  if (const std::string_view why = authDataRefusal(*authData, input.rpId, input.requireUv);
      !why.empty()) {
    return refuse(why);
  }
  const CoseKey key = parseCoseKey(input.coseKey);
  if (key.status == CoseKeyStatus::unsupportedAlgorithm ||
      (key.status == CoseKeyStatus::ok && key.algorithm != input.algorithm)) {
    return refuse(reason::kAlgorithmNotAllowed);
  }
  if (key.status != CoseKeyStatus::ok || input.signature.size() > kMaxSignatureSize ||
      !verifySignature(key.publicKey.get(), key.algorithm, input.authData, clientDataHash,
                       input.signature)) {
    return refuse(reason::kBadSignature);
  }
  AssertionResult result;
  result.valid = true;
  result.signCount = authData->signCount;
  result.userVerified = authData->userVerified();
  return result;
}

}  // namespace authd::fido2
