#pragma once
// CTAP2 dispatcher: one CTAPHID_CBOR payload (command byte ‖ CBOR parameters) in, one reply
// (status ‖ CBOR) out. Parameters are decoded strictly before any handler runs.

#include "fido2/authenticator_state.h"
#include "fido2/bytes.h"

namespace authd::testing {

Bytes dispatchCtap2(AuthenticatorState& state, ByteView request);

}  // namespace authd::testing
