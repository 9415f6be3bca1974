#include "authd/radius/radius_duplicates.h"

namespace authd::radius {

DuplicateCache::DuplicateCache(std::size_t maxEntries, std::int64_t windowSeconds)
    : maxEntries_(maxEntries), window_(windowSeconds) {}

DuplicateCache::Lookup DuplicateCache::begin(const RequestKey& key, std::int64_t now) {
  std::lock_guard lock(mutex_);
  expire(now);
  Lookup out;
  if (const auto found = entries_.find(key); found != entries_.end()) {
    out.seen = found->second.answered ? Seen::kAnswered : Seen::kInProgress;
    out.reply = found->second.reply;
    return out;
  }
  if (entries_.size() >= maxEntries_ && !evictOneAnswered()) return out;  // kFull
  entries_.emplace(key, Entry{});
  out.seen = Seen::kFresh;
  return out;
}

void DuplicateCache::finish(const RequestKey& key, std::vector<unsigned char> reply,
                            std::int64_t now) {
  std::lock_guard lock(mutex_);
  const auto found = entries_.find(key);
  // Only a request begun and not yet answered: a second finish must not queue it twice.
  if (found == entries_.end() || found->second.answered) return;
  found->second.answered = true;
  found->second.expires = now + window_;
  found->second.reply = std::move(reply);
  answeredOrder_.emplace_back(found->second.expires, key);
}

void DuplicateCache::abandon(const RequestKey& key) {
  std::lock_guard lock(mutex_);
  const auto found = entries_.find(key);
  if (found != entries_.end() && !found->second.answered) entries_.erase(found);
}

std::size_t DuplicateCache::sizeForTest() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

// answeredOrder_ holds exactly the answered entries, in the order they were answered; with a
// monotonic clock and one window that is also the order they expire in.
void DuplicateCache::expire(std::int64_t now) {
  while (!answeredOrder_.empty() && answeredOrder_.front().first <= now) evictOneAnswered();
}

bool DuplicateCache::evictOneAnswered() {
  if (answeredOrder_.empty()) return false;
  entries_.erase(answeredOrder_.front().second);
  answeredOrder_.pop_front();
  return true;
}

}  // namespace authd::radius
