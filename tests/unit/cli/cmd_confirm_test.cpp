#include "cli/cmd_confirm.h"

#include <doctest/doctest.h>

#include "fake_authd.h"

using authd::normalizeCode;
using namespace authd::cli;
using namespace authd::cli::test;

TEST_CASE("normalizeCode accepts 6 or 8 digits, spaces removed") {
  CHECK(normalizeCode("123456") == "123456");
  CHECK(normalizeCode("123 456") == "123456");
  CHECK(normalizeCode("1234 5678") == "12345678");
  for (const char* bad :
       {"", "12345", "1234567", "123456789", "12345a", "-12345", "１２３４５６"}) {
    CAPTURE(bad);
    CHECK_FALSE(normalizeCode(bad).has_value());
  }
}

TEST_CASE("confirm with a code on the command line: accepted") {
  FakeAuthd fake;
  fake.ok({{"result", "accept"}, {"message", "ok"}});
  auto r = runAuthctl(fake, {"confirm", "alice", "7", "123456"});
  CHECK(r.exitCode == 0);
  CHECK(r.out == "Credential 7 of alice is now active.\n");
  CHECK(fake.requests.at(0) ==
        nlohmann::json{
            {"op", "confirm_totp"}, {"user", "alice"}, {"credential_id", 7}, {"code", "123456"}});
}

TEST_CASE("confirm with a rejected code exits 1 with one line and does not retry") {
  FakeAuthd fake;
  fake.ok({{"result", "reject"}, {"message", "Verification failed."}});
  auto r = runAuthctl(fake, {"confirm", "alice", "7", "123456"}, "654321\n");
  CHECK(r.exitCode == 1);
  CHECK(fake.requests.size() == 1);
  CHECK(r.err ==
        "authctl: code not accepted; credential 7 of alice stays pending: confirm it later with "
        "'authctl confirm alice 7' or remove it with 'authctl revoke alice 7'\n");
}

TEST_CASE("confirm --json prints authd's result") {
  FakeAuthd fake;
  fake.ok({{"result", "accept"}, {"message", "ok"}});
  auto r = runAuthctl(fake, {"--json", "confirm", "alice", "7", "123456"});
  CHECK(r.exitCode == 0);
  CHECK(nlohmann::json::parse(r.out) == nlohmann::json{{"result", "accept"}, {"message", "ok"}});
}

TEST_CASE("confirm prompts when no code is given") {
  FakeAuthd fake;
  fake.ok({{"result", "accept"}, {"message", "ok"}});
  auto r = runAuthctl(fake, {"confirm", "alice", "7"}, "  123456  \n");
  CHECK(r.exitCode == 0);
  CHECK(r.out.rfind("Enter a current code from the app to activate: ", 0) == 0);
  CHECK(fake.requests.at(0)["code"] == "123456");
}

TEST_CASE("a server error stops the prompting at once") {
  FakeAuthd fake;
  fake.refuse("conflict", "credential is not pending");
  auto r = runAuthctl(fake, {"confirm", "alice", "7"}, "123456\n123456\n123456\n");
  CHECK(r.exitCode == 1);
  CHECK(fake.requests.size() == 1);
  CHECK(r.err == "authctl: credential is not pending (conflict)\n");
}

TEST_CASE("an unexpected confirm result is an error, never success") {
  FakeAuthd fake;
  fake.ok({{"result", "locked"}, {"message", "x"}});
  auto r = runAuthctl(fake, {"confirm", "alice", "7", "123456"});
  CHECK(r.exitCode == 1);
  CHECK(r.out.empty());
}
