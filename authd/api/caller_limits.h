#pragma once
// Limits per local caller, so that one uid cannot starve the others: open connections per uid
// (and all non-root callers together), and a request-rate token bucket per caller. Root is never
// limited here: its PAM callers (sshd, sudo, login) must always get through.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace authd {

class ConnectionQuota {
 public:
  ConnectionQuota(int perUid, int total) : perUid_(perUid), total_(total) {}

  // Takes a connection slot for `uid`; false when the uid or all non-root callers are at their
  // limit. Root always gets one. Every true must be paired with release(uid).
  bool acquire(std::int64_t uid);
  void release(std::int64_t uid);
  int openForTest(std::int64_t uid) const;

 private:
  mutable std::mutex mutex_;
  int perUid_;
  int total_;
  int open_ = 0;  // non-root connections
  std::unordered_map<std::int64_t, int> byUid_;
};

// A token bucket per key: `burst` requests at once, then `perSecond` on average.
class RequestRate {
 public:
  using Clock = std::chrono::steady_clock;
  RequestRate(int perSecond, int burst) : perSecond_(perSecond), burst_(burst) {}

  bool allow(std::int64_t key, Clock::time_point now);
  std::size_t trackedForTest();

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  void forgetIdle(Clock::time_point now);

  std::mutex mutex_;
  double perSecond_;
  double burst_;
  std::unordered_map<std::int64_t, Bucket> buckets_;
};

}  // namespace authd
