// authctl offline revoke USER [DEVICE]: withdraws the offline entries of a user (at one device or
// at all); each device drops its entry at its next contact with the central authd.

#include <memory>
#include <ostream>

#include "authd/protocol.h"
#include "cli/commands.h"
#include "cli/response_reader.h"

namespace authd::cli {

namespace {

struct OfflineRevokeOptions {
  std::string user;
  std::string device;  // empty: every device
};

int runOfflineRevoke(Context& ctx, const OfflineRevokeOptions& options) {
  nlohmann::json request = {{"op", "offline_revoke"}, {"user", options.user}};
  if (!options.device.empty()) request["device"] = options.device;
  int exitCode = kExitOk;
  auto response = callAuthd(ctx, request, &exitCode);
  if (!response) return exitCode;
  ResponseReader reader(*response);
  const std::int64_t withdrawn = reader.integer("withdrawn", 0, (std::int64_t{1} << 53) - 1);
  if (reader.failed()) {
    return fail(ctx, kExitFailed, "authd sent an invalid offline_revoke answer: " + reader.error());
  }
  if (ctx.options.json) {
    printJson(ctx, resultFields(*response));
  } else if (withdrawn == 0) {
    ctx.out << "No offline entry of " << options.user
            << (options.device.empty() ? "" : " at " + options.device)
            << " was standing; nothing to withdraw.\n";
  } else {
    ctx.out << "Withdrew " << withdrawn << " offline entr" << (withdrawn == 1 ? "y" : "ies")
            << " of " << options.user
            << "; each device drops it at its next contact with authd.\n";
  }
  return kExitOk;
}

}  // namespace

Runner setupOffline(CLI::App& sub) {
  sub.require_subcommand(1);
  CLI::App* revoke =
      sub.add_subcommand("revoke", "withdraw a user's offline entries (all devices, or one)");
  auto options = std::make_shared<OfflineRevokeOptions>();
  revoke->add_option("USER", options->user, "account name")
      ->required()
      ->check(userNameValidator());
  revoke->add_option("DEVICE", options->device, "device name (its certificate's CN)")
      ->check(userNameValidator());
  return [options](Context& ctx) { return runOfflineRevoke(ctx, *options); };
}

}  // namespace authd::cli
