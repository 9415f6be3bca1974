#include <doctest/doctest.h>

#include "fake_authd.h"

using namespace authd::cli;
using namespace authd::cli::test;

TEST_CASE("reinstate sends fido2_reinstate and prints one line") {
  FakeAuthd fake;
  fake.ok({{"credential_id", 9}});
  auto r = runAuthctl(fake, {"reinstate", "alice", "9"});
  REQUIRE(fake.requests.size() == 1);
  CHECK(fake.requests[0] ==
        nlohmann::json{{"op", "fido2_reinstate"}, {"user", "alice"}, {"credential_id", 9}});
  CHECK(r.exitCode == 0);
  CHECK(r.err.empty());
  CHECK(r.out.rfind("Reinstated credential 9 of alice: no longer clone-suspected.", 0) == 0);
  CHECK(countLines(r.out) == 1);
}

TEST_CASE("reinstate --json prints authd's result") {
  FakeAuthd fake;
  fake.ok({{"reinstated", 9}, {"user", "alice"}});
  auto r = runAuthctl(fake, {"reinstate", "alice", "9", "--json"});
  CHECK(r.exitCode == 0);
  CHECK(nlohmann::json::parse(r.out) == nlohmann::json{{"reinstated", 9}, {"user", "alice"}});
}

TEST_CASE("reinstate: an answer naming another credential or a malformed one is an error") {
  FakeAuthd fake;
  fake.ok({{"credential_id", 8}});
  fake.ok({{"reinstated", "9"}});
  auto other = runAuthctl(fake, {"reinstate", "alice", "9"});
  auto malformed = runAuthctl(fake, {"reinstate", "alice", "9"});
  CHECK(other.exitCode == 1);
  CHECK(other.err ==
        "authctl: authd sent an invalid fido2_reinstate answer: another credential id\n");
  CHECK(malformed.exitCode == 1);
  CHECK(malformed.out.empty());
}

TEST_CASE("reinstate: authd's refusal is shown; bad arguments are usage errors") {
  FakeAuthd fake;
  fake.refuse("not_found", "no clone-suspected credential 9 of alice");
  auto refused = runAuthctl(fake, {"reinstate", "alice", "9"});
  CHECK(refused.exitCode == 1);
  CHECK(refused.err == "authctl: no clone-suspected credential 9 of alice (not_found)\n");
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"reinstate", "alice"}, {"reinstate", "alice", "x"}, {"reinstate", "alice", "-3"}}) {
    FakeAuthd none;
    auto r = runAuthctl(none, args);
    CHECK(r.exitCode == 2);
    CHECK(none.requests.empty());
  }
}
