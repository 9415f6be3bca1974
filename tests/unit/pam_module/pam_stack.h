#pragma once
// A whole PAM stack run by libpam itself (pam_authenticate): every module is loaded from its
// file, pam_authd.so included, and gets the module side of the handle. Needed for what a direct
// authenticate() call cannot show: libpam gives PAM_AUTHTOK to modules only, never to the
// application, so handing a password from one module to the next happens only in a real stack.

#include <doctest/doctest.h>
#include <security/pam_appl.h>

#include <filesystem>
#include <string>

#include "unit/pam_module/pam_session.h"

namespace authd::test {

// pam_authd.so of this build tree. AUTHD_PAM_MODULE_PATH when the build defines it; otherwise
// the tree's layout: <build>/tests/unit_pam_module next to <build>/pam_authd.so.
inline std::string pamAuthdModulePath() {
#ifdef AUTHD_PAM_MODULE_PATH
  return AUTHD_PAM_MODULE_PATH;
#else
  const auto exe = std::filesystem::read_symlink("/proc/self/exe");
  return (exe.parent_path().parent_path() / "pam_authd.so").string();
#endif
}

class PamStack {
 public:
  // `stack`: the lines of the service file; "{pam_authd}" stands for pamAuthdModulePath().
  PamStack(const char* user, Conversation* conv, std::string stack) {
    const std::string module = pamAuthdModulePath();
    REQUIRE_MESSAGE(std::filesystem::exists(module), "build target pam_authd first: " << module);
    for (auto at = stack.find("{pam_authd}"); at != std::string::npos;
         at = stack.find("{pam_authd}")) {
      stack.replace(at, 11, module);
    }
    confDir_ = makeConfDir(stack);
    pam_conv c{converse, conv};
    int rc = pam_start_confdir("authd-unit", user, &c, confDir_.c_str(), &pamh_);
    if (rc != PAM_SUCCESS) std::filesystem::remove_all(confDir_);  // no destructor after a throw
    REQUIRE(rc == PAM_SUCCESS);
  }
  ~PamStack() {
    pam_end(pamh_, PAM_SUCCESS);
    std::filesystem::remove_all(confDir_);
  }
  PamStack(const PamStack&) = delete;
  PamStack& operator=(const PamStack&) = delete;

  int authenticate(int flags = 0) { return pam_authenticate(pamh_, flags); }

 private:
  std::string confDir_;
  pam_handle_t* pamh_ = nullptr;
};

}  // namespace authd::test
