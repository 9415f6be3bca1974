#pragma once
// Getting the PIN a key needs: from the user through a PinPrompt, or (enrolment of a key without
// a PIN) by setting a new one. The PIN lands in a caller-owned string that the caller wipes.

#include <fido.h>

#include <functional>
#include <optional>
#include <string>

#include "authd/fido2_device.h"

namespace authd::fido2_detail {

struct PinStep {
  Fido2Failure failure = Fido2Failure::none;  // none: go on (with *pin, possibly empty)
  std::string message;
};

// Logon: which PIN the challenge's uv policy asks of this key. `pin` stays empty when none is
// needed (discouraged, or preferred on a key without a PIN).
PinStep pinForLogon(fido_dev_t* dev, const std::string& name, UvPolicy uv, const PinPrompt& prompt,
                    std::string* pin);

// Enrolment: a key with a PIN always needs it for makeCredential; a key without one gets a new PIN
// from `newPin` when uv is required.
PinStep pinForEnrolment(fido_dev_t* dev, const std::string& name, UvPolicy uv,
                        const PinPrompt& prompt,
                        const std::function<std::optional<std::string>()>& newPin,
                        std::string* pin);

}  // namespace authd::fido2_detail
