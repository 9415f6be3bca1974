#include "authd/logon/fido2_logon.h"

#include "authd/base/log.h"
#include "authd/base/op_error.h"
#include "authd/directory/account_lookup.h"
#include "authd/logon/account_gate.h"
#include "authd/logon/fido2_policy.h"
#include "authd/logon/logon_pipeline.h"
#include "authd/offline_entry.h"
#include "authd/protocol.h"

namespace authd {

namespace {

constexpr std::size_t kChallengeBytes = 32;

UserVerification uvFor(const Config& config, const EffectivePolicy& policy,
                       const std::vector<CredentialRecord>& keys) {
  // The configuration was validated at start; anything else fails towards the stricter rule.
  const UserVerification configured =
      userVerificationFrom(config.fido2.userVerification).value_or(UserVerification::required);
  if (configured == UserVerification::required || policy.uvRequired) {
    return UserVerification::required;
  }
  for (const auto& c : keys) {
    if (c.fido2->uvRequired) return UserVerification::required;
  }
  return configured;
}

}  // namespace

bool usableSecurityKey(const CredentialRecord& c) {
  return c.factor == toString(Factor::fido2) && c.state == CredentialState::active && c.fido2 &&
         !c.fido2->cloneSuspected;
}

boost::asio::awaitable<Fido2BeginAnswer> Fido2Logon::begin(std::string user, Caller caller) {
  EffectivePolicy policy;
  std::string owner;
  auto load = [&](std::optional<Account> account) {
    std::vector<CredentialRecord> keys;
    const AccountGate gate = admitAccount(core_, std::move(account), Factor::fido2);
    if (!gate.open()) return keys;  // unknown, disabled and "not allowed" look alike
    policy = gate.policy;
    owner = gate.account->id;
    for (auto& c : core_.store.credentials(principalOf(*gate.account))) {
      if (usableSecurityKey(c)) keys.push_back(std::move(c));
    }
    return keys;
  };
  const std::vector<CredentialRecord> keys =
      co_await withUser(core_.directory, core_.blocking, user, load);
  if (keys.empty()) {
    throw OpError(protocol::error::kNotFound, "no security key is enrolled for this account");
  }
  Fido2BeginAnswer answer;
  answer.challenge.resize(kChallengeBytes);
  core_.random(answer.challenge.data(), answer.challenge.size());
  for (const auto& c : keys) answer.allow.push_back(c.fido2->credentialId);
  answer.uv = toString(uvFor(core_.config, policy, keys));
  answer.timeout = core_.config.fido2.challengeTtl;

  ChallengeGrant grant;
  grant.purpose = ChallengeGrant::Purpose::logon;
  grant.user = user;
  grant.owner = owner;
  grant.service = caller.service;
  grant.issuerUid = caller.uid;
  for (const auto& c : keys) {
    grant.allow.push_back(AllowedKey{c.fido2->credentialId, c.id, c.fido2->coseKey,
                                     c.fido2->algorithm, c.fido2->uvRequired, c.fido2->signCount});
  }
  grant.uv = answer.uv;
  const std::int64_t now = core_.clock();
  grant.expiresAt = now + answer.timeout;
  issueChallenge(core_.fido2.challenges, answer.challenge, std::move(grant), now);
  co_return answer;
}

namespace {

const AllowedKey* findKey(const std::vector<AllowedKey>& allow, const Bytes& credentialId) {
  for (const auto& key : allow) {
    if (key.credentialId == credentialId) return &key;
  }
  return nullptr;
}

// The FIDO2 factor: the challenge (single use, bound to user, service and account), the key it
// allows, the assertion, and in the commit the signature-counter rule.
class KeyCheck final : public LogonFactor {
 public:
  KeyCheck(const Core& core, const Fido2AssertionRequest& request, const Caller& caller)
      : core_(core), request_(request), caller_(caller) {}

  Factor factor() const override { return Factor::fido2; }

  FactorMatch check(const Account& account, const EffectivePolicy& policy,
                    std::int64_t now) override {
    FactorMatch m;
    auto grant = core_.fido2.challenges.take(request_.challenge, now);
    m.reason = grantRefusal(grant, account);
    if (m.reason != LogonReason::ok) {
      m.guess = false;  // nothing of the user's was checked: not their failure
      return m;
    }
    planOfflineEntry(account, policy, *grant);
    const AllowedKey* key = findKey(grant->allow, request_.credentialId);
    if (key == nullptr) {
      m.reason = LogonReason::credentialNotAllowed;
      return m;
    }
    m.credentialId = key->credentialRow;
    const bool requireUv = userVerificationFrom(grant->uv) == UserVerification::required ||
                           key->uvRequired || policy.uvRequired;
    fido2::AssertionResult result = fido2::verifyAssertion(assertionInput(*key, requireUv));
    if (!result.valid) {
      m.reason = assertionRefusal(result.reason);
      return m;
    }
    m.reason = LogonReason::ok;
    m.signCount = result.signCount;
    return m;
  }

