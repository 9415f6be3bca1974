#pragma once
// The authentication flow of pam_authd.so: options, user, `factors`, security key and/or code
// prompt, `verify`, report.
// pam_entry.cpp only wraps this in the exported C entry point.

#include <security/pam_modules.h>

#include "authd/fido2_device.h"

namespace authd::pam {

// Returns the PAM code for pam_sm_authenticate. May throw (std::bad_alloc); the caller catches.
// Security keys are found through systemFido2Manifest() (libfido2's fido_dev_info_manifest).
int authenticate(pam_handle_t* pamh, int flags, int argc, const char** argv);

// The same with the security keys listed by `manifest` (tests hand in virtual keys).
int authenticate(pam_handle_t* pamh, int flags, int argc, const char** argv,
                 const Fido2Manifest& manifest);

}  // namespace authd::pam
