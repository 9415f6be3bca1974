#include "authd/logon/logon_reason.h"

#include "authd/fido2/reasons.h"

namespace authd {

const char* toString(Factor factor) { return factor == Factor::fido2 ? "fido2" : "totp"; }

const char* toString(UserVerification uv) {
  switch (uv) {
    case UserVerification::required:
      return "required";
    case UserVerification::discouraged:
      return "discouraged";
    case UserVerification::preferred:
      break;
  }
  return "preferred";
}

std::optional<UserVerification> userVerificationFrom(std::string_view text) {
  for (auto uv :
       {UserVerification::required, UserVerification::preferred, UserVerification::discouraged}) {
    if (text == toString(uv)) return uv;
  }
  return std::nullopt;
}

const char* toString(LogonReason reason) {
  switch (reason) {
    case LogonReason::ok:
      return "ok";
    case LogonReason::locked:
      return "locked";
    case LogonReason::unknownUser:
      return "unknown_user";
    case LogonReason::accountDisabled:
      return "account_disabled";
    case LogonReason::factorNotAllowed:
      return "factor_not_allowed";
    case LogonReason::noCredential:
      return "no_credential";
    case LogonReason::malformedCode:
      return "malformed_code";
    case LogonReason::wrongCode:
      return "wrong_code";
    case LogonReason::replayed:
      return "replayed";
    case LogonReason::challengeUnknown:
      return "challenge_unknown";
    case LogonReason::challengeMismatch:
      return "challenge_mismatch";
    case LogonReason::credentialNotAllowed:
      return "credential_not_allowed";
    case LogonReason::accountChanged:
      return "account_changed";
    case LogonReason::clientDataMismatch:
      return "client_data_mismatch";
    case LogonReason::malformedAuthData:
      return "malformed_auth_data";
    case LogonReason::rpIdMismatch:
      return "rp_id_mismatch";
    case LogonReason::userPresenceMissing:
      return "user_presence_missing";
    case LogonReason::userVerificationMissing:
      return "user_verification_missing";
    case LogonReason::badSignature:
      return "bad_signature";
    case LogonReason::algorithmNotAllowed:
      return "algorithm_not_allowed";
    case LogonReason::counterRegression:
      return "counter_regression";
    case LogonReason::credentialSuspended:
      return "credential_suspended";
    case LogonReason::wrongPassword:
      return "wrong_password";
    case LogonReason::passwordCheckUnsupported:
      return "password_check_unsupported";
    case LogonReason::noFactor:
      return "no_factor";
  }
  return "wrong_code";
}

LogonReason assertionRefusal(std::string_view rpReason) {
  namespace r = fido2::reason;
  static constexpr std::pair<std::string_view, LogonReason> kWords[] = {
      {r::kClientDataMismatch, LogonReason::clientDataMismatch},
      {r::kMalformedAuthData, LogonReason::malformedAuthData},
      {r::kRpIdMismatch, LogonReason::rpIdMismatch},
      {r::kUserPresenceMissing, LogonReason::userPresenceMissing},
      {r::kUserVerificationMissing, LogonReason::userVerificationMissing},
      {r::kBadSignature, LogonReason::badSignature},
      {r::kAlgorithmNotAllowed, LogonReason::algorithmNotAllowed},
  };
  for (const auto& [word, reason] : kWords) {
    if (word == rpReason) return reason;
  }
  return LogonReason::badSignature;
}

}  // namespace authd
