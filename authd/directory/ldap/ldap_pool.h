#pragma once
// The service connections: `size` searchers shared by the worker threads, each used by one
// thread at a time (libldap handles are not shared), connected lazily through the
// ServerSelector's failover order.

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "authd/directory/ldap/ldap_searcher.h"
#include "authd/directory/ldap/server_selector.h"

namespace authd {

// Opens a service connection to server `server` (an index into the selector's URIs) and binds
// the service account; throws LdapFailure when it cannot.
using LdapConnector = std::function<std::unique_ptr<LdapSearcher>(std::size_t server)>;

class LdapPool {
 public:
  // The connection, and the server it is on (an index into the selector's URIs): what one server
  // showed (memberships visible) says nothing about another.
  using Operation = std::function<void(LdapSearcher&, std::size_t server)>;

  LdapPool(ServerSelector& selector, LdapConnector connector, std::size_t size);

  // Runs `operation` on a pooled connection, waiting until one is free. A connection on a server
  // other than the preferred one (a better server is back) is replaced first. When the operation
  // fails because its server did not answer (LdapFailure::serverFailure), the connection is
  // dropped, the server marked dead, and the operation retried ONCE on a fresh connection (the
  // next server). Exception: a reused connection that was merely lost (LDAP_SERVER_DOWN) does not
  // mark its server dead, since servers close idle connections; the retry then reconnects in
  // order, and a server that is really down fails that connect and is marked dead there.
  // Throws DirectoryError("no directory server answered: ...") when nothing answered; other
  // failures of the operation propagate and keep the connection.
  void run(const Operation& operation);

 private:
  struct Slot {
    std::unique_ptr<LdapSearcher> connection;
    std::size_t server = 0;
  };
  class Lease;

  Slot borrow();
  void giveBack(Slot slot);
  void connect(Slot& slot);

  ServerSelector& selector_;
  LdapConnector connector_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<Slot> idle_;
};

}  // namespace authd
