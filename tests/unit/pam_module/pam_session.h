#pragma once
// Test side of PAM: a real libpam handle whose conversation answers prompts from a script and
// records every message, so the module's authenticate() runs as under a real application.

#include <doctest/doctest.h>
#include <security/pam_appl.h>
#include <stdlib.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "authenticate.h"

namespace authd::test {

// The application side of the conversation: answers prompts from a script, records messages.
struct Conversation {
  std::optional<std::string> answer;  // nullopt: the conversation fails
  std::vector<std::pair<int, std::string>> seen;
  std::map<std::string, std::string> answers = {};  // by prompt text; others get `answer`

  std::optional<std::string> answerTo(const std::string& prompt) const {
    auto it = answers.find(prompt);
    return it != answers.end() ? std::optional<std::string>(it->second) : answer;
  }
};

inline int converse(int n, const pam_message** msgs, pam_response** resp, void* data) {
  auto* conv = static_cast<Conversation*>(data);
  auto* out = static_cast<pam_response*>(std::calloc(static_cast<std::size_t>(n), sizeof(**resp)));
  for (int i = 0; i < n; ++i) {
    conv->seen.emplace_back(msgs[i]->msg_style, msgs[i]->msg);
    bool prompt =
        msgs[i]->msg_style == PAM_PROMPT_ECHO_OFF || msgs[i]->msg_style == PAM_PROMPT_ECHO_ON;
    auto answer = prompt ? conv->answerTo(msgs[i]->msg) : std::nullopt;
    if (prompt && !answer) {
      for (int k = 0; k < i; ++k) std::free(out[k].resp);
      std::free(out);
      return PAM_CONV_ERR;
    }
    if (prompt) out[i].resp = ::strdup(answer->c_str());
  }
  *resp = out;
  return PAM_SUCCESS;
}

// A private PAM configuration directory whose service "authd-unit" is `stack`.
inline std::string makeConfDir(const std::string& stack) {
  char dir[] = "/tmp/authd-pamconf-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  std::ofstream(std::string(dir) + "/authd-unit") << stack;
  return dir;
}

// A PAM handle from libpam itself, configured from a private directory; the test calls
// authenticate() directly, so the configured stack never runs.
class PamSession {
 public:
  PamSession(const char* user, Conversation* conv)
      : confDir_(makeConfDir("auth required pam_deny.so\n")) {
    pam_conv c{converse, conv};
    int rc = pam_start_confdir("authd-unit", user, &c, confDir_.c_str(), &pamh_);
    if (rc != PAM_SUCCESS) std::filesystem::remove_all(confDir_);  // no destructor after a throw
    REQUIRE(rc == PAM_SUCCESS);
    pam_set_item(pamh_, PAM_RHOST, "203.0.113.5");
    pam_set_item(pamh_, PAM_TTY, "pts/3");
  }
  ~PamSession() {
    pam_end(pamh_, PAM_SUCCESS);
    std::filesystem::remove_all(confDir_);
  }
  PamSession(const PamSession&) = delete;
  PamSession& operator=(const PamSession&) = delete;

  // The exported entry's behaviour: security keys from the system's manifest.
  int run(std::vector<std::string> args, int flags = 0) {
    std::vector<const char*> argv = pointers(args);
    return authd::pam::authenticate(pamh_, flags, static_cast<int>(argv.size()), argv.data());
  }

  // With the security keys `manifest` lists (virtual keys).
  int runWithKeys(const authd::Fido2Manifest& manifest, std::vector<std::string> args,
                  int flags = 0) {
    std::vector<const char*> argv = pointers(args);
    return authd::pam::authenticate(pamh_, flags, static_cast<int>(argv.size()), argv.data(),
                                    manifest);
  }

  // For tests of the module's parts (called as the application: PAM_AUTHTOK is out of reach).
  pam_handle_t* handle() { return pamh_; }

 private:
  static std::vector<const char*> pointers(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    return argv;
  }
  std::string confDir_;
  pam_handle_t* pamh_ = nullptr;
};

inline bool sawMessage(const Conversation& conv, int style, const std::string& text) {
  for (const auto& [s, t] : conv.seen) {
    if (s == style && t == text) return true;
  }
  return false;
}

}  // namespace authd::test
