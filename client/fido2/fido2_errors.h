#pragma once
// libfido2 return codes as Fido2Failure values, and as text for logs.

#include <string>
#include <string_view>

#include "authd/fido2_device.h"

namespace authd::fido2_detail {

// `waitingForTouch`: the call was the one that waits for the user. A receive error there is a
// touch that never came (libfido2 reports a read timeout as FIDO_ERR_RX), or a key pulled out.
Fido2Failure failureOf(int rc, bool waitingForTouch);

// "<what>: FIDO_ERR_… (<code>)", never secret.
std::string describeFidoError(std::string_view what, int rc);

}  // namespace authd::fido2_detail
