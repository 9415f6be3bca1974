#include "authd/dispatcher.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "authd/async.h"
#include "authd/base64url.h"
#include "authd/log.h"
#include "authd/op_error.h"
#include "authd/policy.h"
#include "authd/protocol.h"
#include "authd/wipe.h"

namespace authd {

namespace err = protocol::error;
using nlohmann::json;

namespace {

constexpr std::int64_t kMaxJsonSafeInt = (std::int64_t{1} << 53) - 1;

}  // namespace

const std::vector<Dispatcher::Operation>& Dispatcher::operations() {
  using D = Dispatcher;
  static const std::vector<D::Operation> table = {
      {"ping", Access::anyone, &D::ping},
      {"factors", Access::account, &D::factors},
      {"verify", Access::account, &D::verify},
      {"enroll_totp", Access::admin, &D::enrollTotp},
      {"confirm_totp", Access::admin, &D::confirmTotp},
      {"list", Access::admin, &D::list},
      {"show", Access::admin, &D::show},
      {"revoke", Access::admin, &D::revoke},
      {"unlock", Access::admin, &D::unlock},
      {"audit", Access::admin, &D::audit},
      {"fido2_begin", Access::account, &D::fido2Begin},
      {"fido2_register_begin", Access::admin, &D::fido2RegisterBegin},
      {"fido2_register_finish", Access::admin, &D::fido2RegisterFinish},
      {"fido2_reinstate", Access::admin, &D::fido2Reinstate},
  };
  return table;
}

namespace {

void finishOrThrow(JsonReader& r) {
  if (!r.finish()) throw OpError(err::kBadRequest, r.error());
}

template <typename T>
T need(std::optional<T> value, JsonReader& r) {
  if (!value) throw OpError(err::kBadRequest, r.error());
  return *value;
}

// The request id, echoed back: an integer 0..2^53-1 or a string of 1..64 bytes; null otherwise.
json readId(JsonReader& r) {
  const json* id = r.optionalAny("id");
  if (id == nullptr) return nullptr;
  if (id->is_number_unsigned() && id->get<std::uint64_t>() <= kMaxJsonSafeInt) return *id;
  if (id->is_number_integer() && id->get<std::int64_t>() >= 0 &&
      id->get<std::int64_t>() <= kMaxJsonSafeInt) {
    return *id;
  }
  if (id->is_string() && !id->get_ref<const std::string&>().empty() &&
      id->get_ref<const std::string&>().size() <= protocol::kMaxIdBytes) {
    return *id;
  }
  return nullptr;
}

// The parsed request still holds what the user typed; wipe it before the memory is freed.
void wipeSecretFields(json& request) {
  if (!request.is_object()) return;
  for (const char* key : {"code", "password", "pin"}) {
    auto it = request.find(key);
    if (it != request.end() && it->is_string()) wipeString(it->get_ref<std::string&>());
  }
}

json errorResponse(const json& id, std::string_view code, const std::string& message) {
  return {
      {"v", protocol::kVersion}, {"id", id}, {"ok", false}, {"error", code}, {"message", message}};
}

std::string userMessage(const VerifyAnswer& a) {
  switch (a.decision) {
    case Decision::accept:
      return "Verification code accepted.";
    case Decision::locked:
      return "Too many failed attempts. Your second factor is locked for " +
             std::to_string((a.retryAfter + 59) / 60) + " minute(s).";
    case Decision::reject:
      break;
  }
  return "Verification failed.";
}

json verifyResult(const VerifyAnswer& a) {
  json out = {{"result", toString(a.decision)}, {"message", userMessage(a)}};
  if (a.decision == Decision::locked) out["retry_after"] = a.retryAfter;
  if (a.decision == Decision::accept && a.credentialId) out["credential_id"] = *a.credentialId;
  return out;
}

// The optional directory password of a verify request. An empty one is a bad request: an empty
// simple bind would be an anonymous bind that "succeeds".
std::optional<std::string> readPassword(JsonReader& r) {
  auto password = r.optionalString("password", protocol::kMaxPasswordBytes);
  if (r.failed()) throw OpError(err::kBadRequest, r.error());
  return password;
}

json optionalTime(std::int64_t t) { return t == 0 ? json(nullptr) : json(t); }

json fido2Fields(const Fido2CredentialData& f);

json listingJson(const CredentialListing& listing) {
  json credentials = json::array();
  for (const auto& c : listing.credentials) {
    json item = {{"id", c.id},
                 {"user", c.user},
                 {"factor", c.factor},
                 {"label", c.label},
                 {"state", toString(c.state)},
                 {"created", c.createdAt},
                 {"last_used", optionalTime(c.lastUsedAt)}};
    if (c.fido2) {
      item.update(fido2Fields(*c.fido2));
    } else {
      item["algorithm"] = c.algorithm;
      item["digits"] = c.digits;
    }
    credentials.push_back(std::move(item));
  }
  json locks = json::array();
  for (const auto& l : listing.locks) {
    locks.push_back({{"user", l.user},
                     {"failures", l.failures},
                     {"locked_until", optionalTime(l.lockedUntil)}});
  }
  return json{{"credentials", credentials}, {"locks", locks}};
}

// Limits of the FIDO2 binary fields (docs/protocol.md), in decoded bytes.
constexpr std::size_t kMaxChallengeBytes = 64;
constexpr std::size_t kMaxCredentialIdBytes = 1023;
constexpr std::size_t kMaxAssertionAuthDataBytes = 1024;
constexpr std::size_t kMaxSignatureBytes = 1024;
constexpr std::size_t kMaxRegistrationAuthDataBytes = 2048;
constexpr std::size_t kMaxAttStmtBytes = 4096;
constexpr std::size_t kMaxClientDataJsonBytes = 4096;

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
  fido2::ClientData data;
  auto hash = r.optionalString("client_data_hash", base64urlLength(kMaxChallengeBytes));
  auto text = r.optionalString("client_data_json", base64urlLength(kMaxClientDataJsonBytes));
  if (r.failed()) throw OpError(err::kBadRequest, r.error());
  if (hash.has_value() == text.has_value()) {
    throw OpError(err::kBadRequest,
                  "exactly one of \"client_data_hash\" and \"client_data_json\" is required");
  }
  if (hash) data.hash = decodeField(hash, "client_data_hash", kMaxChallengeBytes, r);
  if (text) {
    Bytes raw = decodeField(text, "client_data_json", kMaxClientDataJsonBytes, r);
    data.json = std::string(raw.begin(), raw.end());
  }
  return data;
}

json base64urlList(const std::vector<Bytes>& list) {
  json out = json::array();
  for (const auto& item : list) out.push_back(base64urlEncode(item));
  return out;
}

json fido2Fields(const Fido2CredentialData& f) {
  fido2::Aaguid aaguid{};
  if (f.aaguid.size() == aaguid.size()) std::copy(f.aaguid.begin(), f.aaguid.end(), aaguid.begin());
  return {{"fido2_id", base64urlEncode(f.credentialId)},
          {"aaguid", fido2::aaguidToString(aaguid)},
          {"fmt", f.fmt},
          {"attestation", f.attestation},
          {"algorithm", f.algorithm},
          {"sign_count", f.signCount},
          {"uv_required", f.uvRequired},
          {"clone_suspected", f.cloneSuspected}};
}

}  // namespace

