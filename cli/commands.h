#pragma once
// The command table's plumbing (like wireguard's subcommands.h): global options, the run-time
// context every command gets, exit codes, and one setup function per cli/cmd_<name>.cpp.
// Commands reach authd only through a Transport, so tests run them against a fake daemon.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "authd/client.h"
#include "authd/fido2_device.h"

namespace authd::cli {

// Exit codes (docs/admin-guide.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // authd answered ok:false, a code was rejected, ...
inline constexpr int kExitUsage = 2;        // bad command line
inline constexpr int kExitUnreachable = 3;  // authd could not be reached or did not answer

// The port of --server when none is given: the one docs/network.md's examples listen on.
inline constexpr std::uint16_t kDefaultServerPort = 8443;

struct GlobalOptions {
  std::string socketPath;
  // --server: authd's network listener over mutual TLS instead of the socket, with these files.
  std::string server;  // "HOST[:PORT]" as given
  std::string certFile;
  std::string keyFile;
  std::string caFile;
  double timeoutSeconds = 10;
  bool json = false;
};

// Sends one request and returns the whole response (see authd::Client::call).
using Transport =
    std::function<std::optional<nlohmann::json>(const nlohmann::json& request, ClientError* error)>;
using TransportFactory = std::function<Transport(const GlobalOptions&)>;

struct Context {
  GlobalOptions options;
  Transport transport;
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool interactive = false;     // stdin is a terminal: prompts turn echo off
  std::int64_t now = 0;         // Unix seconds when authctl started, for relative times
  Fido2Manifest fido2Manifest;  // lists the security keys; empty: the plugged USB keys
};

// A command registers its options and positionals on `sub` and returns what runs it once the
// command line is parsed.
using Runner = std::function<int(Context&)>;
struct Command {
  const char* name;
  Runner (*setup)(CLI::App& sub);
  const char* help;
};

// Parses argv, then runs the selected command of `commands`. Help and --version print to `out`.
// `fido2Manifest` lists the security keys (tests hand in virtual ones).
int runCommandTable(std::span<const Command> commands, int argc, const char* const* argv,
                    const TransportFactory& makeTransport, std::istream& in, std::ostream& out,
                    std::ostream& err, bool interactive, std::int64_t now,
                    const Fido2Manifest& fido2Manifest = {});

// The real transport: an authd::Client on the socket, with the timeout as per-call deadline.
Transport socketTransport(const GlobalOptions& options);
// With --server: an authd::TlsClient (cli/tls_transport.cpp); options are checked already.
Transport tlsTransport(const GlobalOptions& options);
// What authctl uses: tlsTransport with --server, else socketTransport.
Transport chooseTransport(const GlobalOptions& options);
// Why --server cannot be used as given (a bad address, a missing --cert, --key or --ca);
// nullopt when it can, or when there is no --server.
std::optional<std::string> serverOptionsProblem(const GlobalOptions& options);

// Prints the one error line "authctl: <message>" and returns `exitCode`.
int fail(Context& ctx, int exitCode, std::string_view message);

int exitCodeForClientError(const ClientError& error);
std::string describeClientError(const ClientError& error, const GlobalOptions& options);
// "<message> (<error code>)" for an ok:false response; control characters are replaced.
std::string describeServerError(const nlohmann::json& response);

// Sends an admin request. Returns the response when it has "ok": true; otherwise prints the
// error line and sets *exitCode.
std::optional<nlohmann::json> callAuthd(Context& ctx, const nlohmann::json& request, int* exitCode);

// The response without its envelope (v, id, ok): what --json prints.
nlohmann::json resultFields(const nlohmann::json& response);
// Prints `value` as one line of JSON; the printed text is wiped afterwards (it may hold a secret).
void printJson(Context& ctx, const nlohmann::json& value);

// Argument validators shared by the commands.
const CLI::Validator& userNameValidator();
const CLI::Validator& credentialIdValidator();
const CLI::Validator& labelValidator();

// The commands, one per cli/cmd_<name>.cpp.
Runner setupEnroll(CLI::App& sub);
Runner setupConfirm(CLI::App& sub);
Runner setupList(CLI::App& sub);
Runner setupShow(CLI::App& sub);
Runner setupRevoke(CLI::App& sub);
Runner setupUnlock(CLI::App& sub);
Runner setupAudit(CLI::App& sub);
Runner setupReinstate(CLI::App& sub);
Runner setupOffline(CLI::App& sub);
Runner setupSessions(CLI::App& sub);

}  // namespace authd::cli
