// bench_server: authd for benchmarks. The production daemon (authd::runDaemon: same socket
// protocol, same SQLite store with synchronous=FULL and group commit, same durability before the
// reply) with one change: a warped clock (warped_clock.h), so that TOTP steps pass quickly enough
// for 10,000 users to be verified thousands of times a second without replays.
// Usage: bench_server --config FILE --epoch UNIX_SECONDS --speedup FACTOR

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "authd/base/config.h"
#include "authd/base/log.h"
#include "authd/daemon/daemon.h"
#include "warped_clock.h"

using namespace authd;

int main(int argc, char** argv) {
  CLI::App app{"bench_server: authd with a faster clock, for benchmarks only"};
  std::string configPath;
  double epoch = 0;
  double speedup = 1;
  app.add_option("--config", configPath, "TOML configuration file")->required();
  app.add_option("--epoch", epoch, "real Unix time at which virtual time equals real time")
      ->required()
      ->check(CLI::Range(1.0, 1e11));
  app.add_option("--speedup", speedup, "how many times faster than real time the clock runs")
      ->required()
      ->check(CLI::Range(1.0, 100000.0));
  CLI11_PARSE(app, argc, argv);
  if (epoch > bench::WarpedClock::realNow()) {
    std::cerr << "bench_server: --epoch lies in the future\n";
    return 2;
  }

  std::string error;
  auto config = loadConfigFile(configPath, &error);
  if (!config) {
    std::cerr << "bench_server: " << error << "\n";
    return 1;
  }
  log::setLevel(config->log.level);
  std::signal(SIGPIPE, SIG_IGN);
  bench::WarpedClock warped(epoch, speedup);
  try {
    return runDaemon(*config, configPath, [warped] { return warped.now(); });
  } catch (const std::exception& e) {
    log::error(e.what());
    return 1;
  }
}
