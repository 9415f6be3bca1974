#pragma once
// The user's directory password for `verify` (module option `password`): authd checks it by an
// LDAP bind after the second factor, so a VPN or sshd needs only this module to check both.

#include <security/pam_modules.h>

#include <optional>
#include <string_view>

#include "outcome.h"

namespace authd::pam {

// PAM_AUTHTOK as an earlier module of the stack left it (no prompt then); otherwise asks
// "Password: " with echo off and keeps the answer in PAM_AUTHTOK for the modules after this one
// (pam_get_authtok). On success *password views libpam's copy, valid during this call, and the
// result is nullopt; otherwise it is the denial. The module copies the password only into the
// verify request, which wipes it.
std::optional<Outcome> readDirectoryPassword(pam_handle_t* pamh,
                                             std::optional<std::string_view>* password);

}  // namespace authd::pam
