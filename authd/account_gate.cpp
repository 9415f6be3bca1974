#include "authd/account_gate.h"

namespace authd {

AccountGate admitAccount(const Core& core, const std::string& user, const std::string& factor) {
  AccountGate gate;
  gate.account = core.directory.findUser(user);
  if (!gate.account) {
    gate.reason = "unknown_user";
    return gate;
  }
  gate.policy = effectivePolicy(core.config.policy, *gate.account);
  if (gate.account->disabled) {
    gate.reason = "account_disabled";
  } else if (!gate.policy.allows(factor)) {
    gate.reason = "factor_not_allowed";
  }
  return gate;
}

std::string checkDirectoryPassword(const Core& core, const Account& account,
                                   const std::optional<std::string>& password) {
  if (!password) return {};
  switch (core.directory.checkPassword(account, *password)) {
    case PasswordCheck::accepted:
      return {};
    case PasswordCheck::unsupported:
      return "password_check_unsupported";
    case PasswordCheck::rejected:
      break;
  }
  return "wrong_password";
}

}  // namespace authd
