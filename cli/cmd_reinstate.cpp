// authctl reinstate USER CREDENTIAL_ID: clears the clone-suspected mark of a FIDO2 credential
// (fido2_reinstate) once the admin has checked that the user still holds the only copy of the key.

#include <memory>
#include <ostream>

#include "cli/commands.h"
#include "cli/response_reader.h"

namespace authd::cli {

namespace {

constexpr std::int64_t kMaxInt = (std::int64_t{1} << 53) - 1;

struct ReinstateOptions {
  std::string user;
  std::int64_t credentialId = 0;
};

// The answer may name the credential (as "credential_id" or "reinstated"); if it does, it must
// be the one asked for.
std::string answerProblem(const nlohmann::json& response, std::int64_t credentialId) {
  ResponseReader reader(response);
  for (const char* key : {"credential_id", "reinstated"}) {
    auto named = reader.optionalInteger(key, 0, kMaxInt);
    if (!reader.failed() && named && *named != credentialId) return "another credential id";
  }
  return reader.failed() ? reader.error() : "";
}

int runReinstate(Context& ctx, const ReinstateOptions& options) {
  nlohmann::json request = {
      {"op", "fido2_reinstate"}, {"user", options.user}, {"credential_id", options.credentialId}};
  int exitCode = kExitOk;
  auto response = callAuthd(ctx, request, &exitCode);
  if (!response) return exitCode;
  if (auto problem = answerProblem(*response, options.credentialId); !problem.empty()) {
    return fail(ctx, kExitFailed, "authd sent an invalid fido2_reinstate answer: " + problem);
  }
  if (ctx.options.json) {
    printJson(ctx, resultFields(*response));
  } else {
    ctx.out << "Reinstated credential " << options.credentialId << " of " << options.user
            << ": no longer clone-suspected. Its next logon must show a higher signature "
               "counter.\n";
  }
  return kExitOk;
}

}  // namespace

Runner setupReinstate(CLI::App& sub) {
  auto options = std::make_shared<ReinstateOptions>();
  sub.add_option("USER", options->user, "account name")->required()->check(userNameValidator());
  sub.add_option("CREDENTIAL_ID", options->credentialId, "the FIDO2 credential (see list)")
      ->required()
      ->check(credentialIdValidator());
  return [options](Context& ctx) { return runReinstate(ctx, *options); };
}

}  // namespace authd::cli
