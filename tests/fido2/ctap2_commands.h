#pragma once
// CTAP2 command handlers, one file each; the dispatcher decodes the request and calls them.
// Each returns the reply: status byte, then (on success) the CBOR map.

#include <cbor.h>

#include "fido2/authenticator_state.h"
#include "fido2/bytes.h"

namespace authd::testing {

struct CtapReply {
  uint8_t status;
  Bytes body;  // encoded CBOR map; empty for error replies
};

CtapReply handleGetInfo(AuthenticatorState& state);
CtapReply handleMakeCredential(AuthenticatorState& state, const cbor_item_t* params);
CtapReply handleGetAssertion(AuthenticatorState& state, const cbor_item_t* params);
CtapReply handleGetNextAssertion(AuthenticatorState& state);
CtapReply handleClientPin(AuthenticatorState& state, const cbor_item_t* params);
CtapReply handleReset(AuthenticatorState& state);

// Shared by makeCredential and getAssertion: checks pinUvAuthParam (keys paramKey and
// paramKey + 1) against the current token. Returns kOk with *verified set, or an error status.
uint8_t checkPinUvAuth(AuthenticatorState& state, const cbor_item_t* params, int64_t paramKey,
                       ByteView clientDataHash, uint8_t permission, std::string_view rpId,
                       bool* verified);

CtapReply ctapError(uint8_t status);
CtapReply ctapOk(CborPtr map);

}  // namespace authd::testing
