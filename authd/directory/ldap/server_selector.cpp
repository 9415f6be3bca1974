#include "authd/directory/ldap/server_selector.h"

#include <stdexcept>

#include "authd/base/log.h"
#include "authd/directory/ldap/ldap_searcher.h"

namespace authd {

ServerSelector::ServerSelector(std::vector<std::string> uris, int retryAfterSeconds, Clock clock)
    : uris_(std::move(uris)),
      retryAfter_(retryAfterSeconds),
      clock_(std::move(clock)),
      deadUntil_(uris_.size(), 0) {
  if (uris_.empty()) throw std::invalid_argument("no directory server configured");
}

std::vector<std::size_t> ServerSelector::order() const {
  std::int64_t now = clock_();
  std::vector<std::size_t> alive;
  std::vector<std::size_t> all;
  std::lock_guard lock(mutex_);
  for (std::size_t server = 0; server < uris_.size(); ++server) {
    all.push_back(server);
    if (now >= deadUntil_[server]) alive.push_back(server);
  }
  return alive.empty() ? all : alive;
}

std::size_t ServerSelector::preferred() const { return order().front(); }

bool ServerSelector::isDead(std::size_t server) const {
  std::int64_t now = clock_();
  std::lock_guard lock(mutex_);
  return now < deadUntil_.at(server);
}

void ServerSelector::markDead(std::size_t server) {
  const std::int64_t now = clock_();
  bool wasAlive = false;
  {
    std::lock_guard lock(mutex_);
    wasAlive = now >= deadUntil_.at(server);
    deadUntil_.at(server) = now + retryAfter_;
  }
  // Once per outage, so a failover shows in the log before "no directory server answered".
  if (wasAlive) {
    log::warning("directory: " + uris_[server] + " did not answer; skipped for " +
                 std::to_string(retryAfter_) + " s");
  }
}

void ServerSelector::markAlive(std::size_t server) {
  std::lock_guard lock(mutex_);
  deadUntil_.at(server) = 0;
}

std::size_t ServerSelector::tryInOrder(const std::function<void(std::size_t server)>& attempt) {
  std::string failures;
  for (std::size_t server : order()) {
    try {
      attempt(server);
      markAlive(server);
      return server;
    } catch (const LdapFailure& failure) {
      markDead(server);
      failures += (failures.empty() ? "" : "; ") + uris_[server] + ": " + failure.what();
    }
  }
  throw DirectoryError("no directory server answered: " + failures);
}

}  // namespace authd
