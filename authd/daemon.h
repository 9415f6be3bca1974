#pragma once
// Runs authd until SIGINT/SIGTERM: key file, store, directory, worker pool, listener.
// main() calls it with the system clock; the benchmark server with a faster clock.

#include "authd/config.h"
#include "authd/random.h"

namespace authd {

// Returns the process exit code. Throws on setup failures it cannot describe better.
int runDaemon(const Config& config, Clock clock);

}  // namespace authd
