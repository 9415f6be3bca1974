#pragma once
// Throttling of second-factor guesses: after maxFailures consecutive failures the user is locked
// for baseDelay seconds; every further failure after a lock doubles the delay, up to maxDelay.
// Times are Unix seconds of the system clock, which Linux keeps within [0, KTIME_SEC_MAX] (about
// 9.2e9, the year 2262): with the [lockout] bounds no sum or difference here can overflow.
// tests/fuzz/fuzz_lockout.cpp checks these promises as properties.

#include <cstdint>

#include "authd/store/store.h"

namespace authd {

struct LockoutPolicy {
  std::int64_t maxFailures = 10;
  std::int64_t baseDelay = 60;
  std::int64_t maxDelay = 3600;
};

// Seconds until the user may try again; 0 when not locked.
std::int64_t lockRemaining(const LockState& state, std::int64_t now);

// The state after one more failed attempt at `now`.
LockState afterFailure(LockState state, const LockoutPolicy& policy, std::int64_t now);

// The counter of an unknown name (owner "") is forgotten once it is not locked and its last
// failure is more than maxDelay old: the writer deletes such rows (forgetStaleLocks), and until
// it has, they count as clean. An account's counter is kept until a success or `unlock`.
LockState withoutStaleFailures(LockState state, const LockoutPolicy& policy, std::int64_t now);

}  // namespace authd
