#pragma once
// TOTP logon and the factors query. A TOTP attempt goes through the logon pipeline
// (logon_pipeline.h): this file plugs in only the code check and the step it uses up.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "authd/base/core.h"
#include "authd/logon/logon_reason.h"

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
  LogonReason reason = LogonReason::wrongCode;  // audit reason, never shown to the user
  std::int64_t retryAfter = 0;
  std::optional<std::int64_t> credentialId;
  // FIDO2 at a device whose policy allows offline logon: the signed entry for the device's
  // agent (docs/offline.md).
  std::optional<std::string> offlineEntry;
};

class TotpLogon {
 public:
  explicit TotpLogon(Core core) : core_(std::move(core)) {}

  // An account that must use a second factor but has none is refused by the client: that
  // denial is audited here (op "factors", reason no_factor), with the caller's service.
  boost::asio::awaitable<FactorsAnswer> factors(std::string user, Caller caller = {});
  // `password`: the directory password, checked after the code matched. The code and the
  // password are wiped after use.
  boost::asio::awaitable<VerifyAnswer> verifyTotp(std::string user, std::string code, Caller caller,
                                                  std::optional<std::string> password = {});
  // The directory password with the code typed right after it, in one field (what every VPN
  // gateway can send): split by the code length of each of the user's TOTP credentials, the
  // password checked only after a code matched. Wiped after use.
  boost::asio::awaitable<VerifyAnswer> verifyTotpAppended(std::string user,
                                                          std::string passwordAndCode,
                                                          Caller caller);

 private:
  Core core_;
};

}  // namespace authd
