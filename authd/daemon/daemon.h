#pragma once
// Runs authd until SIGINT/SIGTERM: key file, store, directory, worker pool, listener.
// main() calls it with the system clock; the benchmark server with a faster clock.

#include <string>
#include <vector>

#include "authd/base/config.h"
#include "authd/base/random.h"

namespace authd {

// Returns the process exit code. Throws on setup failures it cannot describe better.
// configOrigin (the file read, or "built-in defaults") goes into the start-up log line.
int runDaemon(const Config& config, const std::string& configOrigin, Clock clock);

// What --check-config adds to the file's syntax check: the files start reads before it serves
// (directories of the socket, database and key file that others could change, a database
// without its key file, fido2.ca_file, the LDAP URIs, ca_file and service password
// file, the RADIUS clients' secret files), without creating a file or connecting anywhere. ""
// when start would get past them.
std::string checkStartupFiles(const Config& config);

// What --check-config says about [policy] (docs/configuration.md): the groups it names that
// match no group in the configured directory (policyGroupProblems), one message each. Connects to
// the directory (ldap). Throws when the directory cannot answer.
std::vector<std::string> checkPolicyGroups(const Config& config);

}  // namespace authd
