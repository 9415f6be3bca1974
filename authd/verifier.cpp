#include "authd/verifier.h"

#include <boost/asio/use_awaitable.hpp>

#include <openssl/crypto.h>

#include "authd/account_gate.h"
#include "authd/async.h"
#include "authd/fido2_logon.h"
#include "authd/log.h"
#include "authd/totp.h"

namespace authd {

const char* toString(Decision decision) {
  switch (decision) {
    case Decision::accept:
      return "accept";
    case Decision::locked:
      return "locked";
    case Decision::reject:
      break;
  }
  return "reject";
}

// The read-only part of an attempt, computed off the I/O threads before the write transaction.
struct Verifier::Prepared {
  std::int64_t now = 0;
  std::string reason = "wrong_code";
  std::optional<std::int64_t> credentialId;  // the credential whose code matched
  std::int64_t step = -1;                    // the unused step it matched
  Principal principal{""};                   // whose credentials were tried
  bool passwordRefused = false;              // the code matched, the directory password did not
};

namespace {

// Burns the same HMAC work as a real check, so unknown accounts and malformed codes answer in
// the same time as a wrong code.
void equalizeTiming(std::int64_t now, int window) {
  static const SecretBytes dummy(reinterpret_cast<const unsigned char*>("authd-timing-equalizer"),
                                 20);
  (void)matchTotp(dummy, TotpSpec{}, "000000", now, window);
}

}  // namespace

Verifier::Prepared Verifier::prepareTotp(const std::string& user, const std::string& typed,
                                         const std::optional<std::string>& password) {
  Prepared p;
  p.now = core_.clock();
  const int window = core_.config.totp.window;
  auto code = normalizeCode(typed);
  const AccountGate gate = admitAccount(core_, user, "totp");
  if (!gate.open()) {
    p.reason = gate.reason;
  } else if (!code) {
    p.reason = "malformed_code";
  }
  if (p.reason != "wrong_code") {
    equalizeTiming(p.now, window);
    return p;
  }
  bool anyCredential = false;
  bool replayed = false;
  p.principal = principalOf(*gate.account);
  for (const CredentialRecord& c : core_.store.credentials(p.principal)) {
    if (c.factor != "totp" || c.state != CredentialState::active) continue;
    anyCredential = true;
    // Sealed under the name it was enrolled with: a renamed account keeps its app.
    auto secret = core_.box.open(c.sealedSecret, totpSealContext(c.user));
    auto algorithm = totpAlgorithmFrom(c.algorithm);
    if (!secret || !algorithm) {
      log::error("credential " + std::to_string(c.id) + " of " + user +
                 " cannot be unsealed; wrong key file or tampered database");
      continue;
    }
    for (std::int64_t step : matchTotp(*secret, {*algorithm, c.digits}, *code, p.now, window)) {
      if (step <= c.lastStep) {
        replayed = true;
      } else if (!p.credentialId) {
        p.credentialId = c.id;
        p.step = step;
      }
    }
  }
  if (!anyCredential) p.reason = "no_credential";
  if (!anyCredential) equalizeTiming(p.now, window);
  if (!p.credentialId && replayed) p.reason = "replayed";
  if (p.credentialId && password) checkPasswordAfterCode(p, *gate.account, *password);
  return p;
}

// A locked account binds nothing (the commit answers "locked"); a wrong password keeps the
// matched step so that the commit uses it up: one observed code buys one password guess.
void Verifier::checkPasswordAfterCode(Prepared& p, const Account& account,
                                      const std::string& password) {
  if (lockRemaining(core_.store.lockState(account.name), p.now) > 0) {
    p.credentialId.reset();
    return;
  }
  if (std::string why = checkDirectoryPassword(core_, account, password); !why.empty()) {
    p.reason = why;
    p.passwordRefused = true;
  }
}

VerifyAnswer Verifier::commitAttempt(StoreTxn& txn, const std::string& user,
                                     const Prepared& prepared, const Caller& caller) {
  VerifyAnswer answer;
  // Failures count per account as the directory spells it: "Alice" and "alice" share a counter.
  const std::string& lockKey = prepared.principal.name.empty() ? user : prepared.principal.name;
  LockState lock = txn.lockState(lockKey);
  AuditEvent audit{prepared.now, user,      "verify",       "totp",     prepared.credentialId,
                   "",           "",        caller.service, caller.uid, caller.pid,
                   caller.rhost, caller.tty};
  audit.trustedCaller = caller.trusted;
  if (lockRemaining(lock, prepared.now) > 0) {
    answer.decision = Decision::locked;
    answer.reason = "locked";
    answer.retryAfter = lockRemaining(lock, prepared.now);
  } else if (prepared.credentialId && !prepared.passwordRefused &&
             txn.claimStep(*prepared.credentialId, prepared.principal, prepared.step,
                           prepared.now)) {
    answer.decision = Decision::accept;
    answer.reason = "ok";
    answer.credentialId = prepared.credentialId;
    if (lock.failures != 0) txn.putLockState(LockState{lockKey, 0, 0});
  } else {
    if (prepared.passwordRefused) {
      txn.claimStep(*prepared.credentialId, prepared.principal, prepared.step, prepared.now);
      answer.reason = prepared.reason;
    } else {
      // A lost compare-and-set means a concurrent request used the same step first.
      answer.reason = prepared.credentialId ? "replayed" : prepared.reason;
    }
    lock = afterFailure(lock, core_.lockoutPolicy(), prepared.now);
    txn.putLockState(lock);
    answer.retryAfter = lockRemaining(lock, prepared.now);
    answer.decision = answer.retryAfter > 0 ? Decision::locked : Decision::reject;
  }
  audit.result = toString(answer.decision);
  audit.reason = answer.reason;
  txn.appendAudit(audit);
  return answer;
}

boost::asio::awaitable<VerifyAnswer> Verifier::verifyTotp(std::string user, std::string code,
                                                          Caller caller,
                                                          std::optional<std::string> password) {
  // Lambdas are named before co_await: GCC 12 destroys a capturing lambda written inside a
  // co_await expression twice.
  auto prepare = [&] { return prepareTotp(user, code, password); };
  Prepared prepared = co_await offload(core_.blocking, prepare);
  if (password) OPENSSL_cleanse(password->data(), password->size());
  VerifyAnswer answer;
  Store::TxnWork record = [&](StoreTxn& txn) {
    answer = commitAttempt(txn, user, prepared, caller);
  };
  bool committed = co_await asyncWrite(core_.store, record, boost::asio::use_awaitable);
  if (!committed) throw StoreError("the attempt could not be stored");
  co_return answer;
}

boost::asio::awaitable<FactorsAnswer> Verifier::factors(std::string user) {
  auto lookup = [this, &user] {
    FactorsAnswer answer;
    auto account = core_.directory.findUser(user);
    if (!account || account->disabled) {
      answer.factors = {"totp"};  // indistinguishable from an enrolled account
      return answer;
    }
    const EffectivePolicy policy = effectivePolicy(core_.config.policy, *account);
    answer.mfaRequired = policy.mfaRequired;
    bool fido2 = false;
    bool totp = false;
    for (const CredentialRecord& c : core_.store.credentials(principalOf(*account))) {
      if (usableSecurityKey(c)) fido2 = true;
      if (c.state == CredentialState::active && c.factor == "totp") totp = true;
    }
    // A security key first: clients offer the factors in this order.
    if (fido2 && policy.allows("fido2")) answer.factors.push_back("fido2");
    if (totp && policy.allows("totp")) answer.factors.push_back("totp");
    answer.retryAfter = lockRemaining(core_.store.lockState(account->name), core_.clock());
    return answer;
  };
  co_return co_await offload(core_.blocking, lookup);
}

}  // namespace authd
