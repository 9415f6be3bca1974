#include "authd/directory/ldap/ldap_pool.h"

#include <stdexcept>

namespace authd {

// A borrowed slot, given back on every path out of run().
class LdapPool::Lease {
 public:
  explicit Lease(LdapPool& pool) : pool_(pool), slot_(pool.borrow()) {}
  ~Lease() { pool_.giveBack(std::move(slot_)); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Slot& slot() { return slot_; }

 private:
  LdapPool& pool_;
  Slot slot_;
};

LdapPool::LdapPool(ServerSelector& selector, LdapConnector connector, std::size_t size)
    : selector_(selector), connector_(std::move(connector)) {
  if (size == 0) throw std::invalid_argument("LDAP pool size must be at least 1");
  idle_.resize(size);  // capacity stays `size`: giving back never allocates
}

LdapPool::Slot LdapPool::borrow() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [this] { return !idle_.empty(); });
  Slot slot = std::move(idle_.back());
  idle_.pop_back();
  return slot;
}

void LdapPool::giveBack(Slot slot) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(slot));
  }
  available_.notify_one();
}

void LdapPool::connect(Slot& slot) {
  slot.connection.reset();
  selector_.tryInOrder([&](std::size_t server) {
    slot.connection = connector_(server);
    slot.server = server;
  });
}

void LdapPool::run(const Operation& operation) {
  Lease lease(*this);
  Slot& slot = lease.slot();
  if (slot.connection != nullptr && slot.server != selector_.preferred()) slot.connection.reset();
  bool reused = slot.connection != nullptr;
  if (!reused) connect(slot);
  std::string firstFailure;
  try {
    operation(*slot.connection, slot.server);
    return;
  } catch (const LdapFailure& failure) {
    if (!failure.serverFailure()) throw;
    slot.connection.reset();
    if (!reused || !failure.connectionLost()) selector_.markDead(slot.server);
    firstFailure = selector_.uri(slot.server) + ": " + failure.what();
  }
  connect(slot);
  try {
    operation(*slot.connection, slot.server);
  } catch (const LdapFailure& failure) {
    if (!failure.serverFailure()) throw;
    slot.connection.reset();
    selector_.markDead(slot.server);
    throw DirectoryError("no directory server answered: " + firstFailure + "; " +
                         selector_.uri(slot.server) + ": " + failure.what());
  }
}

}  // namespace authd
