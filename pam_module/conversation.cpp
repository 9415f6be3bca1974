#include "conversation.h"

#include <security/pam_ext.h>
#include <string.h>  // explicit_bzero

#include <cstdlib>

namespace authd::pam {

int promptSecret(pam_handle_t* pamh, const char* prompt, std::string* answer) {
  char* response = nullptr;
  int rc = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, &response, "%s", prompt);
  if (response != nullptr) {
    if (rc == PAM_SUCCESS) answer->assign(response);
    explicit_bzero(response, strlen(response));
    std::free(response);
  }
  return rc;
}

void showInstruction(pam_handle_t* pamh, std::string_view text) {
  const std::string line(text);
  pam_prompt(pamh, PAM_TEXT_INFO, nullptr, "%s", line.c_str());
}

void tellUser(pam_handle_t* pamh, int flags, const std::string& message) {
  if (message.empty() || (flags & PAM_SILENT) != 0) return;
  pam_prompt(pamh, PAM_ERROR_MSG, nullptr, "%s", message.c_str());
}

}  // namespace authd::pam
