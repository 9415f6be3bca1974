#pragma once
// authd --agent: a device's local authd (docs/network.md). It serves the local socket of
// [server] exactly as authd does, so that pam_authd.so and authctl need no change, and forwards
// every request to a central authd of [agent] over mutual TLS. It holds no database and no
// secret but the device's TLS key.

#include <string>

#include "authd/base/config.h"

namespace authd {

// Runs until SIGINT/SIGTERM; returns the process exit code.
int runAgent(const Config& config, const std::string& configOrigin);

}  // namespace authd
