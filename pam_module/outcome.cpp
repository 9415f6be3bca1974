#include "outcome.h"

#include <algorithm>

namespace authd::pam {

namespace {

Outcome make(int pamCode, std::string_view message, std::string reason, std::string detail = {}) {
  return Outcome{pamCode, std::string(message), std::move(reason), std::move(detail)};
}

// Any failed call. A request we could not even send (argument) is the user's input, not an
// outage: it is a plain denial. Everything else means "nothing was decided".
Outcome outcomeOfError(const CallError& error) {
  if (error.kind == CallError::Kind::argument) {
    return make(PAM_AUTH_ERR, kMsgFailed, "invalid_input", error.message);
  }
  std::string reason = "unavailable:" + std::string(callErrorKindName(error.kind));
  if (error.kind == CallError::Kind::server) reason += ":" + error.code;
  return make(PAM_AUTHINFO_UNAVAIL, kMsgUnavailable, std::move(reason), error.message);
}

bool hasFactor(const FactorsAnswer& answer, std::string_view factor) {
  return std::find(answer.factors.begin(), answer.factors.end(), factor) != answer.factors.end();
}

}  // namespace

std::string lockedMessage(std::optional<std::int64_t> retryAfterSeconds) {
  std::int64_t seconds = std::max<std::int64_t>(retryAfterSeconds.value_or(0), 0);
  std::int64_t minutes = std::max<std::int64_t>(seconds / 60 + (seconds % 60 != 0), 1);
  return "Too many failed attempts. Your second factor is locked; try again in " +
         std::to_string(minutes) + (minutes == 1 ? " minute" : " minutes") + " or ask IT support.";
}

std::optional<Outcome> outcomeOfFactors(const CallResult<FactorsAnswer>& result, bool nouserok) {
  if (!result.ok()) return outcomeOfError(result.error);
  const FactorsAnswer& answer = *result.answer;
  // Only this explicit, well-formed empty list may skip the module (cf. CVE-2020-24612).
  if (answer.factors.empty()) {
    if (nouserok) return make(PAM_IGNORE, {}, "nouserok");
    return make(PAM_AUTH_ERR, kMsgNotEnrolled, "no_factor");
  }
  if (answer.locked) return make(PAM_MAXTRIES, lockedMessage(answer.retryAfter), "locked");
  if (!hasFactor(answer, "totp")) return make(PAM_AUTH_ERR, kMsgUnsupported, "unsupported_factor");
  return std::nullopt;
}

Outcome outcomeOfVerify(const CallResult<VerifyAnswer>& result) {
  if (!result.ok()) return outcomeOfError(result.error);
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

}  // namespace authd::pam
