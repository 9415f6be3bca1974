#include "fido2/ctap2_dispatcher.h"

#include "fido2/cbor_util.h"
#include "fido2/ctap2_commands.h"
#include "fido2/ctap_status.h"

namespace authd::testing {
namespace {

// Parameters of commands that take a map: a map whose keys are all small unsigned integers.
bool validParameterMap(const cbor_item_t* params) {
  if (!isMap(params)) return false;
  const cbor_pair* pairs = cbor_map_handle(params);
  for (size_t i = 0; i < cbor_map_size(params); ++i) {
    const std::optional<int64_t> key = asInt(pairs[i].key);
    if (!key || *key < 0 || *key > 0xff) return false;
  }
  return true;
}

CtapReply dispatch(AuthenticatorState& state, uint8_t command, ByteView parameters) {
  switch (command) {
    case ctap::kGetInfo:
    case ctap::kReset:
    case ctap::kGetNextAssertion:
      if (!parameters.empty()) return ctapError(ctap::kInvalidLength);
      if (command == ctap::kGetInfo) return handleGetInfo(state);
      if (command == ctap::kReset) return handleReset(state);
      return handleGetNextAssertion(state);
    case ctap::kMakeCredential:
    case ctap::kGetAssertion:
    case ctap::kClientPin:
      break;
    default:
      return ctapError(ctap::kInvalidCommand);
  }
  CborPtr params = decodeCbor(parameters);
  if (!params) return ctapError(ctap::kInvalidCbor);
  if (!validParameterMap(params.get())) return ctapError(ctap::kCborUnexpectedType);
  if (command == ctap::kMakeCredential) return handleMakeCredential(state, params.get());
  if (command == ctap::kGetAssertion) return handleGetAssertion(state, params.get());
  return handleClientPin(state, params.get());
}

}  // namespace

CtapReply ctapError(uint8_t status) { return CtapReply{status, {}}; }

CtapReply ctapOk(CborPtr map) {
  if (!map) return ctapError(ctap::kOther);
  Bytes body = encodeCbor(map.get());
  if (body.empty()) return ctapError(ctap::kOther);
  return CtapReply{ctap::kOk, std::move(body)};
}

Bytes dispatchCtap2(AuthenticatorState& state, ByteView request) {
  if (request.empty()) return Bytes{ctap::kInvalidLength};
  CtapReply reply = dispatch(state, request[0], request.subspan(1));
  Bytes out{reply.status};
  if (reply.status == ctap::kOk) out.insert(out.end(), reply.body.begin(), reply.body.end());
  return out;
}

}  // namespace authd::testing
