#include <doctest/doctest.h>

#include "fake_authd.h"

using namespace authd::cli;
using namespace authd::cli::test;

TEST_CASE("authctl offline revoke USER [DEVICE] sends what it was given and says what happened") {
  FakeAuthd fake;
  fake.ok({{"user", "alice"}, {"withdrawn", 2}});
  fake.ok({{"user", "alice"}, {"withdrawn", 0}});
  auto all = runAuthctl(fake, {"offline", "revoke", "alice"});
  CHECK(fake.requests[0] == nlohmann::json{{"op", "offline_revoke"}, {"user", "alice"}});
  CHECK(all.exitCode == 0);
  CHECK(all.out.find("Withdrew 2 offline entries of alice") != std::string::npos);
  auto one = runAuthctl(fake, {"offline", "revoke", "alice", "nb-017"});
  CHECK(fake.requests[1] ==
        nlohmann::json{{"op", "offline_revoke"}, {"user", "alice"}, {"device", "nb-017"}});
  CHECK(one.out.find("No offline entry of alice at nb-017") != std::string::npos);
}

TEST_CASE("authctl offline needs its subcommand, and a broken answer is an error") {
  FakeAuthd fake;
  CHECK(runAuthctl(fake, {"offline"}).exitCode == kExitUsage);
  CHECK(runAuthctl(fake, {"offline", "revoke"}).exitCode == kExitUsage);
  CHECK(fake.requests.empty());
  fake.ok({{"user", "alice"}, {"withdrawn", "many"}});
  CHECK(runAuthctl(fake, {"offline", "revoke", "alice"}).exitCode == kExitFailed);
}
