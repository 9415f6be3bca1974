#include "cli/commands.h"

#include <cstdlib>
#include <memory>
#include <ostream>
#include <sstream>
#include <vector>

#include "authd/protocol.h"
#include "authd/wipe.h"
#include "cli/response_reader.h"

namespace authd::cli {

namespace {

constexpr std::int64_t kMaxProtocolInt = (std::int64_t{1} << 53) - 1;

std::string seconds(double value) {
  std::ostringstream text;
  text << value << " s";
  return text.str();
}

std::string fromEnv(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// --socket and --server choose the transport; the environment gives defaults for both.
struct TransportChoice {
  CLI::Option* socket = nullptr;
  CLI::Option* server = nullptr;
};

TransportChoice addGlobalOptions(CLI::App& app, GlobalOptions* options) {
  TransportChoice choice;
  choice.socket = app.add_option(
      "--socket", options->socketPath,
      "authd socket (default: $AUTHD_SOCKET or " + std::string(protocol::kDefaultSocketPath) + ")");
  choice.server = app.add_option("--server", options->server,
                                 "authd's network listener over mutual TLS instead of the socket "
                                 "(default: $AUTHD_SERVER; port " +
                                     std::to_string(kDefaultServerPort) + " if none is given)");
  choice.server->type_name("HOST[:PORT]");
  app.add_option("--cert", options->certFile,
                 "with --server: admin certificate, PEM (default: $AUTHD_CERT)");
  app.add_option("--key", options->keyFile,
                 "with --server: its private key, PEM (default: $AUTHD_KEY)");
  app.add_option("--ca", options->caFile,
                 "with --server: CA of authd's certificate, PEM (default: $AUTHD_CA)");
  app.add_option("--timeout", options->timeoutSeconds, "seconds to wait for authd (default 10)")
      ->check(CLI::Range(0.1, 3600.0));
  app.add_flag("--json", options->json, "print authd's result as JSON, for scripts");
  app.set_version_flag("--version", "authctl " AUTHD_VERSION);
  return choice;
}

void setEnvironmentDefaults(GlobalOptions* options) {
  options->socketPath = defaultSocketPath();
  options->server = fromEnv("AUTHD_SERVER");
  options->certFile = fromEnv("AUTHD_CERT");
  options->keyFile = fromEnv("AUTHD_KEY");
  options->caFile = fromEnv("AUTHD_CA");
}

// Why the transport cannot be chosen as given; nullopt when it can. A --socket on the command
// line wins over $AUTHD_SERVER, but not over --server.
std::optional<std::string> chooseTransportOptions(const TransportChoice& choice,
                                                  GlobalOptions* options) {
  if (choice.socket->count() > 0) {
    if (choice.server->count() > 0) return "--socket and --server exclude each other";
    options->server.clear();
  }
  return serverOptionsProblem(*options);
}

}  // namespace

int runCommandTable(std::span<const Command> commands, int argc, const char* const* argv,
                    const TransportFactory& makeTransport, std::istream& in, std::ostream& out,
                    std::ostream& err, bool interactive, std::int64_t now,
                    const Fido2Manifest& fido2Manifest) {
  GlobalOptions options;
  setEnvironmentDefaults(&options);
  CLI::App app("authctl: administer authd second factors (enrolment, lockouts, audit log)",
               "authctl");
  const TransportChoice choice = addGlobalOptions(app, &options);
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the command
  std::vector<std::pair<CLI::App*, Runner>> runners;
  for (const Command& command : commands) {
    CLI::App* sub = app.add_subcommand(command.name, command.help);
    runners.emplace_back(sub, command.setup(*sub));
  }
  Context ctx{options, nullptr, in, out, err, interactive, now, fido2Manifest};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return app.exit(e, out, err);  // --help, --version
    }
    return fail(ctx, kExitUsage, std::string(e.what()) + " (see authctl --help)");
  }
  if (auto problem = chooseTransportOptions(choice, &options)) {
    return fail(ctx, kExitUsage, *problem + " (see authctl --help)");
  }
  ctx.options = options;
  ctx.transport = makeTransport(options);
  for (auto& [sub, runner] : runners) {
    if (sub->parsed()) return runner(ctx);
  }
  return fail(ctx, kExitUsage, "no command given (see authctl --help)");
}

Transport socketTransport(const GlobalOptions& options) {
  auto timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(options.timeoutSeconds * 1000));
  auto client = std::make_shared<Client>(options.socketPath, timeout);
  return [client](const nlohmann::json& request, ClientError* error) {
    return client->call(request, error);
  };
}

