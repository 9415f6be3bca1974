#include "authd/logon/logon_pipeline.h"

#include <boost/asio/use_awaitable.hpp>

#include <openssl/crypto.h>

#include "authd/base/async.h"
#include "authd/directory/account_lookup.h"
#include "authd/logon/account_gate.h"

namespace authd {

namespace {

// Stale counters of unknown names removed by each write that counts one: at least as many go
// as come, so a flood of made-up names cannot grow the database beyond one max_delay of them.
constexpr int kStaleLocksPerWrite = 8;

// The read-only part of an attempt, computed off the I/O threads before the write transaction.
struct Prepared {
  std::int64_t now = 0;
  LogonReason reason = LogonReason::wrongCode;  // of the attempt so far
  FactorMatch match;                            // set when the factor was checked
  Principal lockKey{""};                        // whose failures count
  Principal principal{""};                      // whose credentials (set once the gate opened)
};

struct PasswordWipe {
  std::optional<std::string>& password;
  ~PasswordWipe() {
    if (password) OPENSSL_cleanse(password->data(), password->size());
  }
};

Prepared prepare(const Core& core, LogonFactor& factor, const AccountGate& gate,
                 const std::string& user, const std::optional<std::string>& password) {
  Prepared p;
  p.now = core.clock();
  p.lockKey = gate.account ? lockKeyOf(*gate.account) : Principal(user);
  if (!gate.open()) {
    p.reason = gate.reason;
  } else if (lockRemaining(core.store.lockState(p.lockKey), p.now) > 0) {
    p.reason = LogonReason::locked;
  } else {
    p.principal = principalOf(*gate.account);
    p.match = factor.check(*gate.account, gate.policy, p.now);
    p.reason = p.match.reason;
    if (p.reason == LogonReason::ok && password) {
      p.reason = checkDirectoryPassword(core, *gate.account, factor.directoryPassword(*password));
    }
    return p;
  }
  factor.skip(p.now);
  return p;
}

// The failure's effect on the counter; none when no secret was checked.
LockState countFailure(StoreTxn& txn, const Core& core, const Prepared& p, LockState lock) {
  const bool guess = p.reason != LogonReason::locked && p.match.guess;
  if (!guess) return lock;
  lock = afterFailure(lock, core.lockoutPolicy(), p.now);
  lock.updatedAt = p.now;
  txn.putLockState(lock);
  if (lock.owner.empty()) {
    txn.forgetStaleLocks(p.now - core.lockoutPolicy().maxDelay, p.now, kStaleLocksPerWrite);
  }
  return lock;
}

VerifyAnswer commit(StoreTxn& txn, const Core& core, LogonFactor& factor, const Prepared& p) {
  VerifyAnswer answer;
  LockState lock = withoutStaleFailures(txn.lockState(p.lockKey), core.lockoutPolicy(), p.now);
  if (lockRemaining(lock, p.now) > 0) {
    answer.decision = Decision::locked;
    answer.reason = LogonReason::locked;
    answer.retryAfter = lockRemaining(lock, p.now);
    return answer;
  }
  answer.reason = p.reason;
  if (p.match.reason == LogonReason::ok) {
    // A lost compare-and-set means a concurrent attempt used the same step or counter first.
    const LogonReason stored = factor.commit(txn, p.principal, p.match, p.now);
    if (answer.reason == LogonReason::ok) answer.reason = stored;
  }
  if (answer.reason == LogonReason::ok) {
    answer.decision = Decision::accept;
    answer.credentialId = p.match.credentialId;
    if (lock.failures != 0) txn.putLockState(LockState{lock.user, 0, 0, lock.owner});
    return answer;
  }
  lock = countFailure(txn, core, p, lock);
  answer.retryAfter = lockRemaining(lock, p.now);
  answer.decision = answer.retryAfter > 0 ? Decision::locked : Decision::reject;
  return answer;
}

}  // namespace

boost::asio::awaitable<VerifyAnswer> runLogon(const Core& core, LogonFactor& factor,
                                              const std::string& user,
                                              std::optional<std::string>& password,
                                              const Caller& caller) {
  PasswordWipe wipe{password};
  // Without a password to check and with the account in the directory's cache, nothing in
  // prepare() can block (CPU work and indexed reads of the local store): it runs here, saving
  // two thread hand-offs per logon.
  // Lambdas are named before co_await: GCC 12 destroys a capturing lambda written inside a
  // co_await expression twice.
  auto prepareIt = [&](std::optional<Account> account) {
    return prepare(core, factor, admitAccount(core, std::move(account), factor.factor()), user,
                   password);
  };
  const Prepared prepared =
      co_await withUser(core.directory, core.blocking, user, prepareIt, !password);
  if (password) OPENSSL_cleanse(password->data(), password->size());
  VerifyAnswer answer;
  Store::TxnWork record = [&](StoreTxn& txn) {
    answer = commit(txn, core, factor, prepared);
    AuditEvent audit = callerAuditEvent(caller, prepared.now, user, "verify");
    audit.factor = toString(factor.factor());
    audit.credentialId = prepared.match.credentialId;
    audit.result = toString(answer.decision);
    audit.reason = toString(answer.reason);
    txn.appendAudit(audit);
  };
  const bool committed = co_await asyncWrite(core.store, record, boost::asio::use_awaitable);
  if (!committed) throw StoreError("the attempt could not be stored");
  co_return answer;
}

}  // namespace authd
