#pragma once
// The words of a logon attempt: which factor, which user-verification requirement, and why the
// attempt ended as it did. toString gives the exact audit and protocol words (docs/protocol.md),
// which tests, admins' scripts and the docs rely on: never change a word, add new ones.

#include <optional>
#include <string_view>

namespace authd {

enum class Factor { totp, fido2 };
const char* toString(Factor factor);

// WebAuthn's userVerification requirement of a logon challenge.
enum class UserVerification { required, preferred, discouraged };
const char* toString(UserVerification uv);
std::optional<UserVerification> userVerificationFrom(std::string_view text);

enum class LogonReason {
  ok,
  locked,
  // The account gate.
  unknownUser,
  accountDisabled,
  factorNotAllowed,
  // TOTP.
  noCredential,
  malformedCode,
  wrongCode,
  replayed,
  // FIDO2: the challenge and the key it allows (no signature checked yet).
  challengeUnknown,
  challengeMismatch,
  credentialNotAllowed,
  accountChanged,
  // FIDO2: the relying party's assertion checks (fido2/reasons.h).
  clientDataMismatch,
  malformedAuthData,
  rpIdMismatch,
  userPresenceMissing,
  userVerificationMissing,
  badSignature,
  algorithmNotAllowed,
  // FIDO2: the signature counter, checked in the write transaction.
  counterRegression,
  credentialSuspended,
  // The directory password, checked after the factor matched.
  wrongPassword,
  passwordCheckUnsupported,
  // `factors`: the account must use a second factor and has none it may use.
  noFactor,
};
const char* toString(LogonReason reason);

// The relying party's assertion refusal (a fido2::reason word); bad_signature for any other.
LogonReason assertionRefusal(std::string_view rpReason);

}  // namespace authd
