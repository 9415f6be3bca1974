// Fuzzes the relying party's authenticator-data parser (authd/fido2/auth_data.h) and, on what it
// accepts, the COSE key parser: parts must lie inside the input, the flags must say what follows,
// and a credential id must be 1..protocol::kMaxFido2CredentialIdBytes (1023) bytes.
#include <cstddef>
#include <cstdint>

#include "authd/fido2/auth_data.h"
#include "authd/fido2/cose_key.h"
#include "authd/protocol.h"

using authd::fido2::ByteSpan;

namespace {

bool inside(ByteSpan part, ByteSpan whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan input(data, size);
  const auto authData = authd::fido2::parseAuthData(input);
  if (!authData) return 0;
  if (size < 37) __builtin_trap();
  if (authData->attested.has_value() != ((authData->flags & authd::fido2::kFlagAttestedData) != 0))
    __builtin_trap();
  if (authData->extensions.has_value() !=
      ((authData->flags & authd::fido2::kFlagExtensionData) != 0))
    __builtin_trap();
  if (authData->extensions &&
      (authData->extensions->empty() || !inside(*authData->extensions, input)))
    __builtin_trap();
  if (authData->attested) {
    const auto& attested = *authData->attested;
    if (attested.credentialId.empty() ||
        attested.credentialId.size() > authd::protocol::kMaxFido2CredentialIdBytes ||
        !inside(attested.credentialId, input) || attested.coseKey.empty() ||
        !inside(attested.coseKey, input)) {
      __builtin_trap();
    }
    (void)authd::fido2::parseCoseKey(attested.coseKey);
  }
  (void)authd::fido2::rpIdHashMatches(authData->rpIdHash, "mfa.example.org");
  return 0;
}
