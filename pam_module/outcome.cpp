#include "outcome.h"

#include <algorithm>

namespace authd::pam {

namespace {

Outcome make(int pamCode, std::string_view message, std::string reason, std::string detail = {}) {
  return Outcome{pamCode, std::string(message), std::move(reason), std::move(detail)};
}

bool hasFactor(const FactorsAnswer& answer, std::string_view factor) {
  return std::find(answer.factors.begin(), answer.factors.end(), factor) != answer.factors.end();
}

}  // namespace

// A request we could not even send (argument) is the user's input, not an outage: it is a plain
// denial. Everything else means "nothing was decided".
Outcome outcomeOfCallError(const CallError& error) {
  if (error.kind == CallError::Kind::argument) {
    return make(PAM_AUTH_ERR, kMsgFailed, "invalid_input", error.message);
  }
  std::string reason = "unavailable:" + std::string(callErrorKindName(error.kind));
  if (error.kind == CallError::Kind::server) reason += ":" + error.code;
  // The agent's word on why an offline logon cannot work is for the user; anything else is not.
  const std::string_view shown = error.userMessage.empty() ? kMsgUnavailable : error.userMessage;
  return make(PAM_AUTHINFO_UNAVAIL, shown, std::move(reason), error.message);
}

FactorPlan planFactors(const FactorsAnswer& answer, FactorChoice choice) {
  FactorPlan plan;
  plan.fido2 = choice != FactorChoice::totp && hasFactor(answer, "fido2");
  plan.totp = choice != FactorChoice::fido2 && hasFactor(answer, "totp");
  return plan;
}

std::string lockedMessage(std::optional<std::int64_t> retryAfterSeconds) {
  std::int64_t seconds = std::max<std::int64_t>(retryAfterSeconds.value_or(0), 0);
  std::int64_t minutes = std::max<std::int64_t>(seconds / 60 + (seconds % 60 != 0), 1);
  return "Too many failed attempts. Your second factor is locked; try again in " +
         std::to_string(minutes) + (minutes == 1 ? " minute" : " minutes") + " or ask IT support.";
}

std::optional<Outcome> outcomeOfFactors(const CallResult<FactorsAnswer>& result, bool nouserok,
                                        FactorChoice choice) {
  if (!result.ok()) return outcomeOfCallError(result.error);
  const FactorsAnswer& answer = *result.answer;
  // Only this explicit, well-formed empty list may skip the module (cf. CVE-2020-24612).
  if (answer.factors.empty()) {
    // The group policy's own answer, so its reason wins over nouserok in the log.
    if (!answer.mfaRequired) return make(PAM_IGNORE, {}, "mfa_not_required");
    if (nouserok) return make(PAM_IGNORE, {}, "nouserok");
    return make(PAM_AUTH_ERR, kMsgNotEnrolled, "no_factor");
  }
  if (answer.locked) return make(PAM_MAXTRIES, lockedMessage(answer.retryAfter), "locked");
  const FactorPlan plan = planFactors(answer, choice);
  if (!plan.fido2 && !plan.totp) return make(PAM_AUTH_ERR, kMsgUnsupported, "unsupported_factor");
  return std::nullopt;
}

Outcome outcomeOfVerify(const CallResult<VerifyAnswer>& result) {
  if (!result.ok()) return outcomeOfCallError(result.error);
  const VerifyAnswer& answer = *result.answer;
  switch (answer.decision) {
    case Decision::accept:
      return make(PAM_SUCCESS, {}, "accept");
    case Decision::locked:
      return make(PAM_MAXTRIES, answer.message, "locked");
    case Decision::reject:
      break;
  }
  return make(PAM_AUTH_ERR, answer.message, "reject");
}

Outcome outcomeOfConversationFailure(std::string detail) {
  return make(PAM_AUTH_ERR, {}, "conversation", std::move(detail));
}

Outcome outcomeOfEmptyCode() { return make(PAM_AUTH_ERR, kMsgFailed, "empty_code"); }

std::optional<Outcome> outcomeOfPassword(std::string_view password) {
  if (password.empty()) return make(PAM_AUTH_ERR, kMsgFailed, "no_password");
  if (!isSendablePassword(password)) {
    return make(PAM_AUTH_ERR, kMsgFailed, "invalid_input", "password cannot be sent to authd");
  }
  return std::nullopt;
}

std::optional<Outcome> outcomeOfKeyFailure(Fido2Failure failure, std::string detail,
                                           bool totpFallback) {
  switch (failure) {
    case Fido2Failure::noDevice:
    case Fido2Failure::noMatchingKey:
      if (totpFallback) return std::nullopt;
      return make(PAM_AUTH_ERR, kMsgNoKey, "no_key", std::move(detail));
    case Fido2Failure::pinRequired:
      return make(PAM_AUTH_ERR, kMsgPinMissing, "pin_missing", std::move(detail));
    case Fido2Failure::pinInvalid:
      return make(PAM_AUTH_ERR, kMsgPinInvalid, "pin_invalid", std::move(detail));
    case Fido2Failure::pinBlocked:
      return make(PAM_MAXTRIES, kMsgPinBlocked, "pin_blocked", std::move(detail));
    case Fido2Failure::noPinSet:
      return make(PAM_AUTH_ERR, kMsgNoPinSet, "no_pin_set", std::move(detail));
    case Fido2Failure::timeout:
      return make(PAM_AUTH_ERR, kMsgKeyTimeout, "key_timeout", std::move(detail));
    case Fido2Failure::none:  // no assertion without a failure is still no assertion
    case Fido2Failure::excluded:
    case Fido2Failure::device:
      break;
  }
  return make(PAM_AUTH_ERR, kMsgKeyFailed, "key_error", std::move(detail));
}

}  // namespace authd::pam
