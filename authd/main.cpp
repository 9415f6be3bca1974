// authd: verifies second factors for PAM modules, admin tools and (later) VPN gateways.
// Usage: authd [--agent] [--config FILE] [--check-config] [--offline-public-key] [--version]

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "authd/agent/agent_daemon.h"
#include "authd/base/log.h"
#include "authd/daemon/core_dumps.h"
#include "authd/daemon/daemon.h"
#include "authd/daemon/offline_key.h"
#include "authd/daemon/startup_config.h"
#include "authd/daemon/trusted_directory.h"

using namespace authd;

namespace {

// --check-config: a [policy] group that matches no directory group is an error (exit 1), since
// it exempts people from their rule or from MFA. A directory that cannot answer now is a
// warning only: the check cannot tell, and authd itself fails secure.
int reportPolicyGroups(const Config& config) {
  std::vector<std::string> problems;
  try {
    problems = checkPolicyGroups(config);
  } catch (const std::exception& e) {
    std::cerr << "authd: warning: cannot check the groups [policy] names: " << e.what() << "\n";
    return 0;
  }
  for (const std::string& problem : problems) std::cerr << "authd: policy: " << problem << "\n";
  return problems.empty() ? 0 : 1;
}

// --offline-public-key: the public half of the offline signing key, for the devices' agents;
// creates the key (offline.signing_key_file) when there is none yet.
int printOfflinePublicKey(const Config& config) {
  const std::string& path = config.offline.signingKeyFile;
  if (std::string problem = untrustedParent(path); !problem.empty()) {
    std::cerr << "authd: offline.signing_key_file " << path << ": " << problem << "\n";
    return 1;
  }
  makeParentDirectory(path, 0700);
  std::string error;
  std::optional<OfflineSigningKey> key = loadOrCreateOfflineKey(path, systemRandom(), &error);
  if (!key) {
    std::cerr << "authd: " << error << "\n";
    return 1;
  }
  std::cout << offlinePublicKeyPem(key->get());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything secret is read: the key file, the LDAP password file (also --check-config).
  if (std::string error; !forbidCoreDumps(&error)) {
    std::cerr << "authd: " << error << "\n";
    return 1;
  }
  CLI::App app{"authd: second-factor verification daemon"};
  std::string configPath;
  bool checkOnly = false;
  app.add_option("--config", configPath,
                 std::string("TOML configuration file (default: ") + kDefaultConfigPath +
                     " when present, else built-in defaults)");
  app.add_flag("--check-config", checkOnly, "validate the configuration and exit");
  bool offlinePublicKey = false;
  app.add_flag("--offline-public-key", offlinePublicKey,
               "print the public key devices verify offline entries with (creates the key)");
  bool agent = false;
  app.add_flag("--agent", agent,
               "run as a device's agent: serve the local socket, forward to the central "
               "authd of [agent] (docs/network.md)");
  app.set_version_flag("--version", "authd " AUTHD_VERSION);
  CLI11_PARSE(app, argc, argv);

  std::string error;
  auto startup = loadStartupConfig(configPath, kDefaultConfigPath, &error);
  if (!startup) {
    std::cerr << "authd: " << error << "\n";
    return 1;
  }
  if (checkOnly) {
    if (std::string problem = checkStartupFiles(startup->config); !problem.empty()) {
      std::cerr << "authd: " << problem << "\n";
      return 1;
    }
    if (int rc = reportPolicyGroups(startup->config); rc != 0) return rc;
    std::cout << startup->origin << ": configuration is valid\n";
    return 0;
  }
  if (offlinePublicKey) return printOfflinePublicKey(startup->config);
  log::setLevel(startup->config.log.level);
  std::signal(SIGPIPE, SIG_IGN);
  try {
    if (agent) return runAgent(startup->config, startup->origin);
    return runDaemon(startup->config, startup->origin, systemClock());
  } catch (const std::exception& e) {
    log::error(e.what());
    return 1;
  }
}