int fail(Context& ctx, int exitCode, std::string_view message) {
  ctx.err << "authctl: " << message << std::endl;
  return exitCode;
}

int exitCodeForClientError(const ClientError& error) {
  switch (error.kind) {
    case ClientError::Kind::connect:
    case ClientError::Kind::timeout:
    case ClientError::Kind::io:
      return kExitUnreachable;
    case ClientError::Kind::protocol:
    case ClientError::Kind::none:
      break;
  }
  return kExitFailed;
}

std::string describeClientError(const ClientError& error, const GlobalOptions& options) {
  const bool network = !options.server.empty();
  const std::string where = network ? printable(options.server) : options.socketPath;
  const std::string hint =
      network ? "; check --server and the TLS files (--cert, --key, --ca)"
              : "; is authd running? (--socket or $AUTHD_SOCKET choose the socket)";
  switch (error.kind) {
    case ClientError::Kind::connect: {
      // Client says "cannot connect to PATH: reason"; keep only the reason.
      std::string detail = error.message;
      const std::string prefix = "cannot connect to " + where + ": ";
      if (detail.rfind(prefix, 0) == 0) detail.erase(0, prefix.size());
      return "cannot reach authd at " + where + ": " + printable(detail) + hint;
    }
    case ClientError::Kind::timeout:
      return "authd at " + where + " did not answer within " + seconds(options.timeoutSeconds) +
             hint;
    case ClientError::Kind::io:
      return "lost the connection to authd at " + where + ": " + printable(error.message) + hint;
    case ClientError::Kind::protocol:
    case ClientError::Kind::none:
      break;
  }
  return "authd at " + where + " sent an invalid response: " + printable(error.message);
}

std::string describeServerError(const nlohmann::json& response) {
  ResponseReader reader(response);
  std::string code = printable(reader.anyText("error", 64));
  std::string message = printable(reader.anyText("message", 1024));
  if (code.empty()) code = "unknown error";
  if (message.empty()) message = "authd refused the request";
  return message + " (" + code + ")";
}

std::optional<nlohmann::json> callAuthd(Context& ctx, const nlohmann::json& request,
                                        int* exitCode) {
  ClientError error;
  auto response = ctx.transport(request, &error);
  if (!response) {
    *exitCode = fail(ctx, exitCodeForClientError(error), describeClientError(error, ctx.options));
    return std::nullopt;
  }
  const auto ok = response->find("ok");
  if (ok == response->end() || !ok->is_boolean() || !ok->get<bool>()) {
    std::string message = describeServerError(*response);
    // authd's refusal speaks of local callers; over the network it is the certificate's name.
    if (!ctx.options.server.empty() &&
        ResponseReader(*response).anyText("error", 64) == protocol::error::kForbidden) {
      message += "; over --server, admin operations need a certificate named in authd's tls.admins";
    }
    *exitCode = fail(ctx, kExitFailed, message);
    return std::nullopt;
  }
  *exitCode = kExitOk;
  return response;
}

nlohmann::json resultFields(const nlohmann::json& response) {
  nlohmann::json result = nlohmann::json::object();
  for (const auto& [key, value] : response.items()) {
    if (key != "v" && key != "id" && key != "ok") result[key] = value;
  }
  return result;
}

void printJson(Context& ctx, const nlohmann::json& value) {
  // ensure_ascii: everything beyond ASCII as \uXXXX, so no bidi or C1 character reaches the
  // terminal and the output stays valid JSON with the same values.
  std::string text = value.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  ScopedWipe wipe(text);
  ctx.out << text << std::endl;
}

const CLI::Validator& userNameValidator() {
  static const CLI::Validator validator(
      [](std::string& name) -> std::string {
        if (name.empty() || name.size() > protocol::kMaxUserBytes || printable(name) != name) {
          return "user name must be 1 to " + std::to_string(protocol::kMaxUserBytes) +
                 " bytes without control characters";
        }
        return {};
      },
      "USER", "user name");
  return validator;
}

const CLI::Validator& credentialIdValidator() {
  static const CLI::Validator validator = CLI::Range(std::int64_t{0}, kMaxProtocolInt);
  return validator;
}

const CLI::Validator& labelValidator() {
  static const CLI::Validator validator(
      [](std::string& label) -> std::string {
        if (label.empty() || label.size() > protocol::kMaxLabelBytes || printable(label) != label) {
          return "label must be 1 to " + std::to_string(protocol::kMaxLabelBytes) +
                 " bytes without control characters";
        }
        return {};
      },
      "LABEL", "label");
  return validator;
}

}  // namespace authd::cli
