#include "authd/logon/totp_logon.h"

#include <boost/asio/use_awaitable.hpp>

#include <openssl/crypto.h>

#include "authd/base/async.h"
#include "authd/base/log.h"
#include "authd/directory/account_lookup.h"
#include "authd/logon/account_gate.h"
#include "authd/logon/fido2_logon.h"
#include "authd/logon/logon_pipeline.h"
#include "authd/logon/totp.h"
#include "authd/logon/totp_seal.h"

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

namespace {

// Burns the same HMAC work as a real check, so unknown accounts and malformed codes answer in
// the same time as a wrong code.
void equalizeTiming(std::int64_t now, int window) {
  static const SecretBytes dummy(reinterpret_cast<const unsigned char*>("authd-timing-equalizer"),
                                 20);
  (void)matchTotp(dummy, TotpSpec{}, "000000", now, window);
}

struct CodeWipe {
  std::string& code;
  ~CodeWipe() { OPENSSL_cleanse(code.data(), code.size()); }
};

// The TOTP factor: the code against every active TOTP credential of the account in the window.
// With `appended`, `typed` is the directory password followed by the code: each credential
// takes its own code length off the end.
class TotpCheck final : public LogonFactor {
 public:
  TotpCheck(const Core& core, std::string_view typed, bool appended = false)
      : core_(core), typed_(typed), appended_(appended) {}

  Factor factor() const override { return Factor::totp; }

  FactorMatch check(const Account& account, const EffectivePolicy&, std::int64_t now) override {
    FactorMatch m;
    std::optional<std::string> code =
        appended_ ? std::optional<std::string>("") : normalizeCode(typed_);
    if (!code) {
      m.reason = LogonReason::malformedCode;
      skip(now);
      return m;
    }
    CodeWipe wipe{*code};
    bool anyCredential = false;
    bool anyShape = !appended_;  // appended: some credential's code length fits what was typed
    bool replayed = false;
    for (const CredentialRecord& c : core_.store.credentials(principalOf(account))) {
      if (c.factor != toString(Factor::totp) || c.state != CredentialState::active) continue;
      anyCredential = true;
      if (appended_ && !appendedCode(c.digits, *code)) continue;
      anyShape = true;
      const bool matchedBefore = m.credentialId.has_value();
      matchCredential(c, account, *code, now, m, replayed);
      if (appended_ && !matchedBefore && m.credentialId) {
        passwordLength_ = typed_.size() - static_cast<std::size_t>(c.digits);
      }
    }
    if (anyCredential && !anyShape) {
      m.reason = LogonReason::malformedCode;
      skip(now);
    } else if (!anyCredential) {
      m.reason = LogonReason::noCredential;
      skip(now);
    } else if (m.credentialId) {
      m.reason = LogonReason::ok;
    } else if (replayed) {
      m.reason = LogonReason::replayed;
    }
    return m;
  }

  void skip(std::int64_t now) override { equalizeTiming(now, core_.config.totp.window); }

  std::string_view directoryPassword(const std::string& given) const override {
    if (!appended_) return given;
    return std::string_view(given).substr(0, std::min(passwordLength_, given.size()));
  }

  LogonReason commit(StoreTxn& txn, const Principal& who, const FactorMatch& match,
                     std::int64_t now) override {
    return txn.claimStep(*match.credentialId, who, match.step, now, boundSecret_)
               ? LogonReason::ok
               : LogonReason::replayed;
  }

 private:
  // Records the first unused step of `c` that the code matches; `replayed` when only used ones.
  void matchCredential(const CredentialRecord& c, const Account& account, const std::string& code,
                       std::int64_t now, FactorMatch& m, bool& replayed) {
    // Sealed for the row as stored (its enrolment name among it): a renamed account keeps its app.
    auto secret = openTotpSecret(core_.box, c);
    auto algorithm = totpAlgorithmFrom(c.algorithm);
    if (!secret || !algorithm) {
      log::error("credential " + std::to_string(c.id) + " of " + account.name +
                 " cannot be unsealed; wrong key file or tampered database");
      return;
    }
    const int window = core_.config.totp.window;
    for (std::int64_t step : matchTotp(*secret, {*algorithm, c.digits}, code, now, window)) {
      if (step <= c.lastStep) {
        replayed = true;
      } else if (!m.credentialId) {
        m.credentialId = c.id;
        m.step = step;
        // A row not bound to the account yet is bound by this logon: re-sealed for its owner.
        if (!account.id.empty() && c.owner != account.id) {
          boundSecret_ = core_.box.seal(*secret, totpSealContext(c, account.id));
        }
      }
    }
  }