  // A challenge is single use whatever happens to the attempt.
  void skip(std::int64_t now) override {
    (void)core_.fido2.challenges.take(request_.challenge, now);
  }

  LogonReason commit(StoreTxn& txn, const Principal& who, const FactorMatch& match,
                     std::int64_t now) override {
    switch (txn.advanceSignCount(*match.credentialId, who, match.signCount, now)) {
      case SignCountOutcome::advanced:
        recordOfflineEntry(txn, match, now);
        return LogonReason::ok;
      case SignCountOutcome::regressed:
        // A key that may be cloned must not work at devices either.
        txn.revokeOfflineGrants(who, std::nullopt);
        return LogonReason::counterRegression;
      case SignCountOutcome::suspended:
        return LogonReason::credentialSuspended;
      case SignCountOutcome::notActive:
        break;
    }
    return LogonReason::credentialNotAllowed;
  }

  // The signed entry for the device, once the logon was accepted; nullopt when none is due.
  std::optional<std::string> offlineEntry() const {
    if (!offline_ || offline_->issuedAt == 0) return std::nullopt;
    std::optional<std::string> line = offline::signEntry(*offline_, core_.offlineKey);
    if (!line) log::error("offline entry for " + offline_->user + " could not be signed");
    return line;
  }

 private:
  // A device asks, authd can sign and the account's policy allows offline logon there.
  void planOfflineEntry(const Account& account, const EffectivePolicy& policy,
                        const ChallengeGrant& grant) {
    offline_.reset();
    if (caller_.device.empty() || core_.offlineKey == nullptr || !policy.offlineAllowed) return;
    offline::OfflineEntry entry;
    entry.user = account.name;
    entry.owner = account.id;
    entry.device = caller_.device;
    entry.rpId = core_.config.fido2.rpId;
    entry.uvRequired = policy.offlineUvRequired;
    for (const AllowedKey& key : grant.allow) {
      if (entry.keys.size() == offline::kMaxKeys) break;
      entry.uvRequired = entry.uvRequired || key.uvRequired;
      entry.keys.push_back(
          {key.credentialId, key.coseKey, key.algorithm, key.signCount, key.credentialRow});
    }
    offlineMaxAge_ = std::int64_t{policy.offlineMaxAgeDays} * 86400;
    offline_ = std::move(entry);
  }

  // Inside the commit: the grant row, and the counter just stored. May run twice (store.h).
  void recordOfflineEntry(StoreTxn& txn, const FactorMatch& match, std::int64_t now) {
    if (!offline_) return;
    offline_->issuedAt = now;
    offline_->expiresAt = now + offlineMaxAge_;
    for (auto& key : offline_->keys) {
      if (key.credentialRow == *match.credentialId) key.signCount = match.signCount;
    }
    txn.putOfflineGrant(OfflineGrant{offline_->owner, offline_->device, offline_->user,
                                     offline_->issuedAt, offline_->expiresAt, false});
  }

  // Why the challenge does not stand for this logon; ok when it does.
  LogonReason grantRefusal(const std::optional<ChallengeGrant>& grant,
                           const Account& account) const {
    if (!grant) return LogonReason::challengeUnknown;  // unknown, used, expired or evicted
    if (grant->purpose != ChallengeGrant::Purpose::logon || grant->user != request_.user ||
        grant->service != caller_.service) {
      return LogonReason::challengeMismatch;
    }
    // A name reused by a new account since the challenge was issued is not the same account.
    if (account.id != grant->owner) return LogonReason::accountChanged;
    return LogonReason::ok;
  }

  fido2::AssertionInput assertionInput(const AllowedKey& key, bool requireUv) const {
    fido2::AssertionInput input;
    input.rpId = core_.config.fido2.rpId;
    input.challenge = request_.challenge;
    input.clientData = request_.clientData;
    input.origins = allowedOrigins(core_.config);
    input.authData = request_.authData;
    input.signature = request_.signature;
    input.coseKey = key.coseKey;
    input.algorithm = key.algorithm;
    input.requireUv = requireUv;
    return input;
  }

  const Core& core_;
  const Fido2AssertionRequest& request_;
  const Caller& caller_;
  std::optional<offline::OfflineEntry> offline_;
  std::int64_t offlineMaxAge_ = 0;
};

}  // namespace

boost::asio::awaitable<VerifyAnswer> Fido2Logon::verify(Fido2AssertionRequest request,
                                                        Caller caller) {
  KeyCheck key(core_, request, caller);
  VerifyAnswer answer = co_await runLogon(core_, key, request.user, request.password, caller);
  if (answer.decision == Decision::accept) answer.offlineEntry = key.offlineEntry();
  co_return answer;
}

}  // namespace authd
