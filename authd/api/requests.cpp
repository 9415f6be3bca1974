#include "authd/api/requests.h"

#include "authd/base/op_error.h"
#include "authd/protocol.h"
#include "authd/text.h"
#include "authd/wipe.h"

namespace authd {

namespace err = protocol::error;
using nlohmann::json;

namespace {

void finishOrThrow(JsonReader& r) {
  if (!r.finish()) throw OpError(err::kBadRequest, r.error());
}

template <typename T>
T need(std::optional<T> value, JsonReader& r) {
  if (!value) throw OpError(err::kBadRequest, r.error());
  return std::move(*value);
}

std::string needUser(JsonReader& r) {
  return need(r.requireString("user", protocol::kMaxUserBytes), r);
}

std::int64_t needCredentialId(JsonReader& r) {
  return need(r.requireInt("credential_id", 1, kMaxJsonSafeInt), r);
}

// Moves a secret out of the reader's copy and wipes what the move leaves there (a short
// string's bytes stay in the moved-from buffer).
void takeSecret(std::optional<std::string>& from, std::string& to) {
  to = std::move(*from);
  wipeString(*from);
}

// A required one-time code.
void readCode(JsonReader& r, std::string& to) {
  auto code = r.requireString("code", protocol::kMaxCodeBytes);
  if (!code) throw OpError(err::kBadRequest, r.error());
  takeSecret(code, to);
}

// The optional directory password of a verify request. An empty one is a bad request: an empty
// simple bind would be an anonymous bind that "succeeds".
void readPassword(JsonReader& r, std::optional<std::string>& to) {
  auto password = r.optionalString("password", protocol::kMaxPasswordBytes);
  if (r.failed()) throw OpError(err::kBadRequest, r.error());
  if (!password) return;
  to.emplace();
  takeSecret(password, *to);
}

Bytes decodeField(std::optional<std::string> text, std::string_view key, std::size_t maxBytes,
                  JsonReader& r) {
  if (!text) throw OpError(err::kBadRequest, r.error());
  auto bytes = base64urlDecode(*text, maxBytes);
  if (!bytes || bytes->empty()) {
    throw OpError(err::kBadRequest, "field \"" + std::string(key) +
                                        "\" must be base64url without padding, 1 to " +
                                        std::to_string(maxBytes) + " bytes");
  }
  return std::move(*bytes);
}

Bytes needBytes(JsonReader& r, std::string_view key, std::size_t maxBytes) {
  return decodeField(r.requireString(key, base64urlLength(maxBytes)), key, maxBytes, r);
}

// Exactly one of client_data_hash (CTAP clients) and client_data_json (WebAuthn clients).
fido2::ClientData readClientData(JsonReader& r) {
  constexpr std::size_t kMaxHash = protocol::kMaxFido2ChallengeBytes;
  constexpr std::size_t kMaxJson = protocol::kMaxFido2ClientDataJsonBytes;
  fido2::ClientData data;
  auto hash = r.optionalString("client_data_hash", base64urlLength(kMaxHash));
  auto text = r.optionalString("client_data_json", base64urlLength(kMaxJson));
  if (r.failed()) throw OpError(err::kBadRequest, r.error());
  if (hash.has_value() == text.has_value()) {
    throw OpError(err::kBadRequest,
                  "exactly one of \"client_data_hash\" and \"client_data_json\" is required");
  }
  if (hash) data.hash = decodeField(hash, "client_data_hash", kMaxHash, r);
  if (text) {
    Bytes raw = decodeField(text, "client_data_json", kMaxJson, r);
    data.json = std::string(raw.begin(), raw.end());
  }
  return data;
}

Fido2AssertionFields readAssertion(JsonReader& r) {
  Fido2AssertionFields f;
  f.challenge = needBytes(r, "challenge", protocol::kMaxFido2ChallengeBytes);
  f.credentialId = needBytes(r, "credential", protocol::kMaxFido2CredentialIdBytes);
  f.authData = needBytes(r, "auth_data", protocol::kMaxFido2AssertionAuthDataBytes);
  f.signature = needBytes(r, "signature", protocol::kMaxFido2SignatureBytes);
  f.clientData = readClientData(r);
  return f;
}

AccountQueryRequest readAccountQuery(JsonReader& r) {
  AccountQueryRequest req;
  req.user = needUser(r);
  req.service = r.optionalString("service", protocol::kMaxServiceBytes).value_or("");
  finishOrThrow(r);
  return req;
}

AccountRequest readAccount(JsonReader& r) {
  AccountRequest req{needUser(r)};
  finishOrThrow(r);
  return req;
}

CredentialRequest readCredential(JsonReader& r) {
  CredentialRequest req;
  req.user = needUser(r);
  req.credentialId = needCredentialId(r);
  finishOrThrow(r);
  return req;
}

// The array `key` (absent: empty) of at most `maxItems` objects, each read by `readItem`.
template <typename Item, typename ReadItem>
std::vector<Item> readObjectArray(JsonReader& r, std::string_view key, std::size_t maxItems,
                                  ReadItem readItem) {
  std::vector<Item> items;
  const json* array = r.optionalAny(key);
  if (array == nullptr) return items;
  const std::string where = "field \"" + std::string(key) + "\"";
  if (!array->is_array() || array->size() > maxItems) {
    throw OpError(err::kBadRequest,
                  where + " must be an array of at most " + std::to_string(maxItems) + " objects");
  }
  for (const json& element : *array) {
    if (!element.is_object()) throw OpError(err::kBadRequest, where + " must hold objects");
    JsonReader itemReader(element);
    items.push_back(readItem(itemReader));
    if (!itemReader.finish()) throw OpError(err::kBadRequest, where + ": " + itemReader.error());
  }
  return items;
}

OfflineHeldEntry readHeldEntry(JsonReader& r) {
  OfflineHeldEntry e;
  e.user = needUser(r);
  e.issued = need(r.requireInt("issued", 0, kMaxJsonSafeInt), r);
  return e;
}

OfflineLogonReport readLogonReport(JsonReader& r) {
  OfflineLogonReport l;
  l.user = needUser(r);
  l.time = need(r.requireInt("time", 0, kMaxJsonSafeInt), r);
  l.credentialId = needBytes(r, "credential", protocol::kMaxFido2CredentialIdBytes);
  l.signCount = need(r.requireInt("count", 0, UINT32_MAX), r);
  return l;
}

}  // namespace

VerifyRequest::~VerifyRequest() {
  wipeString(code);
  if (password) wipeString(*password);
}

ConfirmTotpRequest::~ConfirmTotpRequest() { wipeString(code); }

json readId(JsonReader& r) {
  const json* id = r.optionalAny("id");
  if (id == nullptr) return nullptr;
  if (id->is_number_unsigned() && id->get<std::uint64_t>() <= kMaxJsonSafeInt) return *id;
  if (id->is_number_integer() && id->get<std::int64_t>() >= 0 &&
      id->get<std::int64_t>() <= kMaxJsonSafeInt) {
    return *id;
  }
  if (id->is_string()) {
    const auto& text = id->get_ref<const std::string&>();
    if (!text.empty() && text.size() <= protocol::kMaxIdBytes && isSafeText(text)) return *id;
  }
  return nullptr;
}

void readPing(JsonReader& r) { finishOrThrow(r); }

AccountQueryRequest readFactors(JsonReader& r) { return readAccountQuery(r); }

VerifyRequest readVerify(JsonReader& r) {
  VerifyRequest req;
  req.user = needUser(r);
  const std::string factor = need(r.requireString("factor", 16), r);
  req.service = r.optionalString("service", protocol::kMaxServiceBytes).value_or("");
  req.rhost = r.optionalString("rhost", protocol::kMaxHostBytes).value_or("");
  req.tty = r.optionalString("tty", protocol::kMaxHostBytes).value_or("");
  if (factor == "fido2") {
    req.factor = VerifyFactor::fido2;
    req.fido2 = readAssertion(r);
  } else if (factor == "totp") {
    req.factor = VerifyFactor::totp;
    readCode(r, req.code);
  } else {
    throw OpError(err::kBadRequest, "factor must be \"totp\" or \"fido2\"");
  }
  readPassword(r, req.password);
  finishOrThrow(r);
  return req;
}

EnrollTotpRequest readEnrollTotp(JsonReader& r) {
  EnrollTotpRequest req;
  req.user = needUser(r);
  req.label = r.optionalString("label", protocol::kMaxLabelBytes).value_or(req.label);
  if (auto d = r.optionalInt("digits", 6, 8)) req.digits = static_cast<int>(*d);
  req.algorithm = r.optionalString("algorithm", 16);
  req.confirm = r.optionalBool("confirm").value_or(true);
  finishOrThrow(r);
  return req;
}

ConfirmTotpRequest readConfirmTotp(JsonReader& r) {
  ConfirmTotpRequest req;
  req.user = needUser(r);
  req.credentialId = needCredentialId(r);
  readCode(r, req.code);
  finishOrThrow(r);
  return req;
}

ListRequest readList(JsonReader& r) {
  ListRequest req{r.optionalString("user", protocol::kMaxUserBytes)};
  finishOrThrow(r);
  return req;
}

AccountRequest readShow(JsonReader& r) { return readAccount(r); }

CredentialRequest readRevoke(JsonReader& r) { return readCredential(r); }

AccountRequest readUnlock(JsonReader& r) { return readAccount(r); }

AuditQuery readAudit(JsonReader& r) {
  AuditQuery q;
  q.user = r.optionalString("user", protocol::kMaxUserBytes);
  q.since = r.optionalInt("since", 0, kMaxJsonSafeInt).value_or(0);
  q.limit = static_cast<int>(r.optionalInt("limit", 1, 1000).value_or(100));
  finishOrThrow(r);
  return q;
}

AccountQueryRequest readFido2Begin(JsonReader& r) { return readAccountQuery(r); }

Fido2RegisterBeginRequest readFido2RegisterBegin(JsonReader& r) {
  Fido2RegisterBeginRequest req;
  req.user = needUser(r);
  req.label = r.optionalString("label", protocol::kMaxLabelBytes).value_or(req.label);
  req.resident = r.optionalBool("resident").value_or(false);
  req.uv = r.optionalString("uv", 16);
  finishOrThrow(r);
  return req;
}

Fido2RegisterFinishRequest readFido2RegisterFinish(JsonReader& r) {
  Fido2RegisterFinishRequest req;
  req.user = needUser(r);
  req.challenge = needBytes(r, "challenge", protocol::kMaxFido2ChallengeBytes);
  req.fmt = need(r.requireString("fmt", 32), r);
  req.authData = needBytes(r, "auth_data", protocol::kMaxFido2RegistrationAuthDataBytes);
  req.attStmt = needBytes(r, "att_stmt", protocol::kMaxFido2AttStmtBytes);
  req.clientData = readClientData(r);
  finishOrThrow(r);
  return req;
}

CredentialRequest readFido2Reinstate(JsonReader& r) { return readCredential(r); }

}  // namespace authd

namespace authd {

OfflineSyncRequest readOfflineSync(JsonReader& r) {
  OfflineSyncRequest req;
  req.entries =
      readObjectArray<OfflineHeldEntry>(r, "entries", kMaxOfflineSyncItems, readHeldEntry);
  req.logons =
      readObjectArray<OfflineLogonReport>(r, "logons", kMaxOfflineSyncItems, readLogonReport);
  finishOrThrow(r);
  return req;
}

OfflineRevokeRequest readOfflineRevoke(JsonReader& r) {
  OfflineRevokeRequest req;
  req.user = needUser(r);
  req.device = r.optionalString("device", protocol::kMaxUserBytes);
  finishOrThrow(r);
  return req;
}

SessionQuery readSessions(JsonReader& r) {
  SessionQuery q;
  q.user = r.optionalString("user", protocol::kMaxUserBytes);
  q.openOnly = !r.optionalBool("all").value_or(false);
  q.limit = static_cast<int>(r.optionalInt("limit", 1, kMaxSessionsLimit).value_or(1000));
  finishOrThrow(r);
  return q;
}

}  // namespace authd