Dispatcher::Dispatcher(Core core)
    : core_(core),
      verifier_(core),
      admin_(core),
      fido2Logon_(core),
      fido2Enrolment_(core),
      rate_(core.config.server.requestsPerSecond, core.config.server.requestBurst) {}

boost::asio::awaitable<std::string> Dispatcher::handle(std::string_view line,
                                                       PeerCredentials peer) {
  std::string why;
  auto request = parseProtocolLine(line, &why);
  if (!request) co_return errorResponse(nullptr, err::kBadRequest, why).dump();
  json response = co_await run(*request, peer);
  wipeSecretFields(*request);
  std::string text = response.dump(-1, ' ', false, json::error_handler_t::replace);
  if (response.contains("secret")) {
    auto& secret = response["secret"].get_ref<std::string&>();
    OPENSSL_cleanse(secret.data(), secret.size());
  }
  co_return text;
}

boost::asio::awaitable<json> Dispatcher::run(const json& request, PeerCredentials peer) {
  JsonReader r(request);
  const json id = readId(r);
  auto version = r.requireInt("v", 0, INT32_MAX);
  auto op = r.requireString("op", 32);
  if (!version || !op) co_return errorResponse(id, err::kBadRequest, r.error());
  if (*version != protocol::kVersion) {
    co_return errorResponse(id, err::kUnsupportedVersion, "protocol version must be 1");
  }
  const auto& table = operations();
  auto it = std::find_if(table.begin(), table.end(), [&](const auto& o) { return o.name == *op; });
  if (it == table.end()) co_return errorResponse(id, err::kUnknownOp, "unknown op: " + *op);

  Caller caller{peer.uid, peer.pid, false, {}, {}, {}};
  std::string failure;
  std::string_view code;
  try {
    co_await authorize(*it, request, caller);
    json result = co_await (this->*(it->handler))(r, caller);
    result["v"] = protocol::kVersion;
    result["id"] = id;
    result["ok"] = true;
    co_return result;
  } catch (const OpError& e) {
    code = e.code();
    failure = e.what();
  } catch (const StoreError& e) {
    log::error(std::string("store: ") + e.what());
    code = err::kUnavailable;
    failure = "the database is unavailable";
  } catch (const DirectoryError& e) {
    log::error(std::string("directory: ") + e.what());
    code = err::kUnavailable;
    failure = "the account directory is unavailable";
  } catch (const std::exception& e) {
    log::error(std::string("internal error in ") + *op + ": " + e.what());
    code = err::kInternal;
    failure = "internal error";
  }
  co_return errorResponse(id, code, failure);
}

