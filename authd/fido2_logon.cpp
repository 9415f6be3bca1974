#include "authd/fido2_logon.h"

#include <boost/asio/use_awaitable.hpp>

#include <openssl/crypto.h>

#include "authd/account_gate.h"
#include "authd/async.h"
#include "authd/fido2_policy.h"
#include "authd/op_error.h"
#include "authd/protocol.h"

namespace authd {

namespace {

constexpr std::size_t kChallengeBytes = 32;

std::string uvFor(const Config& config, const EffectivePolicy& policy,
                  const std::vector<CredentialRecord>& keys) {
  if (config.fido2.userVerification == "required" || policy.uvRequired) return "required";
  for (const auto& c : keys) {
    if (c.fido2->uvRequired) return "required";
  }
  return config.fido2.userVerification;
}

}  // namespace

bool usableSecurityKey(const CredentialRecord& c) {
  return c.factor == "fido2" && c.state == CredentialState::active && c.fido2 &&
         !c.fido2->cloneSuspected;
}

boost::asio::awaitable<Fido2BeginAnswer> Fido2Logon::begin(std::string user, Caller caller) {
  EffectivePolicy policy;
  std::string owner;
  auto load = [&] {
    std::vector<CredentialRecord> keys;
    const AccountGate gate = admitAccount(core_, user, "fido2");
    if (!gate.open()) return keys;  // unknown, disabled and "not allowed" look alike
    policy = gate.policy;
    owner = gate.account->id;
    for (auto& c : core_.store.credentials(principalOf(*gate.account))) {
      if (usableSecurityKey(c)) keys.push_back(std::move(c));
    }
    return keys;
  };
  const std::vector<CredentialRecord> keys = co_await offload(core_.blocking, load);
  if (keys.empty()) {
    throw OpError(protocol::error::kNotFound, "no security key is enrolled for this account");
  }
  Fido2BeginAnswer answer;
  answer.challenge.resize(kChallengeBytes);
  core_.random(answer.challenge.data(), answer.challenge.size());
  for (const auto& c : keys) answer.allow.push_back(c.fido2->credentialId);
  answer.uv = uvFor(core_.config, policy, keys);
  answer.timeout = core_.config.fido2.challengeTtl;

  ChallengeGrant grant;
  grant.purpose = ChallengeGrant::Purpose::logon;
  grant.user = user;
  grant.owner = owner;
  grant.service = caller.service;
  grant.issuerUid = caller.uid;
  for (const auto& c : keys) {
    grant.allow.push_back(AllowedKey{c.fido2->credentialId, c.id, c.fido2->coseKey,
                                     c.fido2->algorithm, c.fido2->uvRequired});
  }
  grant.uv = answer.uv;
  const std::int64_t now = core_.clock();
  grant.expiresAt = now + answer.timeout;
  issueChallenge(core_.fido2.challenges, answer.challenge, std::move(grant), now);
  co_return answer;
}

// The read-only part: challenge, credential and signature, computed off the I/O threads.
struct Fido2Logon::Checked {
  std::int64_t now = 0;
  std::string reason;  // empty: every check passed
  std::optional<std::int64_t> credentialId;
  std::uint32_t signCount = 0;
  Principal principal{""};
};

namespace {

const AllowedKey* findKey(const std::vector<AllowedKey>& allow, const Bytes& credentialId) {
  for (const auto& key : allow) {
    if (key.credentialId == credentialId) return &key;
  }
  return nullptr;
}

}  // namespace

Fido2Logon::Checked Fido2Logon::check(const Fido2AssertionRequest& request, const Caller& caller) {
  Checked c;
  c.now = core_.clock();
  auto grant = core_.fido2.challenges.take(request.challenge, c.now);
  if (!grant) {
    c.reason = "challenge_unknown";
    return c;
  }
  if (grant->purpose != ChallengeGrant::Purpose::logon || grant->user != request.user ||
      grant->service != caller.service) {
    c.reason = "challenge_mismatch";
    return c;
  }
  const AllowedKey* key = findKey(grant->allow, request.credentialId);
  if (key == nullptr) {
    c.reason = "credential_not_allowed";
    return c;
  }
  c.credentialId = key->credentialRow;
  // The account may have been removed or disabled since the challenge was issued.
  const AccountGate gate = admitAccount(core_, request.user, "fido2");
  if (!gate.open()) {
    c.reason = gate.reason;
    return c;
  }
  // A name reused by a new account since the challenge was issued is not the same account.
  if (gate.account->id != grant->owner) {
    c.reason = "account_changed";
    return c;
  }
  c.principal = principalOf(*gate.account);
  fido2::AssertionInput input;
  input.rpId = core_.config.fido2.rpId;
  input.challenge = request.challenge;
  input.clientData = request.clientData;
  input.origins = allowedOrigins(core_.config);
  input.authData = request.authData;
  input.signature = request.signature;
  input.coseKey = key->coseKey;
  input.algorithm = key->algorithm;
  input.requireUv = grant->uv == "required" || key->uvRequired || gate.policy.uvRequired;
  fido2::AssertionResult result = fido2::verifyAssertion(input);
  if (!result.valid) {
    c.reason = result.reason.empty() ? "bad_signature" : result.reason;
    return c;
  }
  c.signCount = result.signCount;
  c.reason = checkDirectoryPassword(core_, *gate.account, request.password);
  return c;
}

VerifyAnswer Fido2Logon::commit(StoreTxn& txn, const Fido2AssertionRequest& request,
                                const Checked& checked, const Caller& caller) {
  VerifyAnswer answer;
  answer.reason = checked.reason;
  // Failures count per account as the directory spells it (see Verifier::commitAttempt).
  const std::string& user = checked.principal.name.empty() ? request.user : checked.principal.name;
  LockState lock = txn.lockState(user);
  if (lockRemaining(lock, checked.now) > 0) {
    answer.decision = Decision::locked;
    answer.reason = "locked";
    answer.retryAfter = lockRemaining(lock, checked.now);
  } else {
    if (checked.reason.empty()) {
      switch (txn.advanceSignCount(*checked.credentialId, checked.principal, checked.signCount,
                                   checked.now)) {
        case SignCountOutcome::advanced:
          answer.decision = Decision::accept;
          answer.reason = "ok";
          answer.credentialId = checked.credentialId;
          break;
        case SignCountOutcome::regressed:
          answer.reason = "counter_regression";
          break;
        case SignCountOutcome::suspended:
          answer.reason = "credential_suspended";
          break;
        case SignCountOutcome::notActive:
          answer.reason = "credential_not_allowed";
          break;
      }
    }
    if (answer.decision == Decision::accept) {
      if (lock.failures != 0) txn.putLockState(LockState{user, 0, 0});
    } else {
      lock = afterFailure(lock, core_.lockoutPolicy(), checked.now);
      txn.putLockState(lock);
      answer.retryAfter = lockRemaining(lock, checked.now);
      answer.decision = answer.retryAfter > 0 ? Decision::locked : Decision::reject;
    }
  }
  AuditEvent audit{checked.now,
                   user,
                   "verify",
                   "fido2",
                   checked.credentialId,
                   toString(answer.decision),
                   answer.reason,
                   caller.service,
                   caller.uid,
                   caller.pid,
                   caller.rhost,
                   caller.tty};
  audit.trustedCaller = caller.trusted;
  txn.appendAudit(audit);
  return answer;
}

boost::asio::awaitable<VerifyAnswer> Fido2Logon::verify(Fido2AssertionRequest request,
                                                        Caller caller) {
  // Lambdas are named before co_await (GCC 12, see verifier.cpp).
  auto checkIt = [&] { return check(request, caller); };
  Checked checked = co_await offload(core_.blocking, checkIt);
  if (request.password) OPENSSL_cleanse(request.password->data(), request.password->size());
  VerifyAnswer answer;
  Store::TxnWork record = [&](StoreTxn& txn) { answer = commit(txn, request, checked, caller); };
  bool committed = co_await asyncWrite(core_.store, record, boost::asio::use_awaitable);
  if (!committed) throw StoreError("the attempt could not be stored");
  co_return answer;
}

}  // namespace authd
