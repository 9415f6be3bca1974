#pragma once
// Which directory server to try next. Servers are tried in configured order; one that failed is
// skipped for `retryAfter` seconds, unless every server is marked dead: then all are tried again
// in order rather than giving up without asking. No network here: the caller does the trying.
// Thread-safe.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "authd/base/random.h"

namespace authd {

class ServerSelector {
 public:
  ServerSelector(std::vector<std::string> uris, int retryAfterSeconds, Clock clock);

  const std::string& uri(std::size_t server) const { return uris_.at(server); }
  std::size_t size() const { return uris_.size(); }

  // Servers to try now, best first: those not marked dead in configured order; when all are
  // dead, all of them in order.
  std::vector<std::size_t> order() const;
  // The server a connection should be on: order().front().
  std::size_t preferred() const;
  bool isDead(std::size_t server) const;
  void markDead(std::size_t server);
  void markAlive(std::size_t server);

  // Calls `attempt` for each server of order() until one returns normally. A server whose
  // attempt throws LdapFailure is marked dead and the next one is tried (the attempt decides what
  // counts as "did not answer" by what it throws); other exceptions propagate. Throws
  // DirectoryError("no directory server answered: URI: reason; ...") when none answered.
  // Returns the server that answered, now marked alive.
  std::size_t tryInOrder(const std::function<void(std::size_t server)>& attempt);

 private:
  std::vector<std::string> uris_;
  std::int64_t retryAfter_;
  Clock clock_;
  mutable std::mutex mutex_;
  std::vector<std::int64_t> deadUntil_;  // unix seconds; alive when now >= deadUntil_
};

}  // namespace authd