namespace {

// The account an `account` operation acts for; nullptr when the request names none.
const std::string* requestedUser(const json& request) {
  auto it = request.find("user");
  return it != request.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

}  // namespace

// Roles come from the local system's view of the uid (NSS), whatever the directory backend.
boost::asio::awaitable<Dispatcher::PeerRoles> Dispatcher::rolesOf(std::int64_t uid) {
  if (uid == 0) co_return PeerRoles{"root", true, true};
  if (uid < 0) co_return PeerRoles{};
  auto lookup = [this, uid] {
    PeerRoles roles;
    auto account = core_.directory.findUid(static_cast<uid_t>(uid));
    if (!account) return roles;
    roles.name = account->name;
    const auto& server = core_.config.server;
    roles.admin = !server.adminGroup.empty() && inGroup(*account, server.adminGroup);
    roles.service = !server.serviceGroup.empty() && inGroup(*account, server.serviceGroup);
    return roles;
  };
  co_return co_await offload(core_.blocking, lookup);
}

// Every refusal reads the same whatever account was named, so that a refused caller learns
// nothing about other accounts. Callers other than root and service accounts are rate-limited.
boost::asio::awaitable<void> Dispatcher::authorize(const Operation& op, const json& request,
                                                   Caller& caller) {
  const PeerRoles roles = co_await rolesOf(caller.uid);
  if (!roles.service && !rate_.allow(caller.uid, RequestRate::Clock::now())) {
    throw OpError(err::kBusy, "too many requests; try again in a few seconds");
  }
  caller.admin = roles.admin;
  caller.trusted = roles.service;
  std::string_view refusal;
  std::string user;
  if (op.access == Access::admin && !roles.admin) {
    refusal = "this operation needs root or the admin group";
  } else if (op.access == Access::account && !roles.service) {
    const std::string* requested = requestedUser(request);
    if (requested != nullptr) user = *requested;
    if (requested == nullptr || roles.name.empty() || *requested != roles.name) {
      refusal = "you may only use this operation for your own account";
    }
  }
  if (refusal.empty()) co_return;
  co_await admin_.auditDenied(std::string(op.name), user, caller);
  throw OpError(err::kForbidden, std::string(refusal));
}

boost::asio::awaitable<json> Dispatcher::ping(JsonReader& r, Caller&) {
  finishOrThrow(r);
  co_return json{{"server", "authd"}, {"version", AUTHD_VERSION}, {"protocol", protocol::kVersion}};
}

boost::asio::awaitable<json> Dispatcher::factors(JsonReader& r, Caller& caller) {
  auto user = need(r.requireString("user", protocol::kMaxUserBytes), r);
  caller.service = r.optionalString("service", protocol::kMaxServiceBytes).value_or("");
  finishOrThrow(r);
  FactorsAnswer a = co_await verifier_.factors(user, caller);
  json out = {{"factors", a.factors}, {"locked", a.retryAfter > 0}, {"mfa", a.mfaRequired}};
  if (a.retryAfter > 0) out["retry_after"] = a.retryAfter;
  co_return out;
}

boost::asio::awaitable<json> Dispatcher::verify(JsonReader& r, Caller& caller) {
  auto user = need(r.requireString("user", protocol::kMaxUserBytes), r);
  auto factor = need(r.requireString("factor", 16), r);
  caller.service = r.optionalString("service", protocol::kMaxServiceBytes).value_or("");
  caller.rhost = r.optionalString("rhost", protocol::kMaxHostBytes).value_or("");
  caller.tty = r.optionalString("tty", protocol::kMaxHostBytes).value_or("");
  if (factor == "fido2") co_return co_await verifyFido2(r, user, caller);
  if (factor != "totp") throw OpError(err::kBadRequest, "factor must be \"totp\" or \"fido2\"");
  auto code = need(r.requireString("code", protocol::kMaxCodeBytes), r);
  auto password = readPassword(r);
  finishOrThrow(r);
  VerifyAnswer a = co_await verifier_.verifyTotp(user, code, caller, std::move(password));
  OPENSSL_cleanse(code.data(), code.size());
  co_return verifyResult(a);
}

boost::asio::awaitable<json> Dispatcher::verifyFido2(JsonReader& r, const std::string& user,
                                                     Caller& caller) {
  Fido2AssertionRequest request;
  request.user = user;
  request.challenge = needBytes(r, "challenge", kMaxChallengeBytes);
  request.credentialId = needBytes(r, "credential", kMaxCredentialIdBytes);
  request.authData = needBytes(r, "auth_data", kMaxAssertionAuthDataBytes);
  request.signature = needBytes(r, "signature", kMaxSignatureBytes);
  request.clientData = readClientData(r);
  request.password = readPassword(r);
  finishOrThrow(r);
  VerifyAnswer a = co_await fido2Logon_.verify(std::move(request), caller);
  json out = verifyResult(a);
  if (a.decision == Decision::accept) out["message"] = "Security key accepted.";
  co_return out;
}

boost::asio::awaitable<json> Dispatcher::fido2Begin(JsonReader& r, Caller& caller) {
  auto user = need(r.requireString("user", protocol::kMaxUserBytes), r);
  caller.service = r.optionalString("service", protocol::kMaxServiceBytes).value_or("");
  finishOrThrow(r);
  Fido2BeginAnswer a = co_await fido2Logon_.begin(user, caller);
  co_return json{{"challenge", base64urlEncode(a.challenge)},
                 {"rp_id", core_.config.fido2.rpId},
                 {"allow", base64urlList(a.allow)},
                 {"uv", a.uv},
                 {"timeout", a.timeout}};
}

boost::asio::awaitable<json> Dispatcher::fido2RegisterBegin(JsonReader& r, Caller& caller) {
  Fido2RegisterBeginRequest req;
  req.user = need(r.requireString("user", protocol::kMaxUserBytes), r);
  req.label = r.optionalString("label", protocol::kMaxLabelBytes).value_or(req.label);
  req.resident = r.optionalBool("resident").value_or(false);
  req.uv = r.optionalString("uv", 16);
  finishOrThrow(r);
  Fido2RegisterBeginAnswer a = co_await fido2Enrolment_.begin(req, caller);
  co_return json{{"challenge", base64urlEncode(a.challenge)},
                 {"rp_id", core_.config.fido2.rpId},
                 {"rp_name", core_.config.fido2.rpName},
                 {"user_handle", base64urlEncode(a.userHandle)},
                 {"user_name", a.userName},
                 {"user_display_name", a.userDisplayName},
                 {"algorithms", fido2Algorithms()},
                 {"exclude", base64urlList(a.exclude)},
                 {"resident", a.resident},
                 {"uv", a.uv},
                 {"attestation", core_.config.fido2.attestation},
                 {"timeout", a.timeout}};
}

boost::asio::awaitable<json> Dispatcher::fido2RegisterFinish(JsonReader& r, Caller& caller) {
  Fido2RegisterFinishRequest req;
  req.user = need(r.requireString("user", protocol::kMaxUserBytes), r);
  req.challenge = needBytes(r, "challenge", kMaxChallengeBytes);
  req.fmt = need(r.requireString("fmt", 32), r);
  req.authData = needBytes(r, "auth_data", kMaxRegistrationAuthDataBytes);
  req.attStmt = needBytes(r, "att_stmt", kMaxAttStmtBytes);
  req.clientData = readClientData(r);
  finishOrThrow(r);
  Fido2RegisterFinishAnswer a = co_await fido2Enrolment_.finish(std::move(req), caller);
  const auto& c = a.credential;
  co_return json{{"credential_id", a.credentialId},
                 {"fido2_id", base64urlEncode(c.credentialId)},
                 {"aaguid", fido2::aaguidToString(c.aaguid)},
                 {"attestation", fido2::toString(c.attestation)},
                 {"fmt", c.fmt},
                 {"algorithm", c.algorithm}};
}

boost::asio::awaitable<json> Dispatcher::fido2Reinstate(JsonReader& r, Caller& caller) {
  auto user = need(r.requireString("user", protocol::kMaxUserBytes), r);
  auto id = need(r.requireInt("credential_id", 1, kMaxJsonSafeInt), r);
  finishOrThrow(r);
  co_await fido2Enrolment_.reinstate(user, id, caller);
  co_return json{{"reinstated", id}};
}

boost::asio::awaitable<json> Dispatcher::enrollTotp(JsonReader& r, Caller& caller) {
  EnrollTotpRequest req;
  req.user = need(r.requireString("user", protocol::kMaxUserBytes), r);
  req.label = r.optionalString("label", protocol::kMaxLabelBytes).value_or("authenticator");
  if (auto d = r.optionalInt("digits", 6, 8)) req.digits = static_cast<int>(*d);
  req.algorithm = r.optionalString("algorithm", 16);
  req.confirm = r.optionalBool("confirm").value_or(true);
  finishOrThrow(r);
  EnrollTotpAnswer a = co_await admin_.enrollTotp(req, caller);
  json out = {{"credential_id", a.credentialId},
              {"state", toString(a.state)},
              {"secret", a.secretBase32},
              {"uri", a.uri}};
  OPENSSL_cleanse(a.secretBase32.data(), a.secretBase32.size());
  OPENSSL_cleanse(a.uri.data(), a.uri.size());
  co_return out;
}

boost::asio::awaitable<json> Dispatcher::confirmTotp(JsonReader& r, Caller& caller) {
  auto user = need(r.requireString("user", protocol::kMaxUserBytes), r);
  auto id = need(r.requireInt("credential_id", 1, kMaxJsonSafeInt), r);
  auto code = need(r.requireString("code", protocol::kMaxCodeBytes), r);
  finishOrThrow(r);
  VerifyAnswer a = co_await admin_.confirmTotp(user, id, code, caller);
  OPENSSL_cleanse(code.data(), code.size());
  json out = verifyResult(a);
  if (a.decision == Decision::accept) out["message"] = "Credential confirmed and active.";
  co_return out;
}

boost::asio::awaitable<json> Dispatcher::list(JsonReader& r, Caller& caller) {
  auto user = r.optionalString("user", protocol::kMaxUserBytes);
  finishOrThrow(r);
  CredentialListing listing = co_await admin_.list(user, caller);
  co_return listingJson(listing);
}

boost::asio::awaitable<json> Dispatcher::show(JsonReader& r, Caller& caller) {
  auto user = need(r.requireString("user", protocol::kMaxUserBytes), r);
  finishOrThrow(r);
  AccountReport report = co_await admin_.show(user, caller);
  const Account& a = report.account;
  const EffectivePolicy& p = report.policy;
  json out = listingJson(report.listing);
  out["account"] = {{"name", a.name},        {"id", a.id}, {"display_name", a.displayName},
                    {"mail", a.mail},        {"dn", a.dn}, {"groups", a.groups},
                    {"disabled", a.disabled}};
  out["policy"] = {{"mfa_required", p.mfaRequired},
                   {"mfa_because", p.mfaBecause},
                   {"factors", p.factors},
                   {"uv_required", p.uvRequired},
                   {"rules", p.rules}};
  co_return out;
}

boost::asio::awaitable<json> Dispatcher::revoke(JsonReader& r, Caller& caller) {
  auto user = need(r.requireString("user", protocol::kMaxUserBytes), r);
  auto id = need(r.requireInt("credential_id", 1, kMaxJsonSafeInt), r);
  finishOrThrow(r);
  co_await admin_.revoke(user, id, caller);
  co_return json{{"revoked", id}};
}

boost::asio::awaitable<json> Dispatcher::unlock(JsonReader& r, Caller& caller) {
  auto user = need(r.requireString("user", protocol::kMaxUserBytes), r);
  finishOrThrow(r);
  std::int64_t cleared = co_await admin_.unlock(user, caller);
  co_return json{{"user", user}, {"cleared_failures", cleared}};
}

boost::asio::awaitable<json> Dispatcher::audit(JsonReader& r, Caller& caller) {
  AuditQuery q;
  q.user = r.optionalString("user", protocol::kMaxUserBytes);
  q.since = r.optionalInt("since", 0, kMaxJsonSafeInt).value_or(0);
  q.limit = static_cast<int>(r.optionalInt("limit", 1, 1000).value_or(100));
  finishOrThrow(r);
  json events = json::array();
  // A co_await in a range-for initializer trips GCC 12's coroutine lowering: bind it first.
  const std::vector<AuditEvent> found = co_await admin_.audit(q, caller);
  for (const auto& e : found) {
    events.push_back({{"time", e.time},
                      {"user", e.user},
                      {"op", e.op},
                      {"factor", e.factor},
                      {"credential_id", e.credentialId ? json(*e.credentialId) : json(nullptr)},
                      {"result", e.result},
                      {"reason", e.reason},
                      {"service", e.service},
                      {"rhost", e.rhost},
                      {"tty", e.tty},
                      {"uid", e.peerUid},
                      {"pid", e.peerPid},
                      {"count", e.count},
                      {"last_time", e.lastTime}});
  }
  co_return json{{"events", events}};
}

}  // namespace authd
