#pragma once
// What every logon checks about the account, whatever the factor: it exists in the directory,
// it is enabled, the group policy allows the factor, and (when the client sent one) the
// directory password is right. Runs on the worker pool: directory calls block.

#include <optional>
#include <string>

#include "authd/core.h"
#include "authd/policy.h"

namespace authd {

struct AccountGate {
  std::optional<Account> account;
  EffectivePolicy policy;
  std::string reason;  // empty: the account may log on with the factor; else the audit reason

  bool open() const { return reason.empty(); }
};

// The store's view of an account found in the directory: its credentials follow the stable id.
inline Principal principalOf(const Account& account) { return {account.name, account.id}; }

// Directory and policy checks that come before the factor: unknown_user, account_disabled,
// factor_not_allowed.
AccountGate admitAccount(const Core& core, const std::string& user, const std::string& factor);

// The directory password, checked only after the factor matched so that guessing passwords
// without the second factor never reaches (and never locks) the directory account.
// Returns "" when accepted, else wrong_password or password_check_unsupported.
std::string checkDirectoryPassword(const Core& core, const Account& account,
                                   const std::optional<std::string>& password);

}  // namespace authd
