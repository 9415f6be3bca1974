// authctl --server: the admin operations over authd's network listener, with an admin
// certificate (docs/network.md). The rest of authctl does not know which transport it uses.

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "authd/host_port.h"
#include "authd/tls_client.h"
#include "cli/commands.h"

namespace authd::cli {

std::optional<std::string> serverOptionsProblem(const GlobalOptions& options) {
  if (options.server.empty()) return std::nullopt;
  if (!splitServerAddress(options.server, kDefaultServerPort)) {
    return "--server: \"" + options.server +
           "\" is not HOST[:PORT] (a host name, an IPv4 address or [IPv6], port 1-65535)";
  }
  const std::pair<const char*, const std::string*> files[] = {
      {"--cert", &options.certFile}, {"--key", &options.keyFile}, {"--ca", &options.caFile}};
  std::string missing;
  for (const auto& [name, file] : files) {
    if (file->empty()) missing += (missing.empty() ? "" : ", ") + std::string(name);
  }
  if (!missing.empty()) {
    return "--server needs " + missing +
           " (the admin certificate, its key and the CA of authd's certificate)";
  }
  for (const auto& [name, file] : files) {
    if (::access(file->c_str(), R_OK) != 0) {
      return std::string(name) + " " + *file + ": cannot read it: " + std::strerror(errno);
    }
  }
  return std::nullopt;
}

Transport tlsTransport(const GlobalOptions& options) {
  const HostPort where = *splitServerAddress(options.server, kDefaultServerPort);
  auto timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(options.timeoutSeconds * 1000));
  auto client =
      std::make_shared<TlsClient>(TlsClientOptions{where.address, where.port, options.certFile,
                                                   options.keyFile, options.caFile},
                                  timeout);
  return [client](const nlohmann::json& request, ClientError* error) {
    return client->call(request, error);
  };
}

Transport chooseTransport(const GlobalOptions& options) {
  return options.server.empty() ? socketTransport(options) : tlsTransport(options);
}

}  // namespace authd::cli
