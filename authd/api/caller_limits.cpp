#include "authd/api/caller_limits.h"

#include <algorithm>

namespace authd {

bool ConnectionQuota::acquire(std::int64_t uid) {
  if (uid == 0) return true;
  std::lock_guard lock(mutex_);
  int& mine = byUid_[uid];
  if (mine >= perUid_ || open_ >= total_) {
    if (mine == 0) byUid_.erase(uid);
    return false;
  }
  ++mine;
  ++open_;
  return true;
}

void ConnectionQuota::release(std::int64_t uid) {
  if (uid == 0) return;
  std::lock_guard lock(mutex_);
  auto it = byUid_.find(uid);
  if (it == byUid_.end()) return;
  --open_;
  if (--it->second == 0) byUid_.erase(it);
}

int ConnectionQuota::openForTest(std::int64_t uid) const {
  std::lock_guard lock(mutex_);
  auto it = byUid_.find(uid);
  return it == byUid_.end() ? 0 : it->second;
}

bool RequestRate::allow(std::int64_t key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!fresh) {
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed) * perSecond_);
    b.updated = std::max(b.updated, now);
  }
  if (buckets_.size() > 4096) forgetIdle(now);
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

std::size_t RequestRate::trackedForTest() {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

// A bucket that has refilled completely holds no state worth keeping: memory stays bounded by
// the callers active within burst/perSecond seconds.
void RequestRate::forgetIdle(Clock::time_point now) {
  const auto full = std::chrono::duration<double>(burst_ / perSecond_);
  std::erase_if(buckets_, [&](const auto& item) { return now - item.second.updated >= full; });
}

}  // namespace authd
