#include "authd/logon/account_gate.h"

namespace authd {

AccountGate admitAccount(const Core& core, std::optional<Account> account, Factor factor) {
  AccountGate gate;
  gate.account = std::move(account);
  if (!gate.account) {
    gate.reason = LogonReason::unknownUser;
    return gate;
  }
  gate.policy = effectivePolicy(core.config, *gate.account);
  if (gate.account->disabled) {
    gate.reason = LogonReason::accountDisabled;
  } else if (!gate.policy.allows(toString(factor))) {
    gate.reason = LogonReason::factorNotAllowed;
  }
  return gate;
}

LogonReason checkDirectoryPassword(const Core& core, const Account& account,
                                   std::string_view password) {
  switch (core.directory.checkPassword(account, password)) {
    case PasswordCheck::accepted:
      return LogonReason::ok;
    case PasswordCheck::unsupported:
      return LogonReason::passwordCheckUnsupported;
    case PasswordCheck::rejected:
      break;
  }
  return LogonReason::wrongPassword;
}

}  // namespace authd
