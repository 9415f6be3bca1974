#include "authd/admin/admin.h"

#include <liboath/oath.h>
#include <openssl/crypto.h>

#include <boost/asio/use_awaitable.hpp>
#include <cstdlib>

#include "authd/base/async.h"
#include "authd/base/op_error.h"
#include "authd/logon/account_gate.h"
#include "authd/logon/totp.h"
#include "authd/logon/totp_seal.h"
#include "authd/otpauth_uri.h"
#include "authd/protocol.h"
#include "authd/wipe.h"

namespace authd {

namespace err = protocol::error;

namespace {

// RFC 4648 base32 without padding, as authenticator apps expect it.
std::string base32(const SecretBytes& secret) {
  char* out = nullptr;
  size_t outLen = 0;
  if (oath_base32_encode(reinterpret_cast<const char*>(secret.data()), secret.size(), &out,
                         &outLen) != OATH_OK) {
    throw std::runtime_error("oath_base32_encode failed");
  }
  std::string encoded(out, outLen);
  OPENSSL_cleanse(out, outLen);
  std::free(out);
  encoded.erase(encoded.find_last_not_of('=') + 1);
  return encoded;
}

std::string otpauthUriFor(const std::string& issuer, const std::string& user,
                          const std::string& secretBase32, const TotpSpec& spec) {
  OtpauthUri uri;
  uri.issuer = issuer;
  uri.account = user;
  uri.secret = secretBase32;
  uri.algorithm = spec.algorithm;
  uri.digits = spec.digits;
  uri.period = kTotpStepSeconds;
  std::string error;
  auto built = buildOtpauthUri(uri, &error);
  // Issuer and user passed config and protocol checks; a refusal here is a bug, not input.
  if (!built) throw std::runtime_error("cannot build otpauth URI: " + error);
  std::string text = std::move(*built);  // a copy would leave the secret in freed memory
  wipeString(*built);
  return text;
}

TotpSpec resolveSpec(const EnrollTotpRequest& r, const Config& config) {
  TotpSpec spec;
  auto algorithm = totpAlgorithmFrom(r.algorithm.value_or(config.totp.algorithm));
  if (!algorithm) throw OpError(err::kBadRequest, "algorithm must be sha1, sha256 or sha512");
  spec.algorithm = *algorithm;
  spec.digits = r.digits.value_or(config.totp.digits);
  if (spec.digits != 6 && spec.digits != 8)
    throw OpError(err::kBadRequest, "digits must be 6 or 8");
  return spec;
}

}  // namespace

AuditEvent adminAuditEvent(std::int64_t now, std::string op, std::string user,
                           const Caller& caller) {
  AuditEvent e = callerAuditEvent(caller, now, std::move(user), std::move(op));
  e.result = "ok";
  e.reason = "ok";
  return e;
}

// Callers pass a named TxnWork: GCC 12 destroys a capturing lambda written inside a co_await
// expression twice, so no lambda may be built there.
boost::asio::awaitable<void> commitDurably(Store& store, const Store::TxnWork& work) {
  bool ok = co_await asyncWrite(store, work, boost::asio::use_awaitable);
  if (!ok) throw StoreError("the change could not be stored");
}

AuditEvent AdminService::event(std::string op, std::string user, const Caller& caller) const {
  return adminAuditEvent(core_.clock(), std::move(op), std::move(user), caller);
}

boost::asio::awaitable<void> AdminService::commit(const Store::TxnWork& work) {
  co_await commitDurably(core_.store, work);
}

boost::asio::awaitable<EnrollTotpAnswer> AdminService::enrollTotp(EnrollTotpRequest request,
                                                                  Caller caller) {
  const TotpSpec spec = resolveSpec(request, core_.config);
  auto lookup = [&] { return core_.directory.findUser(request.user); };
  const std::optional<Account> account = co_await offload(core_.blocking, lookup);
  if (!account) throw OpError(err::kNotFound, "no such account: " + request.user);

  SecretBytes secret(totpSecretBytes(spec.algorithm));
  core_.random(secret.data(), secret.size());
  CredentialRecord record;
  record.user = request.user;
  record.owner = account->id;
  record.factor = "totp";
  record.label = request.label;
  record.state = request.confirm ? CredentialState::pending : CredentialState::active;
  record.algorithm = toString(spec.algorithm);
  record.digits = spec.digits;
  record.createdAt = core_.clock();

  EnrollTotpAnswer answer;
  AuditEvent audit = event("enroll", request.user, caller);
  audit.factor = "totp";
  // The seal names the row's id: insert without a secret, then seal, in the one transaction.
  Store::TxnWork insert = [&](StoreTxn& txn) {
    record.id = txn.insertCredential(record);
    if (!txn.putSealedSecret(record.id, core_.box.seal(secret, totpSealContext(record)))) {
      throw StoreError("the new credential vanished before its secret was stored");
    }
    answer.credentialId = record.id;
    audit.credentialId = answer.credentialId;
    txn.appendAudit(audit);
  };
  co_await commit(insert);
  answer.state = record.state;
  answer.secretBase32 = base32(secret);
  answer.uri = otpauthUriFor(core_.config.totp.issuer, request.user, answer.secretBase32, spec);
  co_return answer;
}

boost::asio::awaitable<VerifyAnswer> AdminService::confirmTotp(std::string user,
                                                               std::int64_t credentialId,
                                                               std::string code, Caller caller) {
  auto load = [&] { return core_.store.credential(credentialId); };
  auto record = co_await offload(core_.blocking, load);
  if (!record || record->user != user || record->state == CredentialState::revoked) {
    throw OpError(err::kNotFound, "no credential " + std::to_string(credentialId) + " of " + user);
  }
  if (record->state != CredentialState::pending) {
    throw OpError(err::kConflict, "credential " + std::to_string(credentialId) + " is not pending");
  }
  auto secret = openTotpSecret(core_.box, *record);
  auto algorithm = totpAlgorithmFrom(record->algorithm);
  if (!secret || !algorithm) throw OpError(err::kInternal, "the credential cannot be unsealed");

  VerifyAnswer answer;
  AuditEvent audit = event("confirm", user, caller);
  audit.factor = "totp";
  audit.credentialId = credentialId;
  auto normalized = normalizeCode(code);
  std::vector<std::int64_t> steps;
  if (normalized) {
    steps = matchTotp(*secret, {*algorithm, record->digits}, *normalized, core_.clock(),
                      core_.config.totp.window);
  }
  Store::TxnWork activate = [&](StoreTxn& txn) {
    if (!steps.empty() &&
        txn.activateCredential(credentialId, storedUnder(user), steps.back(), core_.clock())) {
      answer.decision = Decision::accept;
      answer.reason = LogonReason::ok;
      answer.credentialId = credentialId;
    } else {
      answer.reason = normalized ? LogonReason::wrongCode : LogonReason::malformedCode;
    }
    audit.result = toString(answer.decision);
    audit.reason = toString(answer.reason);
    txn.appendAudit(audit);
  };
  co_await commit(activate);
  co_return answer;
}

boost::asio::awaitable<CredentialListing> AdminService::list(std::optional<std::string> user,
                                                             Caller caller) {
  auto read = [&] {
    CredentialListing l{core_.store.listCredentials(user), core_.store.listLocks(user)};
    for (auto& c : l.credentials) c.sealedSecret.clear();
    return l;
  };
  CredentialListing listing = co_await offload(core_.blocking, read);
  AuditEvent audit = event("list", user.value_or(""), caller);
  Store::TxnWork record = [&](StoreTxn& txn) { txn.appendAudit(audit); };
  co_await commit(record);
  co_return listing;
}

boost::asio::awaitable<AccountReport> AdminService::show(std::string user, Caller caller) {
  auto read = [&] {
    std::optional<AccountReport> report;
    auto account = core_.directory.findUser(user);
    if (!account) return report;
    report = AccountReport{*account, effectivePolicy(core_.config, *account), {}, {}};
    // The account's own counter, whichever of its login names the failures were typed with.
    LockState lock = core_.store.lockState(lockKeyOf(*account));
    if (lock.failures != 0) report->listing.locks.push_back(std::move(lock));
    for (auto& c : core_.store.credentials(principalOf(*account))) {
      if (c.state == CredentialState::revoked) continue;
      c.sealedSecret.clear();
      report->listing.credentials.push_back(std::move(c));
    }
    report->offlineGrants = core_.store.offlineGrants(principalOf(*account));
    return report;
  };
  std::optional<AccountReport> report = co_await offload(core_.blocking, read);
  AuditEvent audit = event("show", user, caller);
  if (!report) audit.result = "not_found";
  Store::TxnWork record = [&](StoreTxn& txn) { txn.appendAudit(audit); };
  co_await commit(record);
  if (!report) throw OpError(protocol::error::kNotFound, "the directory has no account " + user);
  co_return std::move(*report);
}

boost::asio::awaitable<void> AdminService::revoke(std::string user, std::int64_t credentialId,
                                                  Caller caller) {
  bool revoked = false;
  AuditEvent audit = event("revoke", user, caller);
  audit.credentialId = credentialId;
  Store::TxnWork revokeIt = [&](StoreTxn& txn) {
    revoked = txn.revokeCredential(credentialId, storedUnder(user));
    if (!revoked) audit.result = "error", audit.reason = "not_found";
    // Offline entries list the user's keys: withdrawn, and issued anew at the next online logon.
    if (revoked) txn.revokeOfflineGrants(storedUnder(user), std::nullopt);
    txn.appendAudit(audit);
  };
  co_await commit(revokeIt);
  if (!revoked) {
    throw OpError(err::kNotFound, "no credential " + std::to_string(credentialId) + " of " + user);
  }
}

boost::asio::awaitable<std::int64_t> AdminService::unlock(std::string user, Caller caller) {
  // Failures count per account id: the name may be any of the account's login names.
  auto lookup = [&] { return core_.directory.findUser(user); };
  const std::optional<Account> account = co_await offload(core_.blocking, lookup);
  const Principal who = account ? Principal{user, account->id} : Principal{user};
  std::int64_t cleared = 0;
  AuditEvent audit = event("unlock", user, caller);
  Store::TxnWork reset = [&](StoreTxn& txn) {
    cleared = txn.clearLocks(who);
    txn.appendAudit(audit);
  };
  co_await commit(reset);
  co_return cleared;
}

boost::asio::awaitable<std::int64_t> AdminService::offlineRevoke(std::string user,
                                                                 std::optional<std::string> device,
                                                                 Caller caller) {
  auto lookup = [&] { return core_.directory.findUser(user); };
  const std::optional<Account> account = co_await offload(core_.blocking, lookup);
  const Principal who = account ? principalOf(*account) : storedUnder(user);
  std::int64_t withdrawn = 0;
  AuditEvent audit = event("offline_revoke", user, caller);
  if (device) audit.reason = "device=" + *device;
  Store::TxnWork revokeThem = [&](StoreTxn& txn) {
    withdrawn = txn.revokeOfflineGrants(who, device);
    txn.appendAudit(audit);
  };
  co_await commit(revokeThem);
  co_return withdrawn;
}

boost::asio::awaitable<std::vector<AuditEvent>> AdminService::audit(AuditQuery query,
                                                                    Caller caller) {
  auto search = [&] { return core_.store.audit(query); };
  auto events = co_await offload(core_.blocking, search);
  AuditEvent audit = event("audit", query.user.value_or(""), caller);
  Store::TxnWork record = [&](StoreTxn& txn) { txn.appendAudit(audit); };
  co_await commit(record);
  co_return events;
}

boost::asio::awaitable<SessionListing> AdminService::sessions(SessionQuery query, Caller caller) {
  query.staleBefore = core_.clock() - kStaleSessionSeconds;
  auto read = [&] {
    return SessionListing{core_.store.sessions(query), core_.store.openSessionCount(),
                          core_.config.radius.licenceLimit};
  };
  SessionListing listing = co_await offload(core_.blocking, read);
  AuditEvent audit = event("sessions", query.user.value_or(""), caller);
  Store::TxnWork record = [&](StoreTxn& txn) { txn.appendAudit(audit); };
  co_await commit(record);
  co_return listing;
}

boost::asio::awaitable<void> AdminService::auditDenied(std::string op, std::string user,
                                                       Caller caller) {
  AuditEvent audit = event(std::move(op), std::move(user), caller);
  audit.result = "denied";
  audit.reason = "forbidden";
  Store::TxnWork record = [&](StoreTxn& txn) { txn.appendAudit(audit); };
  co_await commit(record);
}

}  // namespace authd
