#include "authenticate.h"

#include <security/pam_ext.h>
#include <syslog.h>

#include <span>
#include <string>

#include "authd/auth_calls.h"
#include "authd/client.h"
#include "conversation.h"
#include "directory_password.h"
#include "fido2_logon.h"
#include "log_text.h"
#include "logon.h"
#include "options.h"
#include "outcome.h"

namespace authd::pam {

namespace {

std::string itemString(pam_handle_t* pamh, int type) {
  const void* item = nullptr;
  if (pam_get_item(pamh, type, &item) != PAM_SUCCESS || item == nullptr) return {};
  return static_cast<const char*>(item);
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
  pam_syslog(pamh, LOG_DEBUG, "factors user=%s factors=[%s] locked=%s mfa=%s",
             forLog(logon.user).c_str(), list.c_str(), result.answer->locked ? "true" : "false",
             result.answer->mfaRequired ? "true" : "false");
}

std::chrono::milliseconds callTimeout(const ModuleOptions& options) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(options.timeout);
}

const char* factorChoiceName(FactorChoice choice) {
  switch (choice) {
    case FactorChoice::fido2:
      return "fido2";
    case FactorChoice::totp:
      return "totp";
    case FactorChoice::any:
      break;
  }
  return "any";
}

// The code prompt and `verify` with factor totp (and the directory password, when given).
Outcome runTotp(pam_handle_t* pamh, const ModuleOptions& options, const Logon& logon,
                std::optional<std::string_view> password) {
  VerifyRequest request;  // wipes the code and the password on every return path
  int rc = promptSecret(pamh, kPrompt, &request.code);
  if (rc != PAM_SUCCESS) return outcomeOfConversationFailure(pam_strerror(pamh, rc));
  if (request.code.empty()) return outcomeOfEmptyCode();
  request.user = logon.user;
  request.factor = "totp";
  request.service = logon.service;
  request.rhost = logon.rhost;
  request.tty = logon.tty;
  if (password) request.password.emplace(*password);
  if (options.debug) {
    pam_syslog(pamh, LOG_DEBUG, "verify user=%s factor=totp password=%s",
               forLog(logon.user).c_str(), password ? "sent" : "none");
  }
  Client client(options.socketPath, callTimeout(options));
  return outcomeOfVerify(verifyCode(client, request));
}

// `factors`: nullopt with *plan set when the user is to be asked; otherwise the final outcome.
std::optional<Outcome> queryPlan(pam_handle_t* pamh, const ModuleOptions& options,
                                 const Logon& logon, FactorPlan* plan) {
  Client client(options.socketPath, callTimeout(options));
  auto factors = queryFactors(client, logon.user, logon.service);
  if (options.debug) logFactors(pamh, logon, factors);
  if (auto decided = outcomeOfFactors(factors, options.nouserok, options.factor)) return decided;
  *plan = planFactors(*factors.answer, options.factor);
  return std::nullopt;
}

// `factors`, the directory password (option `password`), then the security key and/or the code.
// The password comes first, as users expect, and before the key so that a slow typist does not
// outlive the key's challenge. Each call gets its own connection: the user may take longer to
// type or touch than authd keeps an idle connection open.
Outcome runFlow(pam_handle_t* pamh, const ModuleOptions& options, const Logon& logon,
                const Fido2Manifest& manifest) {
  FactorPlan plan;
  if (auto decided = queryPlan(pamh, options, logon, &plan)) return std::move(*decided);
  std::optional<std::string_view> password;
  if (options.password) {
    if (auto denied = readDirectoryPassword(pamh, &password)) return std::move(*denied);
  }
  if (plan.fido2) {
    Fido2Attempt attempt = tryFido2(pamh, options, logon, manifest, plan.totp, password);
    if (options.debug) {
      pam_syslog(pamh, LOG_DEBUG, "fido2 user=%s %s", forLog(logon.user).c_str(),
                 forLog(attempt.note).c_str());
    }
    if (attempt.outcome) return std::move(*attempt.outcome);
  }
  return runTotp(pamh, options, logon, password);
}

}  // namespace

int authenticate(pam_handle_t* pamh, int flags, int argc, const char** argv) {
  return authenticate(pamh, flags, argc, argv, systemFido2Manifest());
}

int authenticate(pam_handle_t* pamh, int flags, int argc, const char** argv,
                 const Fido2Manifest& manifest) {
  std::string error;
  std::span<const char* const> args(argv, argv != nullptr && argc > 0 ? argc : 0);
  auto options = parseOptions(args, &error);
  if (!options) {
    // Fail closed: a misspelt option must not turn the module into a no-op.
    pam_syslog(pamh, LOG_ERR, "refusing to authenticate: %s", forLog(error).c_str());
    return PAM_SERVICE_ERR;
  }
  if (options->debug) {
    pam_syslog(pamh, LOG_DEBUG, "options socket=%s timeout=%lld nouserok=%d factor=%s password=%d",
               forLog(options->socketPath).c_str(),
               static_cast<long long>(options->timeout.count()), options->nouserok ? 1 : 0,
               factorChoiceName(options->factor), options->password ? 1 : 0);
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

  Outcome outcome = runFlow(pamh, *options, logon, manifest);
  tellUser(pamh, flags, outcome.userMessage);
  logOutcome(pamh, *options, logon, outcome);
  return outcome.pamCode;
}

}  // namespace authd::pam
