// authctl confirm USER CREDENTIAL_ID [CODE]: activates a pending TOTP credential.

#include "cli/cmd_confirm.h"

#include <memory>
#include <ostream>

#include "authd/protocol.h"
#include "authd/wipe.h"
#include "cli/prompt.h"
#include "cli/response_reader.h"

namespace authd::cli {

namespace {

enum class Outcome { accepted, rejected, failed };

struct ConfirmOptions {
  std::string user;
  std::int64_t credentialId = 0;
  std::optional<std::string> code;
};

// One confirm_totp round trip; the code is wiped from the request afterwards.
Outcome sendCode(Context& ctx, const std::string& user, std::int64_t credentialId,
                 const std::string& code, int* exitCode) {
  nlohmann::json request = {
      {"op", "confirm_totp"}, {"user", user}, {"credential_id", credentialId}, {"code", code}};
  auto response = callAuthd(ctx, request, exitCode);
  wipeString(request["code"].get_ref<std::string&>());
  if (!response) return Outcome::failed;
  ResponseReader reader(*response);
  const std::string result = reader.text("result", 16);
  reader.optionalText("message", 1024);
  if (reader.failed() ||
      (result != protocol::result::kAccept && result != protocol::result::kReject)) {
    *exitCode = fail(ctx, kExitFailed,
                     "authd sent an invalid confirm_totp answer: " +
                         (reader.failed() ? reader.error() : "result \"" + result + "\""));
    return Outcome::failed;
  }
  if (ctx.options.json) printJson(ctx, resultFields(*response));
  return result == protocol::result::kAccept ? Outcome::accepted : Outcome::rejected;
}

int reportActive(Context& ctx, const std::string& user, std::int64_t credentialId) {
  if (!ctx.options.json) {
    ctx.out << "Credential " << credentialId << " of " << user << " is now active.\n";
  }
  return kExitOk;
}

int confirmPrompted(Context& ctx, const std::string& user, std::int64_t credentialId) {
  for (int attempt = 1; attempt <= kConfirmTries; ++attempt) {
    auto typed = promptLine(ctx, "Enter a current code from the app to activate: ");
    if (!typed)
      return fail(ctx, kExitFailed, "no code entered; " + pendingHint(user, credentialId));
    auto code = normalizeCode(*typed);
    wipeString(*typed);
    const int left = kConfirmTries - attempt;
    if (!code) {
      ctx.out << "A code is 6 or 8 digits";
    } else {
      int exitCode = kExitOk;
      Outcome outcome = sendCode(ctx, user, credentialId, *code, &exitCode);
      wipeString(*code);
      if (outcome == Outcome::failed) return exitCode;
      if (outcome == Outcome::accepted) return reportActive(ctx, user, credentialId);
      ctx.out << "That code was not accepted";
    }
    if (left > 0) ctx.out << " (" << left << (left == 1 ? " try" : " tries") << " left).\n";
  }
  ctx.out << ".\n";
  return fail(ctx, kExitFailed,
              "no valid code after " + std::to_string(kConfirmTries) + " tries; " +
                  pendingHint(user, credentialId));
}

}  // namespace

std::string pendingHint(const std::string& user, std::int64_t credentialId) {
  const std::string args = user + " " + std::to_string(credentialId);
  return "credential " + std::to_string(credentialId) + " of " + user +
         " stays pending: confirm it later with 'authctl confirm " + args +
         "' or remove it with 'authctl revoke " + args + "'";
}

int confirmCredential(Context& ctx, const std::string& user, std::int64_t credentialId,
                      std::optional<std::string> code) {
  if (!code) {
    if (ctx.options.json) {
      return fail(ctx, kExitUsage, "with --json the code must be given on the command line");
    }
    return confirmPrompted(ctx, user, credentialId);
  }
  auto normalized = normalizeCode(*code);
  wipeString(*code);
  if (!normalized) return fail(ctx, kExitUsage, "invalid code: expected 6 or 8 digits");
  int exitCode = kExitOk;
  Outcome outcome = sendCode(ctx, user, credentialId, *normalized, &exitCode);
  wipeString(*normalized);
  switch (outcome) {
    case Outcome::accepted:
      return reportActive(ctx, user, credentialId);
    case Outcome::rejected:
      return fail(ctx, kExitFailed, "code not accepted; " + pendingHint(user, credentialId));
    case Outcome::failed:
      break;
  }
  return exitCode;
}

Runner setupConfirm(CLI::App& sub) {
  auto options = std::make_shared<ConfirmOptions>();
  sub.add_option("USER", options->user, "account name")->required()->check(userNameValidator());
  sub.add_option("CREDENTIAL_ID", options->credentialId, "the pending credential (see list)")
      ->required()
      ->check(credentialIdValidator());
  sub.add_option("CODE", options->code,
                 "current code from the app; prompted for when omitted (3 tries)");
  return [options](Context& ctx) {
    int exitCode = confirmCredential(ctx, options->user, options->credentialId, options->code);
    if (options->code) wipeString(*options->code);
    return exitCode;
  };
}

}  // namespace authd::cli
