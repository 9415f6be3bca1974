#include "authenticate.h"

#include <security/pam_ext.h>
#include <string.h>  // explicit_bzero
#include <syslog.h>

#include <cstdlib>
#include <span>
#include <string>

#include "authd/auth_calls.h"
#include "authd/client.h"
#include "options.h"
#include "outcome.h"

namespace authd::pam {

namespace {

// Context of one logon, from PAM items. Not secret.
struct Logon {
  std::string user;
  std::string service;
  std::string rhost;
  std::string tty;
};

std::string itemString(pam_handle_t* pamh, int type) {
  const void* item = nullptr;
  if (pam_get_item(pamh, type, &item) != PAM_SUCCESS || item == nullptr) return {};
  return static_cast<const char*>(item);
}

// User names and hosts may come from the remote side: one bounded line per log entry.
std::string forLog(std::string_view s) {
  if (s.empty()) return "-";
  std::string out(s.substr(0, 256));
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = '?';
  }
  return out;
}

void tellUser(pam_handle_t* pamh, int flags, const std::string& message) {
  if (message.empty() || (flags & PAM_SILENT) != 0) return;
  pam_prompt(pamh, PAM_ERROR_MSG, nullptr, "%s", message.c_str());
}

// Asks for the code with echo off through the application's conversation. The response buffer
// is wiped and freed here; the code lives on only in *code.
int promptCode(pam_handle_t* pamh, std::string* code) {
  char* response = nullptr;
  int rc = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, &response, "%s", kPrompt);
  if (response != nullptr) {
    if (rc == PAM_SUCCESS) code->assign(response);
    explicit_bzero(response, strlen(response));
    std::free(response);
  }
  return rc;
}

int logPriority(int pamCode) {
  switch (pamCode) {
    case PAM_SUCCESS:
    case PAM_IGNORE:
      return LOG_INFO;
    case PAM_AUTHINFO_UNAVAIL:
      return LOG_ERR;
    default:
      return LOG_NOTICE;
  }
}

const char* resultWord(int pamCode) {
  if (pamCode == PAM_SUCCESS) return "accept";
  if (pamCode == PAM_IGNORE) return "ignore";
  return "deny";
}

void logOutcome(pam_handle_t* pamh, const ModuleOptions& options, const Logon& logon,
                const Outcome& outcome) {
  std::string line = std::string("result=") + resultWord(outcome.pamCode) +
                     " reason=" + outcome.reason + " user=" + forLog(logon.user) +
                     " service=" + forLog(logon.service);
  if (options.debug) line += " rhost=" + forLog(logon.rhost) + " tty=" + forLog(logon.tty);
  if (!outcome.detail.empty()) line += " detail=\"" + forLog(outcome.detail) + "\"";
  pam_syslog(pamh, logPriority(outcome.pamCode), "%s", line.c_str());
}

void logFactors(pam_handle_t* pamh, const Logon& logon, const CallResult<FactorsAnswer>& result) {
  if (!result.ok()) return;  // the outcome's log line carries the error
  std::string list;
  for (const auto& f : result.answer->factors) list += (list.empty() ? "" : ",") + forLog(f);
  pam_syslog(pamh, LOG_DEBUG, "factors user=%s factors=[%s] locked=%s", forLog(logon.user).c_str(),
             list.c_str(), result.answer->locked ? "true" : "false");
}

// `factors`, then prompt and `verify`. Each call gets its own connection: the user may take
// longer to type than authd keeps an idle connection open.
Outcome runFlow(pam_handle_t* pamh, const ModuleOptions& options, const Logon& logon) {
  const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(options.timeout);
  {
    Client client(options.socketPath, timeout);
    auto factors = queryFactors(client, logon.user, logon.service);
    if (options.debug) logFactors(pamh, logon, factors);
    if (auto decided = outcomeOfFactors(factors, options.nouserok)) return std::move(*decided);
  }
  VerifyRequest request;  // wipes the code on every return path
  int rc = promptCode(pamh, &request.code);
  if (rc != PAM_SUCCESS) return outcomeOfConversationFailure(pam_strerror(pamh, rc));
  if (request.code.empty()) return outcomeOfEmptyCode();
  request.user = logon.user;
  request.factor = "totp";
  request.service = logon.service;
  request.rhost = logon.rhost;
  request.tty = logon.tty;
  if (options.debug) {
    pam_syslog(pamh, LOG_DEBUG, "verify user=%s factor=totp", forLog(logon.user).c_str());
  }
  Client client(options.socketPath, timeout);
  return outcomeOfVerify(verifyCode(client, request));
}

}  // namespace

int authenticate(pam_handle_t* pamh, int flags, int argc, const char** argv) {
  std::string error;
  std::span<const char* const> args(argv, argv != nullptr && argc > 0 ? argc : 0);
  auto options = parseOptions(args, &error);
  if (!options) {
    // Fail closed: a misspelt option must not turn the module into a no-op.
    pam_syslog(pamh, LOG_ERR, "refusing to authenticate: %s", forLog(error).c_str());
    return PAM_SERVICE_ERR;
  }
  if (options->debug) {
    pam_syslog(pamh, LOG_DEBUG, "options socket=%s timeout=%lld nouserok=%d",
               forLog(options->socketPath).c_str(),
               static_cast<long long>(options->timeout.count()), options->nouserok ? 1 : 0);
  }
  Logon logon;
  const char* user = nullptr;
  int rc = pam_get_user(pamh, &user, nullptr);
  if (rc != PAM_SUCCESS || user == nullptr || *user == '\0') {
    pam_syslog(pamh, LOG_NOTICE, "result=deny reason=no_user detail=\"%s\"",
               rc == PAM_SUCCESS ? "empty user name" : pam_strerror(pamh, rc));
    return PAM_AUTH_ERR;
  }
  logon.user = user;
  logon.service = itemString(pamh, PAM_SERVICE);
  logon.rhost = itemString(pamh, PAM_RHOST);
  logon.tty = itemString(pamh, PAM_TTY);

  Outcome outcome = runFlow(pamh, *options, logon);
  tellUser(pamh, flags, outcome.userMessage);
  logOutcome(pamh, *options, logon, outcome);
  return outcome.pamCode;
}

}  // namespace authd::pam
