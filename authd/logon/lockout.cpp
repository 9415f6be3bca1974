#include "authd/logon/lockout.h"

#include <algorithm>

namespace authd {

std::int64_t lockRemaining(const LockState& state, std::int64_t now) {
  return state.lockedUntil > now ? state.lockedUntil - now : 0;
}

LockState afterFailure(LockState state, const LockoutPolicy& policy, std::int64_t now) {
  state.failures += 1;
  if (state.failures < policy.maxFailures) return state;
  // Failure number maxFailures locks for baseDelay; each one after it doubles the delay.
  std::int64_t excess = std::min<std::int64_t>(state.failures - policy.maxFailures, 40);
  std::int64_t delay = policy.baseDelay;
  for (std::int64_t i = 0; i < excess && delay < policy.maxDelay; ++i) delay *= 2;
  state.lockedUntil = now + std::min(delay, policy.maxDelay);
  return state;
}

LockState withoutStaleFailures(LockState state, const LockoutPolicy& policy, std::int64_t now) {
  if (state.owner.empty() && state.lockedUntil <= now && state.updatedAt < now - policy.maxDelay) {
    state.failures = 0;
    state.lockedUntil = 0;
  }
  return state;
}

}  // namespace authd
