// Property test of the lockout decision (authd/logon/lockout.h): the input is a policy within the
// bounds [lockout] accepts and a sequence of events (failure, success, unlock, clock jumps either
// way, the writer's stale-row rule) on one account's or unknown name's counter. After every event
// the state must keep the promises of lockout.h and docs/configuration.md [lockout]; a violation
// traps. Times stay within what the system clock can report: Linux keeps it in
// [0, KTIME_SEC_MAX] (about 9.2e9 s, the year 2262).
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>

#include "authd/logon/lockout.h"

namespace {

constexpr std::int64_t kClockMax = 9'223'372'036;  // KTIME_SEC_MAX

void require(bool ok) {
  if (!ok) __builtin_trap();
}

// What docs/configuration.md promises for failure number `failures` (maxFailures or more): the
// base delay, doubled for each failure after the one that locked, never more than maxDelay.
std::int64_t promisedDelay(const authd::LockoutPolicy& p, std::int64_t failures) {
  const std::int64_t doublings = std::min<std::int64_t>(failures - p.maxFailures, 30);
  return std::min(p.baseDelay << doublings, p.maxDelay);
}

struct Model {
  authd::LockoutPolicy policy;
  authd::LockState state;
  std::int64_t now = 0;
  std::int64_t failures = 0;  // consecutive failures since the last reset
  std::optional<std::int64_t> lastFailureAt;
  std::int64_t lastDelay = 0;  // lock set by the previous failure of this run, 0 when none

  void reset() {
    state = authd::LockState{state.user, 0, 0, state.owner};
    failures = 0;
    lastFailureAt.reset();
    lastDelay = 0;
  }

  void fail() {
    state = authd::afterFailure(state, policy, now);
    state.updatedAt = now;  // as the logon pipeline records it
    failures += 1;
    require(state.failures == failures);
    const std::int64_t delay = authd::lockRemaining(state, now);
    if (failures < policy.maxFailures) {
      require(delay == 0 && state.lockedUntil == 0);  // maxFailures - 1 failures never lock
    } else {
      require(delay == promisedDelay(policy, failures));
      require(delay > 0 && delay <= policy.maxDelay);
      require(delay >= lastDelay);  // escalation never shortens the lock
    }
    lastFailureAt = now;
    lastDelay = delay;
  }

  void forgetIfStale() {
    const authd::LockState before = state;
    state = authd::withoutStaleFailures(state, policy, now);
    const bool cleared =
        state.failures != before.failures || state.lockedUntil != before.lockedUntil;
    if (!cleared) return;
    // Only an unknown name's counter, never while locked, only after maxDelay without a failure.
    require(before.owner.empty());
    require(authd::lockRemaining(before, now) == 0);
    require(before.updatedAt < now - policy.maxDelay);
    require(state.failures == 0 && state.lockedUntil == 0);
    failures = 0;
    lastFailureAt.reset();
    lastDelay = 0;
  }

  void checkRemaining(std::int64_t at) const {
    const std::int64_t left = authd::lockRemaining(state, at);
    require(left >= 0);
    if (at >= state.lockedUntil) {
      require(left == 0);
    } else {
      require(left == state.lockedUntil - at);
    }
    if (lastFailureAt && at >= *lastFailureAt) require(left <= policy.maxDelay);
    if (failures < policy.maxFailures) require(left == 0);
  }

  void check() const {
    for (std::int64_t at : {now, state.lockedUntil - 1, state.lockedUntil, state.lockedUntil + 1,
                            lastFailureAt.value_or(0), std::int64_t{0}, kClockMax}) {
      checkRemaining(std::clamp<std::int64_t>(at, 0, kClockMax));
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  Model m;
  // The bounds the configuration reader enforces (docs/configuration.md [lockout]).
  m.policy.maxFailures = in.ConsumeIntegralInRange<std::int64_t>(1, 1000);
  m.policy.baseDelay = in.ConsumeIntegralInRange<std::int64_t>(1, 86400);
  m.policy.maxDelay = in.ConsumeIntegralInRange<std::int64_t>(m.policy.baseDelay, 604800);
  m.state.user = "alice";
  m.state.owner = in.ConsumeBool() ? "nss:1000" : "";
  m.now = in.ConsumeIntegralInRange<std::int64_t>(0, kClockMax);
  while (in.remaining_bytes() > 0) {
    switch (in.ConsumeIntegralInRange(0, 6)) {
      case 0:
        m.fail();
        break;
      case 1:  // a success clears the counter (logon pipeline)
      case 2:  // so does `authctl unlock`
        m.reset();
        break;
      case 3:  // the clock moves on a little (within a few locks)
        m.now = std::min(kClockMax,
                         m.now + in.ConsumeIntegralInRange<std::int64_t>(0, 4 * m.policy.maxDelay));
        break;
      case 4:  // the clock jumps anywhere it can be set to, backwards included
        m.now = in.ConsumeIntegralInRange<std::int64_t>(0, kClockMax);
        break;
      case 5:  // the clock is set back a little
        m.now = std::max<std::int64_t>(
            0, m.now - in.ConsumeIntegralInRange<std::int64_t>(0, 2 * m.policy.maxDelay));
        break;
      default:
        m.forgetIfStale();
        break;
    }
    m.check();
  }
  return 0;
}
