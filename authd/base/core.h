#pragma once
// What the verification core and the admin operations need, independent of the listener that
// calls them (Unix socket today, RADIUS later): the store, the directory, the sealing box, the
// clock, randomness, policy, and a pool for blocking work.

#include <openssl/types.h>
#include <sys/types.h>

#include <boost/asio/thread_pool.hpp>
#include <string>

#include "authd/base/config.h"
#include "authd/base/random.h"
#include "authd/base/secret_box.h"
#include "authd/directory/directory.h"
#include "authd/fido2/relying_party.h"
#include "authd/logon/challenge_book.h"
#include "authd/logon/lockout.h"
#include "authd/store/store.h"

namespace authd {

// Who asks: from SO_PEERCRED for the socket listener, from the NAS for RADIUS later.
struct Caller {
  std::int64_t uid = -1;
  std::int64_t pid = -1;
  bool admin = false;
  std::string service;  // PAM service or client name given in the request
  std::string rhost;    // audit context of a logon, as the client reports it
  std::string tty;
  bool trusted = false;  // root or server.service_group: may act for any account
  std::string device;    // a network peer's certificate name (a device or an admin); "" locally
};

// An audit event of `caller`: the one place that copies who asked into the audit row.
inline AuditEvent callerAuditEvent(const Caller& caller, std::int64_t now, std::string user,
                                   std::string op) {
  AuditEvent e;
  e.time = now;
  e.user = std::move(user);
  e.op = std::move(op);
  e.service = caller.service;
  e.peerUid = caller.uid;
  e.peerPid = caller.pid;
  e.rhost = caller.rhost;
  e.tty = caller.tty;
  e.trustedCaller = caller.trusted;
  e.device = caller.device;
  return e;
}

// FIDO2 relying-party state shared by logon and enrolment.
struct Fido2Context {
  ChallengeBook challenges;
  fido2::AttestationTrust trust;
};

struct Core {
  Store& store;
  Directory& directory;
  const SecretBox& box;
  Clock clock;
  Random random;
  const Config& config;
  boost::asio::thread_pool& blocking;
  Fido2Context& fido2;
  // Signs offline entries for devices (docs/offline.md); nullptr when no policy allows them.
  EVP_PKEY* offlineKey = nullptr;

  LockoutPolicy lockoutPolicy() const {
    return {config.lockout.maxFailures, config.lockout.baseDelay, config.lockout.maxDelay};
  }
};

}  // namespace authd
