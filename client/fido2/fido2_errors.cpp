#include "fido2_errors.h"

#include <fido.h>

namespace authd::fido2_detail {

Fido2Failure failureOf(int rc, bool waitingForTouch) {
  switch (rc) {
    case FIDO_OK:
      return Fido2Failure::none;
    case FIDO_ERR_PIN_INVALID:
      return Fido2Failure::pinInvalid;
    case FIDO_ERR_PIN_BLOCKED:
    case FIDO_ERR_PIN_AUTH_BLOCKED:
    case FIDO_ERR_UV_BLOCKED:
      return Fido2Failure::pinBlocked;
    case FIDO_ERR_PIN_REQUIRED:
      return Fido2Failure::pinRequired;
    case FIDO_ERR_PIN_NOT_SET:
      return Fido2Failure::noPinSet;
    case FIDO_ERR_NO_CREDENTIALS:
      return Fido2Failure::noMatchingKey;
    case FIDO_ERR_CREDENTIAL_EXCLUDED:
      return Fido2Failure::excluded;
    case FIDO_ERR_ACTION_TIMEOUT:
    case FIDO_ERR_USER_ACTION_TIMEOUT:
      return Fido2Failure::timeout;
    case FIDO_ERR_RX:
      return waitingForTouch ? Fido2Failure::timeout : Fido2Failure::device;
    default:
      return Fido2Failure::device;
  }
}

std::string describeFidoError(std::string_view what, int rc) {
  const char* name = fido_strerr(rc);
  return std::string(what) + ": " + (name != nullptr ? name : "unknown error") + " (" +
         std::to_string(rc) + ")";
}

}  // namespace authd::fido2_detail
