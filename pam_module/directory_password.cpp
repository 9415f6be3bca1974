#include "directory_password.h"

#include <security/pam_ext.h>

namespace authd::pam {

std::optional<Outcome> readDirectoryPassword(pam_handle_t* pamh,
                                             std::optional<std::string_view>* password) {
  const char* token = nullptr;
  const int rc = pam_get_authtok(pamh, PAM_AUTHTOK, &token, nullptr);
  if (rc != PAM_SUCCESS || token == nullptr) {
    return outcomeOfConversationFailure(rc != PAM_SUCCESS ? pam_strerror(pamh, rc) : "no token");
  }
  if (auto denied = outcomeOfPassword(token)) return denied;
  password->emplace(token);
  return std::nullopt;
}

}  // namespace authd::pam
