// authenticatorClientPIN (CTAP 2.1 §6.5) with PIN/UV auth protocols 1 and 2: getPINRetries,
// getKeyAgreement, setPIN, changePIN, getPinToken, getPinUvAuthTokenUsingPinWithPermissions.
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>

#include "fido2/auth_data.h"
#include "fido2/cbor_util.h"
#include "fido2/ctap2_commands.h"
#include "fido2/ctap_status.h"
#include "fido2/pin_protocol.h"

namespace authd::testing {
namespace {

constexpr int64_t kGetRetries = 1;
constexpr int64_t kGetKeyAgreement = 2;
constexpr int64_t kSetPin = 3;
constexpr int64_t kChangePin = 4;
constexpr int64_t kGetPinToken = 5;
constexpr int64_t kGetTokenWithPermissions = 9;

constexpr size_t kPinHashSize = 16;
constexpr size_t kPaddedPinSize = 64;
constexpr size_t kMinPinLength = 4;
constexpr size_t kTokenSize = 32;
constexpr int kMaxConsecutiveFailures = 3;

struct PinRequest {
  AuthenticatorState& state;
  const cbor_item_t* params;
  const PinProtocol& protocol;
  Bytes sharedSecret;

  ~PinRequest() { wipeBytes(sharedSecret); }
};

// The platform's key agreement key (param 3) → the shared secret, or an error status.
uint8_t agreeKey(PinRequest& request) {
  const cbor_item_t* cose = mapFind(request.params, 3);
  if (cose == nullptr) return ctap::kMissingParameter;
  const std::optional<int64_t> kty = asInt(mapFind(cose, 1));
  const std::optional<int64_t> crv = asInt(mapFind(cose, -1));
  const std::optional<ByteView> x = asBytes(mapFind(cose, -2));
  const std::optional<ByteView> y = asBytes(mapFind(cose, -3));
  if (!kty || !crv || !x || !y || *kty != 2 || *crv != 1) return ctap::kInvalidParameter;
  const std::optional<Es256Key> peer = Es256Key::fromPublic(*x, *y);
  if (!peer) return ctap::kInvalidParameter;
  Bytes z = request.state.pin.keyAgreement->sharedSecret(*peer);
  if (z.empty()) return ctap::kInvalidParameter;
  request.sharedSecret = request.protocol.kdf(z);
  wipeBytes(z);
  return request.sharedSecret.empty() ? ctap::kOther : ctap::kOk;
}

std::optional<ByteView> bytesParam(const PinRequest& request, int64_t key) {
  return asBytes(mapFind(request.params, key));
}

// newPinEnc (param 5) → the PIN hash to store, after the policy checks.
uint8_t decryptNewPin(const PinRequest& request, Bytes* pinHash) {
  const std::optional<ByteView> newPinEnc = bytesParam(request, 5);
  if (!newPinEnc) return ctap::kMissingParameter;
  std::optional<Bytes> padded = request.protocol.decrypt(request.sharedSecret, *newPinEnc);
  if (!padded || padded->size() != kPaddedPinSize) {
    if (padded) wipeBytes(*padded);
    return ctap::kInvalidParameter;
  }
  const auto end = std::find(padded->begin(), padded->end(), uint8_t{0});
  const size_t length = static_cast<size_t>(end - padded->begin());
  uint8_t status = ctap::kPinPolicyViolation;
  if (length >= kMinPinLength) {
    pinHash->resize(SHA256_DIGEST_LENGTH);
    SHA256(padded->data(), length, pinHash->data());
    pinHash->resize(kPinHashSize);
    status = ctap::kOk;
  }
  wipeBytes(*padded);
  return status;
}

// pinHashEnc (param 6) against the stored PIN, with retry accounting (CTAP 2.1 §6.5.5.5).
uint8_t checkPinHash(PinRequest& request) {
  PinState& pin = request.state.pin;
  if (pin.pinHash.empty()) return ctap::kPinNotSet;
  if (pin.retries == 0) return ctap::kPinBlocked;
  if (pin.consecutiveFailures >= kMaxConsecutiveFailures) return ctap::kPinAuthBlocked;
  const std::optional<ByteView> pinHashEnc = bytesParam(request, 6);
  if (!pinHashEnc) return ctap::kMissingParameter;
  --pin.retries;
  std::optional<Bytes> hash = request.protocol.decrypt(request.sharedSecret, *pinHashEnc);
  const bool match = hash && hash->size() == kPinHashSize && !request.state.faults.wrongPin &&
                     CRYPTO_memcmp(hash->data(), pin.pinHash.data(), kPinHashSize) == 0;
  if (hash) wipeBytes(*hash);
  if (!match) {
    pin.keyAgreement = Es256Key::generate(request.state.rng);
    ++pin.consecutiveFailures;
    if (pin.retries == 0) return ctap::kPinBlocked;
    if (pin.consecutiveFailures >= kMaxConsecutiveFailures) return ctap::kPinAuthBlocked;
    return ctap::kPinInvalid;
  }
  pin.retries = request.state.config.maxPinRetries;
  pin.consecutiveFailures = 0;
  return ctap::kOk;
}

CtapReply setPin(PinRequest& request) {
  if (!request.state.pin.pinHash.empty()) return ctapError(ctap::kNotAllowed);
  if (const uint8_t status = agreeKey(request); status != ctap::kOk) return ctapError(status);
  const std::optional<ByteView> param = bytesParam(request, 4);
  const std::optional<ByteView> newPinEnc = bytesParam(request, 5);
  if (!param || !newPinEnc) return ctapError(ctap::kMissingParameter);
  if (!request.protocol.verify(request.sharedSecret, *newPinEnc, *param)) {
    return ctapError(ctap::kPinAuthInvalid);
  }
  Bytes pinHash;
  if (const uint8_t status = decryptNewPin(request, &pinHash); status != ctap::kOk) {
    return ctapError(status);
  }
  request.state.pin.pinHash = std::move(pinHash);
  request.state.pin.retries = request.state.config.maxPinRetries;
  return CtapReply{ctap::kOk, {}};
}

CtapReply changePin(PinRequest& request) {
  if (request.state.pin.pinHash.empty()) return ctapError(ctap::kPinNotSet);
  if (const uint8_t status = agreeKey(request); status != ctap::kOk) return ctapError(status);
  const std::optional<ByteView> param = bytesParam(request, 4);
  const std::optional<ByteView> newPinEnc = bytesParam(request, 5);
  const std::optional<ByteView> pinHashEnc = bytesParam(request, 6);
  if (!param || !newPinEnc || !pinHashEnc) return ctapError(ctap::kMissingParameter);
  Bytes message(newPinEnc->begin(), newPinEnc->end());
  message.insert(message.end(), pinHashEnc->begin(), pinHashEnc->end());
  if (!request.protocol.verify(request.sharedSecret, message, *param)) {
    return ctapError(ctap::kPinAuthInvalid);
  }
  if (const uint8_t status = checkPinHash(request); status != ctap::kOk) return ctapError(status);
  Bytes pinHash;
  if (const uint8_t status = decryptNewPin(request, &pinHash); status != ctap::kOk) {
    return ctapError(status);
  }
  wipeBytes(request.state.pin.pinHash);
  request.state.pin.pinHash = std::move(pinHash);
  wipeBytes(request.state.pin.token);
  return CtapReply{ctap::kOk, {}};
}

CtapReply getPinToken(PinRequest& request, int64_t subcommand) {
  PinState& pin = request.state.pin;
  uint8_t permissions = ctap::kPermissionMakeCredential | ctap::kPermissionGetAssertion;
  std::string rpId;
  if (subcommand == kGetTokenWithPermissions) {
    if (!request.state.config.pinUvAuthToken) return ctapError(ctap::kInvalidSubcommand);
    const std::optional<int64_t> requested = asInt(mapFind(request.params, 9));
    if (!requested) return ctapError(ctap::kMissingParameter);
    if (*requested <= 0 || *requested > 0xff) return ctapError(ctap::kInvalidParameter);
    permissions = static_cast<uint8_t>(*requested);
    if (const cbor_item_t* rp = mapFind(request.params, 10); rp != nullptr) {
      const std::optional<std::string_view> text = asText(rp);
      if (!text) return ctapError(ctap::kCborUnexpectedType);
      rpId = std::string(*text);
    }
  }
  if (const uint8_t status = agreeKey(request); status != ctap::kOk) return ctapError(status);
  if (const uint8_t status = checkPinHash(request); status != ctap::kOk) return ctapError(status);
  wipeBytes(pin.token);
  pin.token = request.state.rng.bytes(kTokenSize);
  pin.permissions = permissions;
  pin.permissionsRpId = std::move(rpId);
  Bytes encrypted = request.protocol.encrypt(request.sharedSecret, pin.token, request.state.rng);
  if (encrypted.empty()) return ctapError(ctap::kOther);
  return ctapOk(CanonicalMap().add(2, cborBytes(encrypted)).build());
}

}  // namespace

CtapReply handleClientPin(AuthenticatorState& state, const cbor_item_t* params) {
  const std::optional<int64_t> subcommand = asInt(mapFind(params, 2));
  if (!subcommand) return ctapError(ctap::kMissingParameter);
  if (*subcommand == kGetRetries) {
    return ctapOk(CanonicalMap().add(3, cborInt(state.pin.retries)).build());
  }
  const std::optional<int64_t> version = asInt(mapFind(params, 1));
  if (!version) return ctapError(ctap::kMissingParameter);
  const std::unique_ptr<PinProtocol> protocol =
      PinProtocol::create(*version, state.config.pinProtocols);
  if (!protocol) return ctapError(ctap::kInvalidParameter);
  PinRequest request{state, params, *protocol, {}};
  switch (*subcommand) {
    case kGetKeyAgreement:
      return ctapOk(
          CanonicalMap().add(1, coseKey(*state.pin.keyAgreement, kCoseEcdhEsHkdf256)).build());
    case kSetPin:
      return setPin(request);
    case kChangePin:
      return changePin(request);
    case kGetPinToken:
    case kGetTokenWithPermissions:
      return getPinToken(request, *subcommand);
    default:
      return ctapError(ctap::kInvalidSubcommand);
  }
}

}  // namespace authd::testing
