// authenticatorMakeCredential (CTAP 2.1 §6.1): ES256, EdDSA or RS256 credentials, attested in the
// key's configured format (attestation.h).
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
  int64_t algorithm = 0;
};

// pubKeyCredParams (CTAP 2.1 §6.1.2 step 3): each entry must be {"alg": int, "type": text}; the
// first public-key entry whose algorithm this key accepts wins.
uint8_t selectAlgorithm(const AuthenticatorState& state, const cbor_item_t* params,
                        int64_t* algorithm) {
  cbor_item_t** entries = cbor_array_handle(params);
  std::optional<int64_t> chosen;
  for (size_t i = 0; i < cbor_array_size(params); ++i) {
    if (!isMap(entries[i])) return ctap::kCborUnexpectedType;
    const cbor_item_t* algItem = mapFind(entries[i], "alg");
    const cbor_item_t* typeItem = mapFind(entries[i], "type");
    if (algItem == nullptr || typeItem == nullptr) return ctap::kMissingParameter;
    const std::optional<int64_t> alg = asInt(algItem);
    const std::optional<std::string_view> type = asText(typeItem);
    if (!alg || !type) return ctap::kCborUnexpectedType;
    if (!chosen && *type == "public-key" && state.acceptsAlgorithm(*alg)) chosen = *alg;
  }
  if (!chosen) return ctap::kUnsupportedAlgorithm;
  *algorithm = *chosen;
  return ctap::kOk;
}

uint8_t parseRequest(const AuthenticatorState& state, const cbor_item_t* params,
                     MakeCredentialRequest* request) {
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
  if (const uint8_t status = selectAlgorithm(state, algorithms, &request->algorithm);
      status != ctap::kOk) {
    return status;
  }
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
  if (const uint8_t status = parseRequest(state, params, &request); status != ctap::kOk) {
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

  Bytes id = state.rng.bytes(kCredentialIdSize);
  std::optional<CredentialKey> key = CredentialKey::generate(request.algorithm, state.rng);
  if (!key) return ctapError(ctap::kOther);
  const Credential& credential = state.credentials.add(
      Credential{std::move(id), std::string(request.rpId), std::move(request.userId),
                 std::move(request.userName), std::move(request.displayName), request.options.rk,
                 std::move(*key)});
  const AttestedCredential attested{attestedAaguid(state), credential.id, &credential.key};
  const Bytes authData =
      buildAuthData(state.hashedRpId(request.rpId), flags, state.nextSignCount(), &attested);
  if (authData.empty()) return ctapError(ctap::kOther);
  AttestationStatement statement =
      attestCredential(state, credential, authData, request.clientDataHash);
  if (!statement.statement) return ctapError(ctap::kOther);
  return ctapOk(CanonicalMap()
                    .add(1, cborText(statement.fmt))
                    .add(2, cborBytes(authData))
                    .add(3, std::move(statement.statement))
                    .build());
}

}  // namespace authd::testing
