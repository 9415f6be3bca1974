#pragma once
// One logon attempt, whatever the factor and whatever the listener (the Unix socket today,
// RADIUS and recovery codes tomorrow). Every attempt takes the same steps in the same order:
//
//   prepare, on the worker pool (one hand-off), or in place when nothing in it can block (no
//   directory password to check and the account in the directory's cache):
//     account gate (exists, enabled, policy allows the factor) -> lock check -> the factor's
//     own check -> the directory password (only after the factor matched, never when locked)
//   commit, in one store transaction (one write):
//     lock check again -> the factor's durable part (TOTP step, FIDO2 counter) -> lockout -> audit
//
// A factor plugs in only its own check and its durable part (LogonFactor). Default deny: the
// answer is "reject" unless every step passed and the commit is durable. Store or directory
// failures propagate as exceptions (fail secure).

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "authd/base/core.h"
#include "authd/logon/logon_reason.h"
#include "authd/logon/policy.h"
#include "authd/logon/totp_logon.h"

namespace authd {

// What a factor's check found: the credential that matched and what to make durable, or why not.
struct FactorMatch {
  LogonReason reason = LogonReason::wrongCode;  // ok: matched
  std::optional<std::int64_t> credentialId;     // the credential named or matched (audited)
  std::int64_t step = -1;                       // TOTP: the unused time step that matched
  std::uint32_t signCount = 0;                  // FIDO2: the counter the key presented
  // False when no secret was checked (a FIDO2 challenge unknown, expired, evicted or issued for
  // another user, service or account): audited, but not the user's failure.
  bool guess = true;
};

class LogonFactor {
 public:
  virtual ~LogonFactor() = default;
  virtual Factor factor() const = 0;
  // Once the account is open and not locked. Reads only, of memory and the local store, never
  // the directory: it runs in place (an I/O thread) or on the worker pool.
  virtual FactorMatch check(const Account& account, const EffectivePolicy& policy,
                            std::int64_t now) = 0;
  // Where check() would run, instead of it when the attempt stopped before it (gate closed,
  // locked): what the factor must do anyway (burn the same time, use up a single-use challenge).
  virtual void skip(std::int64_t now) = 0;
  // Store writer, inside the attempt's transaction, when check() matched (also when the
  // directory password was then refused: one observed code buys one password guess). Returns
  // ok once the match is stored, else why not (replayed, counter_regression, ...).
  virtual LogonReason commit(StoreTxn& txn, const Principal& who, const FactorMatch& match,
                             std::int64_t now) = 0;
  // After check() matched: the part of what the client sent as `password` that is the directory
  // password. All of it, except for a code typed after the password in one field (RADIUS append
  // mode), where only the matched credential's code length tells where the password ends.
  virtual std::string_view directoryPassword(const std::string& given) const { return given; }
};

// Runs one attempt of `user` with `factor` and answers once it is durable. `password`, the
// directory password when the client sent one, is wiped before this returns or throws.
boost::asio::awaitable<VerifyAnswer> runLogon(const Core& core, LogonFactor& factor,
                                              const std::string& user,
                                              std::optional<std::string>& password,
                                              const Caller& caller);

}  // namespace authd
