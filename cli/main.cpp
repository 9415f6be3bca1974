// authctl: the admin CLI of authd. This file only holds the command table (as wireguard's wg.c);
// each command lives in cli/cmd_<name>.cpp and talks to authd through docs/protocol.md.

#include <unistd.h>

#include <csignal>
#include <ctime>
#include <iostream>

#include "cli/commands.h"

namespace {

using authd::cli::Command;

constexpr Command kCommands[] = {
    {"enroll", authd::cli::setupEnroll,
     "enrol a second factor for a user (enroll totp USER, enroll fido2 USER)"},
    {"confirm", authd::cli::setupConfirm, "activate a pending credential with a code from the app"},
    {"list", authd::cli::setupList, "list credentials and users with failed attempts"},
    {"show", authd::cli::setupShow,
     "show a user's directory entry, groups, the policy that applies and why, and credentials"},
    {"revoke", authd::cli::setupRevoke, "remove a credential (lost or replaced device)"},
    {"unlock", authd::cli::setupUnlock, "clear a user's failure count and lock"},
    {"audit", authd::cli::setupAudit, "show the audit log, newest first"},
    {"reinstate", authd::cli::setupReinstate,
     "clear the clone-suspected mark of a security key after checking it"},
    {"offline", authd::cli::setupOffline,
     "offline logon at devices: offline revoke USER [DEVICE] withdraws entries"},
    {"sessions", authd::cli::setupSessions,
     "list the open VPN sessions (RADIUS accounting) and the licence use"},
};

}  // namespace

int main(int argc, char** argv) {
  // A server closing a TLS connection must not kill authctl mid-write (tls_client.h).
  std::signal(SIGPIPE, SIG_IGN);
  try {
    return authd::cli::runCommandTable(kCommands, argc, argv, authd::cli::chooseTransport, std::cin,
                                       std::cout, std::cerr, ::isatty(STDIN_FILENO) == 1,
                                       static_cast<std::int64_t>(std::time(nullptr)));
  } catch (const std::exception& e) {
    std::cerr << "authctl: internal error: " << e.what() << std::endl;
    return authd::cli::kExitFailed;
  }
}
