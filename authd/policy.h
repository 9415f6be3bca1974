#pragma once
// Which factors an account must use, from its directory groups and the [policy] rules. A user in
// several ruled groups gets the strictest combination: only factors every rule allows, user
// verification when any rule requires it, MFA when any of the user's groups requires it.

#include <string>
#include <vector>

#include "authd/config.h"
#include "authd/directory.h"

namespace authd {

struct EffectivePolicy {
  bool mfaRequired = true;
  std::vector<std::string> factors;  // allowed, in the order fido2, totp
  bool uvRequired = false;
  std::vector<std::string> rules;       // group names whose rules applied ("default" when none)
  std::vector<std::string> mfaBecause;  // groups that require MFA ("everyone" when all must)

  bool allows(const std::string& factor) const;
};

EffectivePolicy effectivePolicy(const Config::Policy& policy, const Account& account);

}  // namespace authd
