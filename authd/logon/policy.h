#pragma once
// Which factors an account must use, from its directory groups and the [policy] rules. A user in
// several ruled groups gets the strictest combination: only factors every rule allows, user
// verification when any rule requires it, MFA when any of the user's groups requires it.

#include <string>
#include <string_view>
#include <vector>

#include "authd/base/config.h"
#include "authd/directory/directory.h"

namespace authd {

struct EffectivePolicy {
  bool mfaRequired = true;
  std::vector<std::string> factors;  // allowed, in the order fido2, totp
  bool uvRequired = false;
  std::vector<std::string> rules;       // group names whose rules applied ("default" when none)
  std::vector<std::string> mfaBecause;  // groups that require MFA ("everyone" when all must)
  // Offline FIDO2 logon at devices (docs/offline.md): allowed only when every rule that applies
  // allows it (a rule without `offline` follows [offline] allowed) and fido2 is allowed; the
  // shortest lifetime of them; UV when [offline] or any online rule requires it.
  bool offlineAllowed = false;
  int offlineMaxAgeDays = 0;
  bool offlineUvRequired = true;

  bool allows(const std::string& factor) const;
};

EffectivePolicy effectivePolicy(const Config::Policy& policy, const Account& account,
                                const Config::Offline& offline = {});
// The policy of `account` under the whole configuration: what logons and admin reports use.
inline EffectivePolicy effectivePolicy(const Config& config, const Account& account) {
  return effectivePolicy(config.policy, account, config.offline);
}

// Whether `account` is in the group a [policy] entry names: the same name, ignoring ASCII case
// when the directory does (Account::groupNamesIgnoreCase, ldap).
bool inGroup(const Account& account, std::string_view configured);

// The groups [policy] names (mfa_groups, [policy.groups.NAME]) that would never match, one message
// each: no such group in `directory`, or the directory spells it so that inGroup would not match
// (for ldap: other than in ASCII case, e.g. "Ä" for "ä"). A name that matches no group exempts
// its would-be members from the rule, or from MFA. Empty when every name matches. Throws
// DirectoryError when the directory cannot answer.
std::vector<std::string> policyGroupProblems(const Config::Policy& policy, Directory& directory);

}  // namespace authd