  // Appended: the last `digits` characters of what was typed, when they are digits and a
  // password of at least one character stands before them.
  bool appendedCode(int digits, std::string& code) const {
    const auto n = static_cast<std::size_t>(digits);
    if (typed_.size() <= n) return false;
    std::string_view tail = typed_.substr(typed_.size() - n);
    if (tail.find_first_not_of("0123456789") != std::string_view::npos) return false;
    OPENSSL_cleanse(code.data(), code.size());
    code.assign(tail);
    return true;
  }

  const Core& core_;
  std::string_view typed_;
  bool appended_ = false;
  std::size_t passwordLength_ = 0;          // appended: where the matched credential's code begins
  std::vector<unsigned char> boundSecret_;  // the match's secret sealed for the account's id
};

}  // namespace

boost::asio::awaitable<VerifyAnswer> TotpLogon::verifyTotp(std::string user, std::string code,
                                                           Caller caller,
                                                           std::optional<std::string> password) {
  CodeWipe wipe{code};
  TotpCheck totp(core_, code);
  co_return co_await runLogon(core_, totp, user, password, caller);
}

boost::asio::awaitable<VerifyAnswer> TotpLogon::verifyTotpAppended(std::string user,
                                                                   std::string passwordAndCode,
                                                                   Caller caller) {
  // The pipeline wipes `password`; the check reads it through a view.
  std::optional<std::string> password(passwordAndCode);
  OPENSSL_cleanse(passwordAndCode.data(), passwordAndCode.size());
  TotpCheck totp(core_, *password, true);
  co_return co_await runLogon(core_, totp, user, password, caller);
}

boost::asio::awaitable<FactorsAnswer> TotpLogon::factors(std::string user, Caller caller) {
  bool noFactor = false;  // an account that must use a factor and has none: a denial
  auto answerFor = [this, &user, &noFactor](std::optional<Account> account) {
    FactorsAnswer answer;
    const Principal lockKey = account ? lockKeyOf(*account) : Principal(user);
    answer.retryAfter = lockRemaining(core_.store.lockState(lockKey), core_.clock());
    if (!account || account->disabled) {
      answer.factors = {toString(Factor::totp)};  // indistinguishable from an enrolled account
      return answer;
    }
    const EffectivePolicy policy = effectivePolicy(core_.config, *account);
    answer.mfaRequired = policy.mfaRequired;
    bool fido2 = false;
    bool totp = false;
    for (const CredentialRecord& c : core_.store.credentials(principalOf(*account))) {
      if (usableSecurityKey(c)) fido2 = true;
      if (c.state == CredentialState::active && c.factor == toString(Factor::totp)) totp = true;
    }
    // A security key first: clients offer the factors in this order.
    for (Factor f : {Factor::fido2, Factor::totp}) {
      const bool enrolled = f == Factor::fido2 ? fido2 : totp;
      if (enrolled && policy.allows(toString(f))) answer.factors.push_back(toString(f));
    }
    noFactor = answer.factors.empty() && answer.mfaRequired;
    return answer;
  };
  FactorsAnswer answer = co_await withUser(core_.directory, core_.blocking, user, answerFor);
  if (!noFactor) co_return answer;
  AuditEvent audit = callerAuditEvent(caller, core_.clock(), user, "factors");
  audit.result = toString(Decision::reject);
  audit.reason = toString(LogonReason::noFactor);
  Store::TxnWork record = [&](StoreTxn& txn) { txn.appendAudit(audit); };
  const bool committed = co_await asyncWrite(core_.store, record, boost::asio::use_awaitable);
  if (!committed) throw StoreError("the refusal could not be audited");
  co_return answer;
}

}  // namespace authd
