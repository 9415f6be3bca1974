#pragma once
// The module's side of the PAM conversation: prompts, instructions and messages to the user.

#include <security/pam_modules.h>

#include <string>
#include <string_view>

namespace authd::pam {

// Asks with echo off (code, PIN). The response buffer is wiped and freed here; the answer lives on
// only in *answer. Returns the conversation's PAM code.
int promptSecret(pam_handle_t* pamh, const char* prompt, std::string* answer);

// PAM_TEXT_INFO, also under PAM_SILENT: like a prompt, it tells the user what to do next (touch
// the key), and the logon cannot go on without it.
void showInstruction(pam_handle_t* pamh, std::string_view text);

// PAM_ERROR_MSG, unless the message is empty or the application asked for PAM_SILENT.
void tellUser(pam_handle_t* pamh, int flags, const std::string& message);

}  // namespace authd::pam
