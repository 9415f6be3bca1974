#pragma once
// What pam_authd answers, as pure functions of what authd said: no PAM handle, no I/O, so every
// mapping from an answer or an error to a PAM return code is unit-tested. Default deny: only a
// parsed "accept" yields PAM_SUCCESS, only an explicit empty factor list with nouserok or with
// "mfa": false yields PAM_IGNORE; every error is PAM_AUTHINFO_UNAVAIL (there is no fail-open
// mode).

#include <security/pam_modules.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "authd/auth_calls.h"
#include "authd/fido2_device.h"
#include "options.h"

namespace authd::pam {

inline constexpr const char* kPrompt = "Verification code: ";
inline constexpr const char* kPinPrompt = "Security key PIN: ";
inline constexpr std::string_view kMsgUnavailable =
    "The verification service is unavailable. Try again later or ask IT support.";
inline constexpr std::string_view kMsgNotEnrolled =
    "No second factor is enrolled for your account.";
inline constexpr std::string_view kMsgUnsupported =
    "Your second factor cannot be used for this logon.";
inline constexpr std::string_view kMsgFailed = "Verification failed.";
inline constexpr std::string_view kMsgNoKey = "No security key found.";
inline constexpr std::string_view kMsgPinMissing = "Your security key needs its PIN.";
inline constexpr std::string_view kMsgPinInvalid = "Wrong security key PIN.";
inline constexpr std::string_view kMsgPinBlocked =
    "The PIN of your security key is blocked. Ask IT support.";
inline constexpr std::string_view kMsgNoPinSet =
    "Your security key has no PIN, but this logon requires one. Ask IT support.";
inline constexpr std::string_view kMsgKeyTimeout = "The security key was not touched in time.";
inline constexpr std::string_view kMsgKeyFailed = "The security key could not be used.";

struct Outcome {
  int pamCode = PAM_AUTH_ERR;  // default deny
  std::string userMessage;     // shown as PAM_ERROR_MSG unless empty
  std::string reason;          // reason class for the log, e.g. "reject", "unavailable:timeout"
  std::string detail;          // more for the log (client error text); never a secret
};

// The factors this logon may use: the user's active factors that the factor= option allows.
struct FactorPlan {
  bool fido2 = false;
  bool totp = false;
};
FactorPlan planFactors(const FactorsAnswer& answer, FactorChoice choice);

// After `factors`: nullopt means go on with planFactors(); otherwise the final outcome. An empty
// factor list is PAM_IGNORE when the group policy requires no second factor ("mfa": false) or
// with nouserok, a denial otherwise; enrolled factors are always asked for.
std::optional<Outcome> outcomeOfFactors(const CallResult<FactorsAnswer>& result, bool nouserok,
                                        FactorChoice choice);

// Any failed call to authd (e.g. `fido2_begin`).
Outcome outcomeOfCallError(const CallError& error);

// The key produced no assertion. nullopt only when no key holds a credential (noDevice,
// noMatchingKey) and the TOTP code may be used instead; every other failure is final, and none
// of them is ever a success.
std::optional<Outcome> outcomeOfKeyFailure(Fido2Failure failure, std::string detail,
                                           bool totpFallback);

// After `verify`.
Outcome outcomeOfVerify(const CallResult<VerifyAnswer>& result);

// The conversation failed or returned no answer.
Outcome outcomeOfConversationFailure(std::string detail);
// The user entered nothing.
Outcome outcomeOfEmptyCode();

// The directory password (option `password`): nullopt when it can be sent to authd; otherwise
// the denial (empty, or not a protocol string), decided before any code is asked for.
std::optional<Outcome> outcomeOfPassword(std::string_view password);

// "Too many failed attempts. ... try again in N minutes ..." with N rounded up, at least 1.
std::string lockedMessage(std::optional<std::int64_t> retryAfterSeconds);

}  // namespace authd::pam
