// authctl revoke USER CREDENTIAL_ID: removes a credential; its sealed secret is erased by authd.

#include <memory>
#include <ostream>

#include "cli/commands.h"
#include "cli/response_reader.h"

namespace authd::cli {

namespace {

struct RevokeOptions {
  std::string user;
  std::int64_t credentialId = 0;
};

int runRevoke(Context& ctx, const RevokeOptions& options) {
  nlohmann::json request = {
      {"op", "revoke"}, {"user", options.user}, {"credential_id", options.credentialId}};
  int exitCode = kExitOk;
  auto response = callAuthd(ctx, request, &exitCode);
  if (!response) return exitCode;
  ResponseReader reader(*response);
  const std::int64_t revoked = reader.integer("revoked", 0, (std::int64_t{1} << 53) - 1);
  if (reader.failed() || revoked != options.credentialId) {
    return fail(ctx, kExitFailed,
                "authd sent an invalid revoke answer: " +
                    (reader.failed() ? reader.error() : "another credential id"));
  }
  if (ctx.options.json) {
    printJson(ctx, resultFields(*response));
  } else {
    ctx.out << "Revoked credential " << revoked << " of " << options.user << ".\n";
  }
  return kExitOk;
}

}  // namespace

Runner setupRevoke(CLI::App& sub) {
  auto options = std::make_shared<RevokeOptions>();
  sub.add_option("USER", options->user, "account name")->required()->check(userNameValidator());
  sub.add_option("CREDENTIAL_ID", options->credentialId, "the credential (see list)")
      ->required()
      ->check(credentialIdValidator());
  return [options](Context& ctx) { return runRevoke(ctx, *options); };
}

}  // namespace authd::cli
