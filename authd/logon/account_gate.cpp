#include "authd/logon/account_gate.h"

namespace authd {

namespace {

AccountGate gateOf(const Core& core, std::optional<Account> account, Factor factor) {
  AccountGate gate;
  gate.account = std::move(account);
  if (!gate.account) {
    gate.reason = LogonReason::unknownUser;
    return gate;
  }
  gate.policy = effectivePolicy(core.config.policy, *gate.account);
  if (gate.account->disabled) {
    gate.reason = LogonReason::accountDisabled;
  } else if (!gate.policy.allows(toString(factor))) {
    gate.reason = LogonReason::factorNotAllowed;
  }
  return gate;
}

}  // namespace

AccountGate admitAccount(const Core& core, const std::string& user, Factor factor) {
  return gateOf(core, core.directory.findUser(user), factor);
}

std::optional<AccountGate> admitAccountAtHand(const Core& core, const std::string& user,
                                              Factor factor) {
  std::optional<Account> account;
  if (!core.directory.findUserAtHand(user, account)) return std::nullopt;
  return gateOf(core, std::move(account), factor);
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
