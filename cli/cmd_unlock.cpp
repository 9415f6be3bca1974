// authctl unlock USER: clears the user's failure count and lock.

#include <memory>
#include <ostream>

#include "authd/protocol.h"
#include "cli/commands.h"
#include "cli/response_reader.h"

namespace authd::cli {

namespace {

struct UnlockOptions {
  std::string user;
};

int runUnlock(Context& ctx, const UnlockOptions& options) {
  nlohmann::json request = {{"op", "unlock"}, {"user", options.user}};
  int exitCode = kExitOk;
  auto response = callAuthd(ctx, request, &exitCode);
  if (!response) return exitCode;
  ResponseReader reader(*response);
  reader.text("user", protocol::kMaxUserBytes);
  const std::int64_t cleared = reader.integer("cleared_failures", 0, (std::int64_t{1} << 53) - 1);
  if (reader.failed()) {
    return fail(ctx, kExitFailed, "authd sent an invalid unlock answer: " + reader.error());
  }
  if (ctx.options.json) {
    printJson(ctx, resultFields(*response));
  } else {
    ctx.out << "Unlocked " << options.user << " (" << cleared << " failed attempt"
            << (cleared == 1 ? "" : "s") << " cleared).\n";
  }
  return kExitOk;
}

}  // namespace

Runner setupUnlock(CLI::App& sub) {
  auto options = std::make_shared<UnlockOptions>();
  sub.add_option("USER", options->user, "account name")->required()->check(userNameValidator());
  return [options](Context& ctx) { return runUnlock(ctx, *options); };
}

}  // namespace authd::cli
