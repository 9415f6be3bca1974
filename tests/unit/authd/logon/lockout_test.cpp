#include "authd/logon/lockout.h"

#include <doctest/doctest.h>

using namespace authd;

TEST_CASE("no lock before the failure limit") {
  LockoutPolicy policy{3, 60, 3600};
  LockState s{"alice", 0, 0};
  s = afterFailure(s, policy, 1000);
  s = afterFailure(s, policy, 1001);
  CHECK(s.failures == 2);
  CHECK(lockRemaining(s, 1001) == 0);
}

TEST_CASE("the limit locks for the base delay, then the delay doubles up to the cap") {
  LockoutPolicy policy{3, 60, 300};
  LockState s{"alice", 2, 0};
  s = afterFailure(s, policy, 1000);
  CHECK(s.failures == 3);
  CHECK(lockRemaining(s, 1000) == 60);
  CHECK(lockRemaining(s, 1059) == 1);
  CHECK(lockRemaining(s, 1060) == 0);
  s = afterFailure(s, policy, 2000);
  CHECK(lockRemaining(s, 2000) == 120);
  s = afterFailure(s, policy, 3000);
  CHECK(lockRemaining(s, 3000) == 240);
  s = afterFailure(s, policy, 4000);
  CHECK(lockRemaining(s, 4000) == 300);
  for (int i = 0; i < 100; ++i) s = afterFailure(s, policy, 5000);
  CHECK(lockRemaining(s, 5000) == 300);
}
