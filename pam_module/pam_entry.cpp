// The only exported symbols of pam_authd.so. Everything else is hidden and lives in
// pam_authd_logic; no exception may cross into the C caller.

#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <syslog.h>

#include <exception>

#include "authenticate.h"
#include "log_text.h"

#define AUTHD_PAM_EXPORT __attribute__((visibility("default")))

namespace {

// The exception's text escaped like every other logged field: it may quote bytes from outside.
void logInternalError(pam_handle_t* pamh, const char* what) noexcept {
  try {
    pam_syslog(pamh, LOG_ERR, "result=deny reason=internal detail=\"%s\"",
               authd::pam::forLog(what).c_str());
  } catch (...) {
    pam_syslog(pamh, LOG_ERR, "result=deny reason=internal detail=\"unprintable\"");
  }
}

}  // namespace

extern "C" {

AUTHD_PAM_EXPORT int pam_sm_authenticate(pam_handle_t* pamh, int flags, int argc,
                                         const char** argv) {
  try {
    return authd::pam::authenticate(pamh, flags, argc, argv);
  } catch (const std::exception& e) {
    logInternalError(pamh, e.what());
  } catch (...) {
    pam_syslog(pamh, LOG_ERR, "result=deny reason=internal detail=\"unknown exception\"");
  }
  return PAM_SERVICE_ERR;
}

// The module establishes no credentials; it only takes part in the auth stack.
AUTHD_PAM_EXPORT int pam_sm_setcred(pam_handle_t*, int, int, const char**) { return PAM_SUCCESS; }

}  // extern "C"
