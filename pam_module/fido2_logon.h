#pragma once
// The security-key path of a logon: `fido2_begin`, the key (PIN and touch through the PAM
// conversation), `verify` with factor fido2. The module decides nothing: only authd's accept of
// the assertion becomes PAM_SUCCESS.

#include <security/pam_modules.h>

#include <optional>
#include <string>
#include <string_view>

#include "authd/fido2_device.h"
#include "logon.h"
#include "options.h"
#include "outcome.h"

namespace authd::pam {

struct Fido2Attempt {
  std::optional<Outcome> outcome;  // final; nullopt: no key holds a credential, use the TOTP code
  std::string note;                // for the debug log: the key used, or why none was
};

// `totpFallback`: the user may use the TOTP code when no key is there. `password`: the directory
// password to send with `verify` (option `password`), copied only into the request.
Fido2Attempt tryFido2(pam_handle_t* pamh, const ModuleOptions& options, const Logon& logon,
                      const Fido2Manifest& manifest, bool totpFallback,
                      std::optional<std::string_view> password);

}  // namespace authd::pam
