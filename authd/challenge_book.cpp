#include "authd/challenge_book.h"

namespace authd {

namespace {

std::string keyOf(const Bytes& challenge) {
  return std::string(challenge.begin(), challenge.end());
}

}  // namespace

void ChallengeBook::put(const Bytes& challenge, ChallengeGrant grant, std::int64_t now) {
  std::lock_guard lock(mutex_);
  evict(now);
  std::string key = keyOf(challenge);
  if (open_.insert_or_assign(key, std::move(grant)).second) order_.push_back(std::move(key));
}

std::optional<ChallengeGrant> ChallengeBook::take(const Bytes& challenge, std::int64_t now) {
  std::lock_guard lock(mutex_);
  auto it = open_.find(keyOf(challenge));
  if (it == open_.end()) return std::nullopt;
  ChallengeGrant grant = std::move(it->second);
  open_.erase(it);
  if (now >= grant.expiresAt) return std::nullopt;
  return grant;
}

std::size_t ChallengeBook::size() const {
  std::lock_guard lock(mutex_);
  return open_.size();
}

std::size_t ChallengeBook::queuedForTest() const {
  std::lock_guard lock(mutex_);
  return order_.size();
}

// Drops expired or taken entries from the front, then the oldest while over capacity. The
// order queue holds at most twice the capacity, so memory stays bounded under any load.
void ChallengeBook::evict(std::int64_t now) {
  while (!order_.empty()) {
    auto it = open_.find(order_.front());
    const bool stale = it == open_.end() || now >= it->second.expiresAt;
    const bool full = open_.size() >= capacity_ || order_.size() >= 2 * capacity_;
    if (!stale && !full) break;
    if (it != open_.end()) open_.erase(it);
    order_.pop_front();
  }
}

}  // namespace authd
