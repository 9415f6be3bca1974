#include "authd/agent/agent_daemon.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>

#include "authd/agent/agent_handler.h"
#include "authd/agent/upstream.h"
#include "authd/api/unix_listener.h"
#include "authd/base/log.h"
#include "authd/daemon/socket_claim.h"
#include "authd/daemon/trusted_directory.h"
#include "authd/directory/directory_cache.h"

namespace authd {

int runAgent(const Config& config, const std::string& configOrigin) {
  if (config.agent.servers.empty()) {
    log::error("agent: [agent] servers lists no central authd");
    return 1;
  }
  if (std::string problem = untrustedParent(config.server.socket); !problem.empty()) {
    log::error("server.socket " + config.server.socket + ": " + problem);
    return 1;
  }
  makeParentDirectory(config.server.socket, 0755);
  // While still single-threaded (the socket's mode goes through the umask).
  SocketClaim socket(config.server.socket, config.server.socketMode);

  // One I/O thread: a device's logons are few, and forwarding is waiting, not work.
  boost::asio::io_context io(1);
  boost::asio::thread_pool blocking(static_cast<std::size_t>(config.server.workers));
  // The local accounts of callers (their own-account rule) come from the device's NSS.
  auto directory =
      makeCachingDirectory(makeNssDirectory(), systemClock(),
                           {config.directory.cacheTtl, config.directory.negativeCacheTtl, 4096});
  std::unique_ptr<Upstream> upstream;
  try {
    upstream = std::make_unique<Upstream>(io, config.agent);
  } catch (const std::exception& e) {
    log::error(e.what());
    return 1;
  }
  std::unique_ptr<OfflineCache> offline;
  if (!config.agent.offlinePublicKeyFile.empty()) {
    try {
      offline = std::make_unique<OfflineCache>(
          config.agent.offlineDirectory, config.agent.offlinePublicKeyFile, upstream->deviceName());
    } catch (const std::exception& e) {
      log::error(e.what());
      return 1;
    }
  }
  AgentHandler handler(*upstream, *directory, blocking, config, offline.get());
  UnixListener listener(io, handler, socket.releaseListeningSocket(),
                        {.idleTimeoutSeconds = config.server.idleTimeout,
                         .maxConnections = config.server.maxConnections,
                         .maxConnectionsPerUid = config.server.maxConnectionsPerUid,
                         .singleThreaded = true});
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int signal) {
    log::info("signal " + std::to_string(signal) + ": shutting down");
    listener.stop();
    io.stop();
  });
  listener.start();
  std::string servers;
  for (const auto& s : config.agent.servers) servers += (servers.empty() ? "" : ", ") + s;
  log::info("authd agent " AUTHD_VERSION " for device " + upstream->deviceName() + " ready on " +
            config.server.socket + ", central servers: " + servers +
            (offline ? ", offline logon from " + config.agent.offlineDirectory : std::string()) +
            ", configuration: " + configOrigin);
  io.run();
  blocking.join();
  return 0;
}

}  // namespace authd
