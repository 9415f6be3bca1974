#pragma once
// Activation of pending TOTP credentials with a current code from the app; shared by
// `authctl confirm` and the last step of `authctl enroll totp`.

#include <cstdint>
#include <optional>
#include <string>

#include "authd/otp_code.h"  // normalizeCode: the one rule, shared with the daemon
#include "cli/commands.h"

namespace authd::cli {

inline constexpr int kConfirmTries = 3;

// What the admin can do about a credential left pending.
std::string pendingHint(const std::string& user, std::int64_t credentialId);

// With `code`, sends it once; without, prompts for up to kConfirmTries codes. Prints the outcome
// and returns the exit code: 0 when the credential is active, 1 when it stays pending.
int confirmCredential(Context& ctx, const std::string& user, std::int64_t credentialId,
                      std::optional<std::string> code);

}  // namespace authd::cli
