#pragma once
// The authentication flow of pam_authd.so: options, user, `factors`, prompt, `verify`, report.
// pam_entry.cpp only wraps this in the exported C entry point.

#include <security/pam_modules.h>

namespace authd::pam {

// Returns the PAM code for pam_sm_authenticate. May throw (std::bad_alloc); the caller catches.
int authenticate(pam_handle_t* pamh, int flags, int argc, const char** argv);

}  // namespace authd::pam
