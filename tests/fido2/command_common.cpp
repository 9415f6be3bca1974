#include "fido2/command_common.h"

#include "fido2/cbor_util.h"
#include "fido2/ctap2_commands.h"
#include "fido2/ctap_status.h"
#include "fido2/pin_protocol.h"

namespace authd::testing {

uint8_t parseOptions(const cbor_item_t* item, CommandOptions* out) {
  if (item == nullptr) return ctap::kOk;
  if (!isMap(item)) return ctap::kCborUnexpectedType;
  const cbor_pair* pairs = cbor_map_handle(item);
  for (size_t i = 0; i < cbor_map_size(item); ++i) {
    const std::optional<std::string_view> name = asText(pairs[i].key);
    const std::optional<bool> value = asBool(pairs[i].value);
    if (!name || !value) return ctap::kCborUnexpectedType;
    if (*name == "rk") out->rk = *value;
    if (*name == "up") out->up = *value;
    if (*name == "uv") out->uv = *value;
  }
  return ctap::kOk;
}

uint8_t checkPinUvAuth(AuthenticatorState& state, const cbor_item_t* params, int64_t paramKey,
                       ByteView clientDataHash, uint8_t permission, std::string_view rpId,
                       bool* verified) {
  *verified = false;
  const cbor_item_t* paramItem = mapFind(params, paramKey);
  if (paramItem == nullptr) return ctap::kOk;
  const std::optional<ByteView> param = asBytes(paramItem);
  if (!param) return ctap::kCborUnexpectedType;
  const std::optional<int64_t> version = asInt(mapFind(params, paramKey + 1));
  if (!version) return ctap::kMissingParameter;
  const std::unique_ptr<PinProtocol> protocol =
      PinProtocol::create(*version, state.config.pinProtocols);
  if (!protocol) return ctap::kInvalidParameter;
  // A zero-length param is a platform probing whether a PIN is set (CTAP 2.0 §5.1 step 2).
  if (param->empty()) return state.pin.pinHash.empty() ? ctap::kPinNotSet : ctap::kPinInvalid;
  const PinState& pin = state.pin;
  if (pin.token.empty() || !protocol->verify(pin.token, clientDataHash, *param)) {
    return ctap::kPinAuthInvalid;
  }
  if ((pin.permissions & permission) == 0) return ctap::kPinAuthInvalid;
  if (!pin.permissionsRpId.empty() && pin.permissionsRpId != rpId) return ctap::kPinAuthInvalid;
  *verified = true;
  return ctap::kOk;
}

}  // namespace authd::testing
