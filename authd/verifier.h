#pragma once
// The verification core: which factors a user has, and whether a presented TOTP code is
// accepted. Default deny: the answer is "reject" unless every check passed and the used time
// step is durably stored. Store or directory failures propagate as exceptions (fail secure).

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "authd/core.h"

namespace authd {

enum class Decision { accept, reject, locked };
const char* toString(Decision decision);

struct FactorsAnswer {
  std::vector<std::string> factors;  // enrolled and allowed by the group policy
  bool mfaRequired = true;           // false: the policy lets this account log on without one
  std::int64_t retryAfter = 0;       // > 0 when locked
};

struct VerifyAnswer {
  Decision decision = Decision::reject;
  std::string reason = "wrong_code";  // audit reason, never shown to the user
  std::int64_t retryAfter = 0;
  std::optional<std::int64_t> credentialId;
};

class Verifier {
 public:
  explicit Verifier(Core core) : core_(std::move(core)) {}

  boost::asio::awaitable<FactorsAnswer> factors(std::string user);
  // `password`: the directory password, checked after the code matched (wiped after use).
  boost::asio::awaitable<VerifyAnswer> verifyTotp(std::string user, std::string code, Caller caller,
                                                  std::optional<std::string> password = {});

 private:
  struct Prepared;
  Prepared prepareTotp(const std::string& user, const std::string& code,
                       const std::optional<std::string>& password);
  void checkPasswordAfterCode(Prepared& p, const Account& account, const std::string& password);
  VerifyAnswer commitAttempt(StoreTxn& txn, const std::string& user, const Prepared& prepared,
                             const Caller& caller);

  Core core_;
};

}  // namespace authd
