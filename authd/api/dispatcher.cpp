#include "authd/api/dispatcher.h"

#include <algorithm>

#include "authd/api/caller_roles.h"
#include "authd/api/error_answer.h"
#include "authd/api/requests.h"
#include "authd/base/log.h"
#include "authd/base/op_error.h"
#include "authd/base64url.h"
#include "authd/directory/account_lookup.h"
#include "authd/logon/offline_sync.h"
#include "authd/logon/policy.h"
#include "authd/protocol.h"
#include "authd/wipe.h"

namespace authd {

namespace err = protocol::error;
using nlohmann::json;

const std::vector<Dispatcher::Operation>& Dispatcher::operations() {
  using D = Dispatcher;
  static const std::vector<D::Operation> table = {
      {"ping", &D::ping},
      {"factors", &D::factors},
      {"verify", &D::verify},
      {"enroll_totp", &D::enrollTotp},
      {"confirm_totp", &D::confirmTotp},
      {"list", &D::list},
      {"show", &D::show},
      {"revoke", &D::revoke},
      {"unlock", &D::unlock},
      {"audit", &D::audit},
      {"fido2_begin", &D::fido2Begin},
      {"fido2_register_begin", &D::fido2RegisterBegin},
      {"fido2_register_finish", &D::fido2RegisterFinish},
      {"fido2_reinstate", &D::fido2Reinstate},
      {"offline_revoke", &D::offlineRevoke},
      {"offline_sync", &D::offlineSync},
      {"sessions", &D::sessions},
  };
  return table;
}

namespace {

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

json sessionJson(const SessionRecord& s) {
  json out = {{"user", s.user},
              {"client", s.client},
              {"session_id", s.sessionId},
              {"nas_identifier", s.nasIdentifier},
              {"nas_ip", s.nasIp},
              {"calling_station", s.callingStation},
              {"framed_ip", s.framedIp},
              {"started", s.started},
              {"last_seen", s.lastSeen},
              {"session_time", s.sessionTime},
              {"input_octets", s.inputOctets},
              {"output_octets", s.outputOctets},
              {"stale", s.stale}};
  if (s.stopped) out["stopped"] = *s.stopped;
  if (s.stopped && s.stopCause) out["stop_cause"] = *s.stopCause;
  return out;
}

}  // namespace

Dispatcher::Dispatcher(Core core)
    : core_(core),
      totpLogon_(core),
      admin_(core),
      fido2Logon_(core),
      fido2Enrolment_(core),
      rate_(core.config.server.requestsPerSecond, core.config.server.requestBurst) {}

boost::asio::awaitable<std::string> Dispatcher::handle(std::string_view line,
                                                       PeerCredentials peer) {
  std::string why;
  auto request = parseProtocolLine(line, &why);
  if (!request) co_return errorAnswer(nullptr, err::kBadRequest, why).dump();
  json response = co_await run(*request, peer);
  wipeSecretFields(*request);  // what the user typed
  std::string text = response.dump(-1, ' ', false, json::error_handler_t::replace);
  wipeSecretFields(response);  // an enrolment's secret and otpauth URI
  co_return text;
}

boost::asio::awaitable<json> Dispatcher::run(const json& request, PeerCredentials peer) {
  JsonReader r(request);
  const json id = readId(r);
  auto version = r.requireInt("v", 0, INT32_MAX);
  auto op = r.requireString("op", 32);
  if (!version || !op) co_return errorAnswer(id, err::kBadRequest, r.error());
  if (*version != protocol::kVersion) {
    co_return errorAnswer(id, err::kUnsupportedVersion, "protocol version must be 1");
  }
  const auto& table = operations();
  auto it = std::find_if(table.begin(), table.end(), [&](const auto& o) { return o.name == *op; });
  if (it == table.end()) co_return errorAnswer(id, err::kUnknownOp, "unknown op: " + *op);

  Caller caller{peer.uid, peer.pid, false, {}, {}, {}, false, peer.certificateName};
  std::string failure;
  std::string_view code;
  try {
    co_await authorize(*it, request, peer, caller);
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
  co_return errorAnswer(id, code, failure);
}

// Every refusal reads the same whatever account was named, so that a refused caller learns
// nothing about other accounts. Local callers other than root and service accounts are
// rate-limited, and every network peer (one device must not starve the others).
boost::asio::awaitable<void> Dispatcher::authorize(const Operation& op, const json& request,
                                                   const PeerCredentials& peer, Caller& caller) {
  const CallerRoles roles =
      co_await rolesOf(peer, core_.directory, core_.blocking, core_.config.server);
  const bool network = !peer.certificateName.empty();
  const bool limited = network || !roles.service;
  if (limited && !rate_.allow(network ? peer.rateKey : caller.uid, RequestRate::Clock::now())) {
    throw OpError(err::kBusy, "too many requests; try again in a few seconds");
  }
  caller.admin = roles.admin;
  caller.trusted = roles.service;
  const std::string* requested = requestedUser(request);
  // An operation without an access class falls to the strictest rule.
  const std::string_view refusal =
      accessRefusal(accessOf(op.name).value_or(Access::admin), roles, requested);
  const std::string user = requested != nullptr ? *requested : std::string();
  if (refusal.empty()) co_return;
  co_await admin_.auditDenied(std::string(op.name), user, caller);
  throw OpError(err::kForbidden, std::string(refusal));
}

boost::asio::awaitable<json> Dispatcher::ping(JsonReader& r, Caller&) {
  readPing(r);
  co_return json{{"server", "authd"}, {"version", AUTHD_VERSION}, {"protocol", protocol::kVersion}};
}

boost::asio::awaitable<json> Dispatcher::factors(JsonReader& r, Caller& caller) {
  AccountQueryRequest req = readFactors(r);
  caller.service = std::move(req.service);
  FactorsAnswer a = co_await totpLogon_.factors(req.user, caller);
  json out = {{"factors", a.factors}, {"locked", a.retryAfter > 0}, {"mfa", a.mfaRequired}};
  if (a.retryAfter > 0) out["retry_after"] = a.retryAfter;
  co_return out;
}

boost::asio::awaitable<json> Dispatcher::verify(JsonReader& r, Caller& caller) {
  VerifyRequest req = readVerify(r);
  caller.service = req.service;
  caller.rhost = req.rhost;
  caller.tty = req.tty;
  if (req.factor == VerifyFactor::fido2) co_return co_await verifyFido2(req, caller);
  VerifyAnswer a =
      co_await totpLogon_.verifyTotp(req.user, req.code, caller, std::move(req.password));
  co_return verifyResult(a);  // req's destructor wipes its code and password
}

boost::asio::awaitable<json> Dispatcher::verifyFido2(VerifyRequest& req, Caller& caller) {
  Fido2AssertionRequest request;
  request.user = req.user;
  request.challenge = std::move(req.fido2.challenge);
  request.credentialId = std::move(req.fido2.credentialId);
  request.authData = std::move(req.fido2.authData);
  request.signature = std::move(req.fido2.signature);
  request.clientData = std::move(req.fido2.clientData);
  request.password = std::move(req.password);
  VerifyAnswer a = co_await fido2Logon_.verify(std::move(request), caller);
  json out = verifyResult(a);
  if (a.decision == Decision::accept) out["message"] = "Security key accepted.";
  if (a.offlineEntry) out["offline_entry"] = std::move(*a.offlineEntry);
  co_return out;
}

boost::asio::awaitable<json> Dispatcher::fido2Begin(JsonReader& r, Caller& caller) {
  AccountQueryRequest req = readFido2Begin(r);
  caller.service = std::move(req.service);
  Fido2BeginAnswer a = co_await fido2Logon_.begin(req.user, caller);
  co_return json{{"challenge", base64urlEncode(a.challenge)},
                 {"rp_id", core_.config.fido2.rpId},
                 {"allow", base64urlList(a.allow)},
                 {"uv", a.uv},
                 {"timeout", a.timeout}};
}

boost::asio::awaitable<json> Dispatcher::fido2RegisterBegin(JsonReader& r, Caller& caller) {
  Fido2RegisterBeginRequest req = readFido2RegisterBegin(r);
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
  Fido2RegisterFinishRequest req = readFido2RegisterFinish(r);
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
  CredentialRequest req = readFido2Reinstate(r);
  co_await fido2Enrolment_.reinstate(req.user, req.credentialId, caller);
  co_return json{{"reinstated", req.credentialId}};
}

boost::asio::awaitable<json> Dispatcher::enrollTotp(JsonReader& r, Caller& caller) {
  EnrollTotpRequest req = readEnrollTotp(r);
  EnrollTotpAnswer a = co_await admin_.enrollTotp(req, caller);
  json out = {{"credential_id", a.credentialId},
              {"state", toString(a.state)},
              {"secret", a.secretBase32},
              {"uri", a.uri}};
  wipeString(a.secretBase32);  // handle() wipes the copies in `out` once it is serialised
  wipeString(a.uri);
  co_return out;
}

boost::asio::awaitable<json> Dispatcher::confirmTotp(JsonReader& r, Caller& caller) {
  ConfirmTotpRequest req = readConfirmTotp(r);
  VerifyAnswer a = co_await admin_.confirmTotp(req.user, req.credentialId, req.code, caller);
  json out = verifyResult(a);
  if (a.decision == Decision::accept) out["message"] = "Credential confirmed and active.";
  co_return out;  // req's destructor wipes its code
}

boost::asio::awaitable<json> Dispatcher::list(JsonReader& r, Caller& caller) {
  ListRequest req = readList(r);
  CredentialListing listing = co_await admin_.list(req.user, caller);
  co_return listingJson(listing);
}

boost::asio::awaitable<json> Dispatcher::show(JsonReader& r, Caller& caller) {
  AccountRequest req = readShow(r);
  AccountReport report = co_await admin_.show(req.user, caller);
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
                   {"rules", p.rules},
                   {"offline", p.offlineAllowed},
                   {"offline_max_age_days", p.offlineMaxAgeDays},
                   {"offline_uv_required", p.offlineUvRequired}};
  json devices = json::array();
  for (const auto& g : report.offlineGrants) {
    devices.push_back({{"device", g.device},
                       {"issued", g.issued},
                       {"expires", g.expires},
                       {"revoked", g.revoked}});
  }
  out["offline_entries"] = std::move(devices);
  co_return out;
}

boost::asio::awaitable<json> Dispatcher::offlineRevoke(JsonReader& r, Caller& caller) {
  OfflineRevokeRequest req = readOfflineRevoke(r);
  const std::int64_t withdrawn = co_await admin_.offlineRevoke(req.user, req.device, caller);
  co_return json{{"user", req.user}, {"withdrawn", withdrawn}};
}

boost::asio::awaitable<json> Dispatcher::offlineSync(JsonReader& r, Caller& caller) {
  OfflineSyncRequest req = readOfflineSync(r);
  OfflineSyncAnswer a = co_await syncOfflineEntries(core_, std::move(req), caller);
  co_return json{{"keep", a.keep}, {"logons_recorded", a.logonsRecorded}};
}

boost::asio::awaitable<json> Dispatcher::sessions(JsonReader& r, Caller& caller) {
  const SessionQuery q = readSessions(r);
  // Bound before the range-for: GCC 12 and co_await in a range-for initializer (see audit).
  const SessionListing listing = co_await admin_.sessions(q, caller);
  json rows = json::array();
  for (const auto& s : listing.sessions) rows.push_back(sessionJson(s));
  co_return json{{"sessions", std::move(rows)},
                 {"open", listing.open},
                 {"licence_limit", listing.licenceLimit}};
}

boost::asio::awaitable<json> Dispatcher::revoke(JsonReader& r, Caller& caller) {
  CredentialRequest req = readRevoke(r);
  co_await admin_.revoke(req.user, req.credentialId, caller);
  co_return json{{"revoked", req.credentialId}};
}

boost::asio::awaitable<json> Dispatcher::unlock(JsonReader& r, Caller& caller) {
  AccountRequest req = readUnlock(r);
  std::int64_t cleared = co_await admin_.unlock(req.user, caller);
  co_return json{{"user", req.user}, {"cleared_failures", cleared}};
}

boost::asio::awaitable<json> Dispatcher::audit(JsonReader& r, Caller& caller) {
  const AuditQuery q = readAudit(r);
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
                      {"device", e.device},
                      {"uid", e.peerUid},
                      {"pid", e.peerPid},
                      {"count", e.count},
                      {"last_time", e.lastTime}});
  }
  co_return json{{"events", events}};
}

}  // namespace authd
