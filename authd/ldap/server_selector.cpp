#include "authd/ldap/server_selector.h"

#include <stdexcept>

#include "authd/ldap/ldap_searcher.h"

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
  std::int64_t until = clock_() + retryAfter_;
  std::lock_guard lock(mutex_);
  deadUntil_.at(server) = until;
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
