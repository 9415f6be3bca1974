#pragma once
// The authenticator's half of an assertion check (WebAuthn Level 2 §7.2 steps 13-20), after the
// client data has given the clientDataHash: authenticator data well formed with nothing trailing,
// no attested credential data and no extensions (authd requests none), rpIdHash, UP, UV when
// required, and one signature check with the stored COSE key. No store, no counter rule (the
// caller applies signCountAcceptable).

#include <cstddef>

#include "authd/fido2/byte_reader.h"
#include "authd/fido2/relying_party.h"
#include "authd/protocol.h"

namespace authd::fido2 {

inline constexpr std::size_t kMaxAssertionAuthDataSize = protocol::kMaxFido2AssertionAuthDataBytes;
inline constexpr std::size_t kMaxSignatureSize = protocol::kMaxFido2SignatureBytes;

AssertionResult checkAssertion(const AssertionInput& input, ByteSpan clientDataHash);

}  // namespace authd::fido2
