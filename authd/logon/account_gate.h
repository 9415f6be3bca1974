#pragma once
// What every logon checks about the account, whatever the factor: it exists in the directory,
// it is enabled, the group policy allows the factor, and (when the client sent one) the
// directory password is right. Directory calls may block: run them on the worker pool.

#include <optional>
#include <string>
#include <string_view>

#include "authd/base/core.h"
#include "authd/logon/logon_reason.h"
#include "authd/logon/policy.h"

namespace authd {

struct AccountGate {
  std::optional<Account> account;
  EffectivePolicy policy;
  LogonReason reason = LogonReason::ok;  // ok: the account may log on with the factor

  bool open() const { return reason == LogonReason::ok; }
};

// The store's view of an account found in the directory: its credentials follow the stable id.
inline Principal principalOf(const Account& account) { return {account.name, account.id}; }

// Whose failures a logon counts: the account by its stable id (all its login names share one
// counter); a name that no account has counts as Principal{name typed}.
inline Principal lockKeyOf(const Account& account) { return principalOf(account); }

// Directory and policy checks that come before the factor, on the directory's answer for the
// name typed (withUser, authd/directory/account_lookup.h): unknown_user, account_disabled,
// factor_not_allowed.
AccountGate admitAccount(const Core& core, std::optional<Account> account, Factor factor);

// The directory password, checked only after the factor matched so that guessing passwords
// without the second factor never reaches (and never locks) the directory account.
// Returns ok, wrong_password or password_check_unsupported.
LogonReason checkDirectoryPassword(const Core& core, const Account& account,
                                   std::string_view password);

}  // namespace authd
