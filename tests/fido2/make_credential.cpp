// authenticatorMakeCredential (CTAP 2.1 §6.1): ES256 only, packed self attestation.
#include "fido2/attestation.h"
#include "fido2/auth_data.h"
#include "fido2/cbor_util.h"
#include "fido2/command_common.h"
#include "fido2/ctap2_commands.h"
#include "fido2/ctap_status.h"

namespace authd::testing {
namespace {

constexpr size_t kClientDataHashSize = 32;
constexpr size_t kMaxUserIdSize = 64;
constexpr size_t kCredentialIdSize = 32;

struct MakeCredentialRequest {
  ByteView clientDataHash;
  std::string_view rpId;
  Bytes userId;
  std::string userName;
  std::string displayName;
  CommandOptions options;
};

bool offersEs256(const cbor_item_t* params) {
  cbor_item_t** entries = cbor_array_handle(params);
  for (size_t i = 0; i < cbor_array_size(params); ++i) {
    const std::optional<int64_t> alg = asInt(mapFind(entries[i], "alg"));
    const std::optional<std::string_view> type = asText(mapFind(entries[i], "type"));
    if (alg && type && *alg == kCoseEs256 && *type == "public-key") return true;
  }
  return false;
}

uint8_t parseRequest(const cbor_item_t* params, MakeCredentialRequest* request) {
  const cbor_item_t* rp = mapFind(params, 2);
  const cbor_item_t* user = mapFind(params, 3);
  const cbor_item_t* algorithms = mapFind(params, 4);
  if (mapFind(params, 1) == nullptr || rp == nullptr || user == nullptr || algorithms == nullptr) {
    return ctap::kMissingParameter;
  }
  const std::optional<ByteView> cdh = asBytes(mapFind(params, 1));
  const std::optional<std::string_view> rpId = asText(mapFind(rp, "id"));
  const std::optional<ByteView> userId = asBytes(mapFind(user, "id"));
  if (!cdh || !rpId || !userId || !isArray(algorithms)) return ctap::kCborUnexpectedType;
  if (cdh->size() != kClientDataHashSize || rpId->empty() || userId->empty() ||
      userId->size() > kMaxUserIdSize) {
    return ctap::kInvalidLength;
  }
  if (!offersEs256(algorithms)) return ctap::kUnsupportedAlgorithm;
  request->clientDataHash = *cdh;
  request->rpId = *rpId;
  request->userId.assign(userId->begin(), userId->end());
  request->userName = std::string(asText(mapFind(user, "name")).value_or(""));
  request->displayName = std::string(asText(mapFind(user, "displayName")).value_or(""));
  return parseOptions(mapFind(params, 7), &request->options);
}

bool excluded(const AuthenticatorState& state, const cbor_item_t* excludeList,
              std::string_view rpId) {
  if (!isArray(excludeList)) return false;
  cbor_item_t** entries = cbor_array_handle(excludeList);
  for (size_t i = 0; i < cbor_array_size(excludeList); ++i) {
    const std::optional<ByteView> id = asBytes(mapFind(entries[i], "id"));
    if (id && state.credentials.find(*id, rpId) != nullptr) return true;
  }
  return false;
}

}  // namespace

CtapReply handleMakeCredential(AuthenticatorState& state, const cbor_item_t* params) {
  MakeCredentialRequest request;
  if (const uint8_t status = parseRequest(params, &request); status != ctap::kOk) {
    return ctapError(status);
  }
  const cbor_item_t* excludeList = mapFind(params, 5);
  if (excludeList != nullptr && !isArray(excludeList)) return ctapError(ctap::kCborUnexpectedType);
  // No built-in user verification: only the PIN can verify the user; UP cannot be skipped.
  if (request.options.uv || !request.options.up) return ctapError(ctap::kInvalidOption);
  bool verified = false;
  if (const uint8_t status =
          checkPinUvAuth(state, params, 8, request.clientDataHash, ctap::kPermissionMakeCredential,
                         request.rpId, &verified);
      status != ctap::kOk) {
    return ctapError(status);
  }
  if (!verified && !state.pin.pinHash.empty()) return ctapError(ctap::kPinRequired);
  if (excluded(state, excludeList, request.rpId)) {
    state.touch();
    return ctapError(ctap::kCredentialExcluded);
  }
  uint8_t flags = state.touch() ? kFlagUserPresent : 0;
  if (verified) flags |= kFlagUserVerified;

  const Credential& credential = state.credentials.add(Credential{
      state.rng.bytes(kCredentialIdSize), std::string(request.rpId), std::move(request.userId),
      std::move(request.userName), std::move(request.displayName), request.options.rk,
      Es256Key::generate(state.rng)});
  const AttestedCredential attested{state.aaguid, credential.id, &credential.key};
  const Bytes authData =
      buildAuthData(state.hashedRpId(request.rpId), flags, state.nextSignCount(), &attested);
  if (authData.empty()) return ctapError(ctap::kOther);
  return ctapOk(
      CanonicalMap()
          .add(1, cborText("packed"))
          .add(2, cborBytes(authData))
          .add(3, packedSelfAttestation(state, credential.key, authData, request.clientDataHash))
          .build());
}

}  // namespace authd::testing
