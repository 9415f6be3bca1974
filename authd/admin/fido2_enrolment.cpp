#include "authd/admin/fido2_enrolment.h"

#include <boost/asio/use_awaitable.hpp>

#include "authd/admin/admin.h"
#include "authd/base/async.h"
#include "authd/base/op_error.h"
#include "authd/logon/account_gate.h"
#include "authd/logon/fido2_policy.h"
#include "authd/protocol.h"

namespace authd {

namespace err = protocol::error;

namespace {

constexpr std::size_t kChallengeBytes = 32;
constexpr std::size_t kUserHandleBytes = 16;

struct UserKeys {
  bool known = false;
  std::vector<Bytes> exclude;
  Bytes userHandle;   // of the user's existing keys, if any
  std::string owner;  // the account's stable directory id
  std::string displayName;
  bool uvRequired = false;  // a group rule requires user verification
};

}  // namespace

const std::vector<int>& fido2Algorithms() {
  static const std::vector<int> algorithms = {fido2::kEs256, fido2::kEdDsa, fido2::kRs256};
  return algorithms;
}

AuditEvent Fido2Enrolment::event(std::string op, std::string user, const Caller& caller) const {
  AuditEvent e = adminAuditEvent(core_.clock(), std::move(op), std::move(user), caller);
  e.factor = "fido2";
  return e;
}

boost::asio::awaitable<void> Fido2Enrolment::commit(const Store::TxnWork& work) {
  co_await commitDurably(core_.store, work);
}

boost::asio::awaitable<void> Fido2Enrolment::refuse(AuditEvent audit, std::string_view code,
                                                    const std::string& reason) {
  audit.result = "error";
  audit.reason = reason;
  Store::TxnWork record = [&](StoreTxn& txn) { txn.appendAudit(audit); };
  co_await commit(record);
  throw OpError(code, "registration refused: " + reason);
}

boost::asio::awaitable<Fido2RegisterBeginAnswer> Fido2Enrolment::begin(
    Fido2RegisterBeginRequest request, Caller caller) {  // nothing changes, nothing to audit
  std::string uv = request.uv.value_or(core_.config.fido2.userVerification);
  if (uv != "required" && uv != "preferred" && uv != "discouraged") {
    throw OpError(err::kBadRequest, "uv must be required, preferred or discouraged");
  }
  auto load = [&] {
    UserKeys keys;
    auto account = core_.directory.findUser(request.user);
    keys.known = account.has_value();
    if (!keys.known) return keys;
    keys.owner = account->id;
    keys.displayName = account->displayName;
    keys.uvRequired = effectivePolicy(core_.config, *account).uvRequired;
    for (const auto& c : core_.store.credentials(principalOf(*account))) {
      if (!c.fido2 || c.state == CredentialState::revoked) continue;
      keys.exclude.push_back(c.fido2->credentialId);
      if (keys.userHandle.empty()) keys.userHandle = c.fido2->userHandle;
    }
    return keys;
  };
  UserKeys keys = co_await offload(core_.blocking, load);
  if (!keys.known) throw OpError(err::kNotFound, "no such account: " + request.user);
  // A group rule that requires UV at logon asks for a PIN-capable enrolment unless the admin
  // chose explicitly.
  if (!request.uv && keys.uvRequired) uv = "required";

  Fido2RegisterBeginAnswer answer;
  answer.challenge.resize(kChallengeBytes);
  core_.random(answer.challenge.data(), answer.challenge.size());
  answer.userHandle = keys.userHandle;
  if (answer.userHandle.empty()) {
    answer.userHandle.resize(kUserHandleBytes);
    core_.random(answer.userHandle.data(), answer.userHandle.size());
  }
  answer.userName = request.user;
  answer.userDisplayName = keys.displayName.empty() ? request.user : keys.displayName;
  answer.exclude = std::move(keys.exclude);
  answer.resident = request.resident;
  answer.uv = uv;
  answer.timeout = core_.config.fido2.challengeTtl;

  ChallengeGrant grant;
  grant.purpose = ChallengeGrant::Purpose::registration;
  grant.user = request.user;
  grant.owner = keys.owner;
  grant.label = request.label;
  grant.resident = request.resident;
  grant.uv = uv;
  grant.userHandle = answer.userHandle;
  grant.issuerUid = caller.uid;
  const std::int64_t now = core_.clock();
  grant.expiresAt = now + answer.timeout;
  issueChallenge(core_.fido2.challenges, answer.challenge, std::move(grant), now);
  co_return answer;
}

boost::asio::awaitable<Fido2RegisterFinishAnswer> Fido2Enrolment::finish(
    Fido2RegisterFinishRequest request, Caller caller) {
  AuditEvent audit = event("enroll", request.user, caller);
  auto grant = core_.fido2.challenges.take(request.challenge, core_.clock());
  if (!grant || grant->purpose != ChallengeGrant::Purpose::registration ||
      grant->user != request.user) {
    co_await refuse(audit, err::kBadRequest, grant ? "challenge_mismatch" : "challenge_unknown");
  }
  fido2::RegistrationInput input;
  input.rpId = core_.config.fido2.rpId;
  input.challenge = request.challenge;
  input.clientData = request.clientData;
  input.origins = allowedOrigins(core_.config);
  input.fmt = request.fmt;
  input.authData = request.authData;
  input.attStmt = request.attStmt;
  input.requireUv = grant->uv == "required";
  auto verifyIt = [&] { return fido2::verifyRegistration(input, core_.fido2.trust); };
  fido2::RegistrationResult result = co_await offload(core_.blocking, verifyIt);
  if (!result.credential) co_await refuse(audit, err::kBadRequest, result.reason);

  const fido2::RegisteredCredential& cred = *result.credential;
  CredentialRecord record;
  record.user = request.user;
  record.owner = grant->owner;
  record.factor = "fido2";
  record.label = grant->label;
  record.state = CredentialState::active;
  record.createdAt = core_.clock();
  record.fido2 =
      Fido2CredentialData{cred.credentialId, cred.coseKey,
                          cred.algorithm,    Bytes(cred.aaguid.begin(), cred.aaguid.end()),
                          cred.fmt,          fido2::toString(cred.attestation),
                          cred.signCount,    grant->uv == "required",
                          grant->userHandle, false};
  Fido2RegisterFinishAnswer answer;
  answer.credential = cred;
  bool exists = false;
  Store::TxnWork insert = [&](StoreTxn& txn) {
    exists = txn.fido2IdExists(cred.credentialId);
    if (exists) {
      audit.result = "error";
      audit.reason = "credential_exists";
    } else {
      answer.credentialId = txn.insertCredential(record);
      audit.credentialId = answer.credentialId;
    }
    txn.appendAudit(audit);
  };
  co_await commit(insert);
  if (exists) throw OpError(err::kConflict, "registration refused: credential_exists");
  co_return answer;
}

boost::asio::awaitable<void> Fido2Enrolment::reinstate(std::string user, std::int64_t credentialId,
                                                       Caller caller) {
  bool cleared = false;
  AuditEvent audit = event("reinstate", user, caller);
  audit.credentialId = credentialId;
  Store::TxnWork clear = [&](StoreTxn& txn) {
    cleared = txn.reinstateCredential(credentialId, storedUnder(user));
    if (!cleared) audit.result = "error", audit.reason = "not_found";
    txn.appendAudit(audit);
  };
  co_await commit(clear);
  if (!cleared) {
    throw OpError(err::kNotFound,
                  "no clone-suspected credential " + std::to_string(credentialId) + " of " + user);
  }
}

}  // namespace authd
