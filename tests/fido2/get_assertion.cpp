// authenticatorGetAssertion and authenticatorGetNextAssertion (CTAP 2.1 §6.2, §6.3).
#include "fido2/auth_data.h"
#include "fido2/cbor_util.h"
#include "fido2/command_common.h"
#include "fido2/ctap2_commands.h"
#include "fido2/ctap_status.h"

namespace authd::testing {
namespace {

constexpr size_t kClientDataHashSize = 32;

// Credentials the request may use: those of the allow list that this key holds (in list order),
// or its resident credentials for the rp when there is no allow list.
uint8_t selectCredentials(const AuthenticatorState& state, const cbor_item_t* allowList,
                          std::string_view rpId, std::vector<const Credential*>* out) {
  if (allowList == nullptr) {
    *out = state.credentials.residentFor(rpId);
    return ctap::kOk;
  }
  if (!isArray(allowList)) return ctap::kCborUnexpectedType;
  cbor_item_t** entries = cbor_array_handle(allowList);
  for (size_t i = 0; i < cbor_array_size(allowList); ++i) {
    const std::optional<ByteView> id = asBytes(mapFind(entries[i], "id"));
    if (!id) return ctap::kCborUnexpectedType;
    if (const Credential* c = state.credentials.find(*id, rpId); c != nullptr) {
      out->push_back(c);
      break;  // with an allow list the key answers with one credential
    }
  }
  return ctap::kOk;
}

CborPtr assertionReply(AuthenticatorState& state, const Credential& credential,
                       std::string_view rpId, ByteView clientDataHash, uint8_t flags,
                       size_t numberOfCredentials) {
  const Bytes authData =
      buildAuthData(state.hashedRpId(rpId), flags, state.nextSignCount(), nullptr);
  Bytes signedData = authData;
  signedData.insert(signedData.end(), clientDataHash.begin(), clientDataHash.end());
  Bytes signature = credential.key.sign(signedData);
  state.tamper(signature);
  CanonicalMap reply;
  reply
      .add(1, CanonicalMap()
                  .add("id", cborBytes(credential.id))
                  .add("type", cborText("public-key"))
                  .build())
      .add(2, cborBytes(authData))
      .add(3, cborBytes(signature));
  if (credential.resident) {
    reply.add(4, CanonicalMap().add("id", cborBytes(credential.userId)).build());
  }
  if (numberOfCredentials > 1) reply.add(5, cborInt(static_cast<int64_t>(numberOfCredentials)));
  return reply.build();
}

}  // namespace

CtapReply handleGetAssertion(AuthenticatorState& state, const cbor_item_t* params) {
  if (mapFind(params, 1) == nullptr || mapFind(params, 2) == nullptr) {
    return ctapError(ctap::kMissingParameter);
  }
  const std::optional<std::string_view> rpId = asText(mapFind(params, 1));
  const std::optional<ByteView> cdh = asBytes(mapFind(params, 2));
  if (!rpId || !cdh) return ctapError(ctap::kCborUnexpectedType);
  if (rpId->empty() || cdh->size() != kClientDataHashSize) return ctapError(ctap::kInvalidLength);
  CommandOptions options;
  if (const uint8_t status = parseOptions(mapFind(params, 5), &options); status != ctap::kOk) {
    return ctapError(status);
  }
  if (options.uv || options.rk) return ctapError(ctap::kInvalidOption);
  bool verified = false;
  if (const uint8_t status =
          checkPinUvAuth(state, params, 6, *cdh, ctap::kPermissionGetAssertion, *rpId, &verified);
      status != ctap::kOk) {
    return ctapError(status);
  }
  std::vector<const Credential*> credentials;
  const cbor_item_t* allowList = mapFind(params, 3);
  if (const uint8_t status = selectCredentials(state, allowList, *rpId, &credentials);
      status != ctap::kOk) {
    return ctapError(status);
  }
  if (credentials.empty() || state.faults.noCredential) return ctapError(ctap::kNoCredentials);

  uint8_t flags = verified ? kFlagUserVerified : 0;
  if (options.up && state.touch()) flags |= kFlagUserPresent;
  state.pending = PendingAssertions{};
  if (allowList == nullptr) {
    for (size_t i = 1; i < credentials.size(); ++i) {
      state.pending.credentialIds.push_back(credentials[i]->id);
    }
    state.pending.rpId = std::string(*rpId);
    state.pending.clientDataHash.assign(cdh->begin(), cdh->end());
    state.pending.flags = flags;
  }
  return ctapOk(assertionReply(state, *credentials.front(), *rpId, *cdh, flags,
                               allowList == nullptr ? credentials.size() : 1));
}

CtapReply handleGetNextAssertion(AuthenticatorState& state) {
  PendingAssertions& pending = state.pending;
  if (pending.credentialIds.empty()) return ctapError(ctap::kNotAllowed);
  const Bytes id = pending.credentialIds.front();
  pending.credentialIds.erase(pending.credentialIds.begin());
  const Credential* credential = state.credentials.find(id, pending.rpId);
  if (credential == nullptr) return ctapError(ctap::kNoCredentials);
  return ctapOk(
      assertionReply(state, *credential, pending.rpId, pending.clientDataHash, pending.flags, 1));
}

}  // namespace authd::testing
