#include "authd/agent/offline_logon.h"

#include <algorithm>

#include "authd/api/error_answer.h"
#include "authd/api/requests.h"
#include "authd/base/log.h"
#include "authd/base/op_error.h"
#include "authd/fido2/relying_party.h"
#include "authd/protocol.h"

namespace authd {

namespace err = protocol::error;
using nlohmann::json;

namespace {

constexpr std::size_t kChallengeBytes = 32;

const std::string kNoTotpOffline =
    "This device cannot reach the city network, and codes of an authenticator app can only be "
    "checked there. Log on with your security key, or connect to the network (office or VPN).";
const std::string kNoEntry =
    "This device cannot reach the city network. Codes of an authenticator app can only be "
    "checked there, and a security key works offline only after it was used on this device "
    "while connected.";
const std::string kNoPasswordOffline =
    "This device cannot reach the city network, where your directory password is checked. "
    "Connect to the network (office or VPN) to log on.";

json unavailable(const json& id, const std::string& why, const std::string& userMessage) {
  return errorAnswer(id, err::kUnavailable, "no central authd could be reached; " + why,
                     userMessage);
}

json success(const json& id, json fields) {
  fields["v"] = protocol::kVersion;
  fields["id"] = id;
  fields["ok"] = true;
  return fields;
}

json rejected(const json& id, const std::string& message) {
  return success(id, {{"result", "reject"}, {"message", message}});
}

const offline::OfflineKey* findKey(const offline::OfflineEntry& entry, const Bytes& id) {
  for (const auto& key : entry.keys) {
    if (key.credentialId == id) return &key;
  }
  return nullptr;
}

}  // namespace

json OfflineLogon::answer(std::string_view op, JsonReader& reader, const json& id) {
  try {
    if (op == "factors") return factors(reader, id);
    if (op == "fido2_begin") return begin(reader, id);
    if (op == "verify") return verify(reader, id);
  } catch (const OpError& e) {
    return errorAnswer(id, e.code(), e.what());
  }
  return errorAnswer(id, err::kUnavailable, "no central authd could be reached from this device");
}

std::optional<offline::OfflineEntry> OfflineLogon::usableEntry(const std::string& user,
                                                               const json& id, json* refusal) {
  std::optional<offline::EntryCheck> check = cache_.entryOf(user, clock_());
  if (!check) {
    *refusal = unavailable(id, "no offline entry for " + user, kNoEntry);
    return std::nullopt;
  }
  if (!check->entry) {
    log::warning("agent: offline entry of " + user +
                 " refused: " + offline::auditReason(check->refusal));
    *refusal = unavailable(id, offline::auditReason(check->refusal),
                           std::string(offline::describe(check->refusal)));
    return std::nullopt;
  }
  return std::move(check->entry);
}

json OfflineLogon::factors(JsonReader& reader, const json& id) {
  const AccountQueryRequest request = readFactors(reader);
  json refusal;
  if (!usableEntry(request.user, id, &refusal)) return refusal;
  return success(id, {{"factors", {"fido2"}}, {"locked", false}, {"mfa", true}});
}

json OfflineLogon::begin(JsonReader& reader, const json& id) {
  const AccountQueryRequest request = readFido2Begin(reader);
  json refusal;
  std::optional<offline::OfflineEntry> entry = usableEntry(request.user, id, &refusal);
  if (!entry) return refusal;
  Bytes challenge(kChallengeBytes);
  random_(challenge.data(), challenge.size());
  ChallengeGrant grant;
  grant.user = request.user;
  grant.owner = entry->owner;
  grant.service = request.service;
  grant.uv = entry->uvRequired ? "required" : "preferred";
  json allow = json::array();
  for (const auto& key : entry->keys) {
    allow.push_back(base64urlEncode(key.credentialId));
    grant.allow.push_back(
        {key.credentialId, 0, key.coseKey, key.algorithm, entry->uvRequired, key.signCount});
  }
  const std::int64_t now = clock_();
  grant.expiresAt = now + kChallengeSeconds;
  issueChallenge(challenges_, challenge, std::move(grant), now);
  return success(id, {{"challenge", base64urlEncode(challenge)},
                      {"rp_id", entry->rpId},
                      {"allow", allow},
                      {"uv", entry->uvRequired ? "required" : "preferred"},
                      {"timeout", kChallengeSeconds}});
}

json OfflineLogon::verify(JsonReader& reader, const json& id) {
  VerifyRequest request = readVerify(reader);
  if (request.factor == VerifyFactor::totp) {
    return unavailable(id, "TOTP cannot be checked offline", kNoTotpOffline);
  }
  if (request.password) {
    return unavailable(id, "the directory password cannot be checked offline", kNoPasswordOffline);
  }
  const std::int64_t now = clock_();
  const std::optional<ChallengeGrant> grant = challenges_.take(request.fido2.challenge, now);
  if (!grant || grant->user != request.user || grant->service != request.service) {
    return rejected(id, "The logon took too long or was not started here. Try again.");
  }
  json refusal;
  std::optional<offline::OfflineEntry> entry = usableEntry(request.user, id, &refusal);
  if (!entry) return refusal;
  if (entry->owner != grant->owner) return rejected(id, "Try again.");
  const offline::OfflineKey* key = findKey(*entry, request.fido2.credentialId);
  if (key == nullptr) return rejected(id, "This security key is not registered for you.");

  fido2::AssertionInput input;
  input.rpId = entry->rpId;
  input.challenge = request.fido2.challenge;
  input.clientData = request.fido2.clientData;
  input.origins = {"https://" + entry->rpId};
  input.authData = request.fido2.authData;
  input.signature = request.fido2.signature;
  input.coseKey = key->coseKey;
  input.algorithm = key->algorithm;
  input.requireUv = entry->uvRequired;
  const fido2::AssertionResult result = fido2::verifyAssertion(input);
  if (!result.valid) {
    log::warning("agent: offline logon of " + request.user + " refused: " + result.reason);
    return rejected(id, "Verification failed.");
  }
  if (!fido2::signCountAcceptable(cache_.knownCount(request.user, *key), result.signCount)) {
    // A counter that does not increase: a copied key, or an entry older than the key's use.
    log::warning("agent: offline logon of " + request.user + " refused: counter_regression");
    return rejected(id, "This security key cannot be used offline; connect to the city network.");
  }
  if (!cache_.recordLogon(request.user, {now, key->credentialId, result.signCount})) {
    return errorAnswer(id, err::kUnavailable, "the offline logon could not be stored");
  }
  log::info("agent: offline logon of " + request.user + " accepted");
  return success(id, {{"result", "accept"},
                      {"message", "Security key accepted (offline)."},
                      {"credential_id", key->credentialRow}});
}

}  // namespace authd
