#include "authd/fido2_device.h"

namespace authd {

std::string_view toString(Fido2Failure failure) {
  switch (failure) {
    case Fido2Failure::none:
      return "none";
    case Fido2Failure::noDevice:
      return "no_device";
    case Fido2Failure::noMatchingKey:
      return "no_matching_key";
    case Fido2Failure::pinRequired:
      return "pin_required";
    case Fido2Failure::pinInvalid:
      return "pin_invalid";
    case Fido2Failure::pinBlocked:
      return "pin_blocked";
    case Fido2Failure::noPinSet:
      return "no_pin_set";
    case Fido2Failure::excluded:
      return "excluded";
    case Fido2Failure::timeout:
      return "timeout";
    case Fido2Failure::device:
      break;
  }
  return "device";
}

}  // namespace authd
