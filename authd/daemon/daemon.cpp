#include "authd/daemon/daemon.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <cerrno>
#include <cstring>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <filesystem>
#include <thread>

#include "authd/api/dispatcher.h"
#include "authd/api/radius_listener.h"
#include "authd/api/tls_listener.h"
#include "authd/api/unix_listener.h"
#include "authd/base/log.h"
#include "authd/daemon/key_file.h"
#include "authd/daemon/offline_key.h"
#include "authd/daemon/socket_claim.h"
#include "authd/daemon/trusted_directory.h"
#include "authd/directory/directory_cache.h"
#include "authd/directory/ldap/ldap_directory.h"
#include "authd/logon/fido2_policy.h"
#include "authd/logon/policy.h"
#include "authd/logon/totp_seal.h"
#include "authd/radius/radius_clients.h"
#include "authd/store/audit_retention.h"

namespace authd {

namespace {

namespace fs = std::filesystem;

std::unique_ptr<Directory> makeBackend(const Config& config) {
  if (config.directory.backend != "ldap") return makeNssDirectory();
  GroupUse groupUse = config.policy.mfaGroups.empty() && config.policy.groups.empty()
                          ? GroupUse::informational
                          : GroupUse::decidesPolicy;
  return makeLdapDirectory(config.ldap, groupUse, makeNssDirectory(), systemClock());
}

// The configured backend behind the lookup cache. The cache ages in real time even when the
// verification clock is injected (benchmark).
std::unique_ptr<Directory> openDirectory(const Config& config) {
  std::unique_ptr<Directory> backend;
  try {
    backend = makeBackend(config);
  } catch (const std::exception& e) {
    log::error(std::string("directory: ") + e.what());
    return nullptr;
  }
  return makeCachingDirectory(
      std::move(backend), systemClock(),
      {config.directory.cacheTtl, config.directory.negativeCacheTtl, 100000});
}

bool policyNamesGroups(const Config& config) {
  return !config.policy.mfaGroups.empty() || !config.policy.groups.empty();
}

// A [policy] group that matches no directory group exempts its would-be members: say so. Only a
// warning here: lookups stay fail secure, and a directory that is away or mid-change at start
// must not keep authd down (--check-config fails instead). The first error ends the check.
void warnAboutPolicyGroups(const Config& config, Directory& directory) {
  try {
    for (const std::string& problem : policyGroupProblems(config.policy, directory)) {
      log::warning("policy: " + problem + ": nobody matches this name");
    }
  } catch (const std::exception& e) {
    log::warning(std::string("policy: could not check that the [policy] groups exist: ") +
                 e.what());
  }
}

// The socket, database and key file sit in directories nobody but root or authd can change.
std::string untrustedFileLocation(const Config& config) {
  const std::pair<const char*, const std::string*> files[] = {
      {"server.socket", &config.server.socket},
      {"store.database", &config.store.database},
      {"store.key_file", &config.store.keyFile}};
  for (const auto& [key, path] : files) {
    if (std::string problem = untrustedParent(*path); !problem.empty()) {
      return std::string(key) + " " + *path + ": " + problem;
    }
  }
  return "";
}

// A database without its key file would be unreadable: refuse rather than mint a new key.
bool keyFileMissing(const Config& config, std::string* error) {
  if (fs::exists(config.store.keyFile) || !fs::exists(config.store.database)) return false;
  *error = config.store.keyFile + ": missing, but the database " + config.store.database +
           " exists; restore the key file from backup";
  return true;
}

std::optional<SecretBytes> loadKey(const Config& config, std::string* error) {
  if (keyFileMissing(config, error)) return std::nullopt;
  return loadOrCreateKeyFile(config.store.keyFile, systemRandom(), error);
}

// server.threads = 0: every core but the one the store's writer keeps busy under load.
int ioThreadCount(int configured) {
  if (configured > 0) return configured;
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 2 ? static_cast<int>(cores) - 1 : 1;
}

// With RADIUS on, start reads every client's secret file (radius.clients NAME: why).
std::string radiusClientProblem(const Config& config) {
  if (config.radius.listen.empty() && config.radius.accountingListen.empty()) return "";
  try {
    radius::RadiusClients::load(config.radius.clients);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

std::vector<std::string> checkPolicyGroups(const Config& config) {
  if (!policyNamesGroups(config)) return {};
  return policyGroupProblems(config.policy, *makeBackend(config));
}

std::string checkStartupFiles(const Config& config) {
  if (std::string problem = untrustedFileLocation(config); !problem.empty()) return problem;
  std::string error;
  if (keyFileMissing(config, &error) || !loadAttestationTrust(config, &error)) return error;
  try {
    makeBackend(config);
  } catch (const std::exception& e) {
    return std::string("directory: ") + e.what();
  }
  return radiusClientProblem(config);
}

namespace {

// Whether a policy lets devices receive offline entries: then authd needs its signing key.
bool offlineEntriesPossible(const Config& config) {
  if (config.offline.allowed) return true;
  for (const auto& rule : config.policy.groups) {
    if (rule.offline.value_or(false)) return true;
  }
  return false;
}

}  // namespace

int runDaemon(const Config& config, const std::string& configOrigin, Clock clock) {
  if (std::string problem = untrustedFileLocation(config); !problem.empty()) {
    log::error(problem);
    return 1;
  }
  makeParentDirectory(config.server.socket, 0755);
  makeParentDirectory(config.store.database, 0700);
  makeParentDirectory(config.store.keyFile, 0700);
  // First, while still single-threaded (the socket's mode goes through the umask), and before the
  // database is touched: a second instance stops here.
  SocketClaim socket(config.server.socket, config.server.socketMode);

  std::string error;
  auto key = loadKey(config, &error);
  if (!key) {
    log::error(error);
    return 1;
  }
  auto trust = loadAttestationTrust(config, &error);
  if (!trust) {
    log::error(error);
    return 1;
  }
  Fido2Context fido2{ChallengeBook{}, std::move(*trust)};
  SecretBox box(std::move(*key), systemRandom());
  auto store = openSqliteStore(
      {config.store.database, config.store.maxBatch, 5000, config.audit.aggregateSeconds});
  // After the schema migrations, before serving: only the current seal opens at logon.
  resealLegacyTotp(*store, box);
  auto directory = openDirectory(config);
  if (!directory) return 1;
  // Before serving, so the warning precedes "ready". It costs a start with the directory down
  // at most one round of connect timeouts, when no lookup could succeed anyway.
  if (policyNamesGroups(config)) warnAboutPolicyGroups(config, *directory);

  boost::asio::thread_pool blocking(static_cast<std::size_t>(config.server.workers));
  std::optional<OfflineSigningKey> offlineKey;
  if (offlineEntriesPossible(config)) {
    offlineKey = loadOrCreateOfflineKey(config.offline.signingKeyFile, systemRandom(), &error);
    if (!offlineKey) {
      log::error("offline.signing_key_file " + config.offline.signingKeyFile + ": " + error);
      return 1;
    }
  }
  Core core{*store,           *directory,     box,
            std::move(clock), systemRandom(), config,
            blocking,         fido2,          offlineKey ? offlineKey->get() : nullptr};
  Dispatcher dispatcher(core);
  std::unique_ptr<radius::RadiusServer> radiusServer;
  const bool radiusOn = !config.radius.listen.empty() || !config.radius.accountingListen.empty();
  if (radiusOn) {
    try {
      radiusServer = std::make_unique<radius::RadiusServer>(
          core, radius::RadiusClients::load(config.radius.clients));
    } catch (const std::exception& e) {
      log::error(e.what());
      return 1;
    }
  }
  // After everything its coroutines use: at shutdown the event loop destroys the coroutines
  // still suspended (a logon in evaluation), and their guards still reach the dispatcher and the
  // RADIUS server, which must outlive it.
  const int ioThreads = ioThreadCount(config.server.threads);
  boost::asio::io_context io(ioThreads);
  UnixListener listener(io, dispatcher, socket.releaseListeningSocket(),
                        {.idleTimeoutSeconds = config.server.idleTimeout,
                         .maxConnections = config.server.maxConnections,
                         .maxConnectionsPerUid = config.server.maxConnectionsPerUid,
                         .singleThreaded = ioThreads == 1});
  std::unique_ptr<TlsListener> network;
  if (!config.tls.listen.empty()) {
    try {
      network = std::make_unique<TlsListener>(
          io, dispatcher,
          TlsListenerOptions{config.tls, config.server.idleTimeout, config.server.maxConnections,
                             ioThreads == 1});
    } catch (const std::exception& e) {
      log::error(e.what());
      return 1;
    }
  }

  std::unique_ptr<RadiusListener> radiusListener;
  if (radiusOn) {
    try {
      radiusListener = std::make_unique<RadiusListener>(io, *radiusServer, config.radius);
    } catch (const std::exception& e) {
      log::error(e.what());
      return 1;
    }
  }

  boost::asio::steady_timer retentionTimer(io);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int signal) {
    log::info("signal " + std::to_string(signal) + ": shutting down");
    listener.stop();
    if (network) network->stop();
    if (radiusListener) radiusListener->stop();
    retentionTimer.cancel();
    io.stop();
  });
  listener.start();
  if (network) {
    network->start();
    for (const auto& address : network->boundAddresses()) {
      log::info("tls: listening on " + address);
    }
  }
  if (radiusListener) {
    radiusListener->start();
    for (const auto& address : radiusListener->boundAddresses()) {
      log::info("radius: listening on " + address);
    }
  }
  boost::asio::co_spawn(io, keepAuditRetention(*store, config.audit, core.clock, retentionTimer),
                        boost::asio::detached);
  log::info("authd " AUTHD_VERSION " ready on " + config.server.socket +
            ", configuration: " + configOrigin);

  std::vector<std::thread> threads;
  for (int i = 1; i < ioThreads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  blocking.join();
  store->close();
  return 0;
}

}  // namespace authd
