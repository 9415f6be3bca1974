#include "authd/api/caller_limits.h"

#include <doctest/doctest.h>

using authd::ConnectionQuota;
using authd::RequestRate;
using namespace std::chrono_literals;

TEST_CASE("one uid cannot take more than its share of connections") {
  ConnectionQuota quota(2, 10);
  CHECK(quota.acquire(1000));
  CHECK(quota.acquire(1000));
  CHECK_FALSE(quota.acquire(1000));
  CHECK(quota.acquire(1001));  // another user still gets through
  quota.release(1000);
  CHECK(quota.acquire(1000));
  CHECK(quota.openForTest(1000) == 2);
}

TEST_CASE("all non-root callers together are capped, root never is") {
  ConnectionQuota quota(5, 3);
  CHECK(quota.acquire(1));
  CHECK(quota.acquire(2));
  CHECK(quota.acquire(3));
  CHECK_FALSE(quota.acquire(4));
  for (int i = 0; i < 100; ++i) CHECK(quota.acquire(0));
  quota.release(2);
  CHECK(quota.acquire(4));
}

TEST_CASE("a refused uid leaves no state behind and a stray release changes nothing") {
  ConnectionQuota quota(1, 1);
  CHECK(quota.acquire(7));
  CHECK_FALSE(quota.acquire(8));
  quota.release(8);
  CHECK(quota.openForTest(8) == 0);
  CHECK(quota.openForTest(7) == 1);
  CHECK_FALSE(quota.acquire(9));
}

TEST_CASE("requests: a burst, then the sustained rate") {
  RequestRate rate(2, 4);
  const auto t0 = RequestRate::Clock::time_point{} + 1h;
  for (int i = 0; i < 4; ++i) CHECK(rate.allow(1000, t0));
  CHECK_FALSE(rate.allow(1000, t0));
  CHECK(rate.allow(1001, t0));  // each caller has its own bucket
  CHECK_FALSE(rate.allow(1000, t0 + 400ms));
  CHECK(rate.allow(1000, t0 + 500ms));
  CHECK_FALSE(rate.allow(1000, t0 + 500ms));
  // Idle time refills up to the burst, not beyond.
  for (int i = 0; i < 4; ++i) CHECK(rate.allow(1000, t0 + 1h));
  CHECK_FALSE(rate.allow(1000, t0 + 1h));
}

TEST_CASE("a clock going backwards does not mint tokens") {
  RequestRate rate(1, 1);
  const auto t0 = RequestRate::Clock::time_point{} + 1h;
  CHECK(rate.allow(5, t0));
  CHECK_FALSE(rate.allow(5, t0 - 30min));
  CHECK_FALSE(rate.allow(5, t0));
  CHECK(rate.allow(5, t0 + 1s));
}

TEST_CASE("idle buckets are forgotten, so many callers do not grow memory forever") {
  RequestRate rate(100, 1);
  const auto t0 = RequestRate::Clock::time_point{} + 1h;
  for (std::int64_t uid = 1; uid <= 5000; ++uid) CHECK(rate.allow(uid, t0));
  CHECK(rate.trackedForTest() == 5000);
  // After a refill period every bucket is full again: forgetting them changes no answer.
  CHECK(rate.allow(1, t0 + 1s));
  CHECK_FALSE(rate.allow(1, t0 + 1s));
  CHECK(rate.trackedForTest() == 1);
}
