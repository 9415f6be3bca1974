#include "cli/cmd_list.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>

#include "fake_authd.h"

using namespace authd::cli;
using namespace authd::cli::test;

namespace {

nlohmann::json sampleList() {
  return {{"credentials",
           {{{"id", 7},
             {"user", "alice"},
             {"factor", "totp"},
             {"label", "authenticator"},
             {"state", "active"},
             {"algorithm", "sha1"},
             {"digits", 6},
             {"created", kTestNow},
             {"last_used", nullptr}},
            {{"id", 12},
             {"user", "zoë"},
             {"factor", "totp"},
             {"label", "phone"},
             {"state", "pending"},
             {"algorithm", "sha256"},
             {"digits", 8},
             {"created", kTestNow - 86400},
             {"last_used", kTestNow + 90}}}},
          {"locks",
           {{{"user", "carol"}, {"failures", 10}, {"locked_until", kTestNow + 600}},
            {{"user", "dave"}, {"failures", 2}, {"locked_until", 0}}}}};
}

struct UtcZone {
  UtcZone() {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
  ~UtcZone() {
    ::unsetenv("TZ");
    ::tzset();
  }
};

}  // namespace

TEST_CASE("list table: aligned columns, local times, never, then the failing users") {
  UtcZone utc;
  std::string error;
  auto result = parseListResult(sampleList(), &error);
  REQUIRE_MESSAGE(result.has_value(), error);
  CHECK(formatListResult(*result, kTestNow) ==
        "ID  USER   FACTOR  LABEL          STATE    ALGO    DIGITS  CREATED           LAST-USED\n"
        "7   alice  totp    authenticator  active   sha1    6       2024-05-01 10:00  never\n"
        "12  zoë    totp    phone          pending  sha256  8       2024-04-30 10:00  "
        "2024-05-01 10:01\n"
        "\n"
        "Users with failed attempts:\n"
        "USER   FAILURES  LOCKED-UNTIL\n"
        "carol  10        2024-05-01 10:10\n"
        "dave   2         not locked\n");
  // A lock that has run out is shown as such.
  CHECK(formatListResult(*result, kTestNow + 3600).find("carol  10        not locked") !=
        std::string::npos);
}

TEST_CASE("empty list") {
  std::string error;
  auto result = parseListResult(
      {{"credentials", nlohmann::json::array()}, {"locks", nlohmann::json::array()}}, &error);
  REQUIRE(result.has_value());
  CHECK(formatListResult(*result, kTestNow) == "No credentials.\n");
}

TEST_CASE("malformed list answers are refused") {
  std::string error;
  nlohmann::json bad = sampleList();
  bad["credentials"][0]["id"] = "7";
  CHECK_FALSE(parseListResult(bad, &error).has_value());
  CHECK(error.find("\"id\"") != std::string::npos);
  bad = sampleList();
  bad["credentials"][1]["label"] = "a\x1b[31mb";
  CHECK_FALSE(parseListResult(bad, &error).has_value());
  bad = sampleList();
  bad.erase("locks");
  CHECK_FALSE(parseListResult(bad, &error).has_value());
  bad = sampleList();
  bad["credentials"][0] = 5;
  CHECK_FALSE(parseListResult(bad, &error).has_value());
}

TEST_CASE("authctl list sends the user filter; --json prints the raw result") {
  FakeAuthd fake;
  fake.ok(sampleList());
  fake.ok(sampleList());
  auto table = runAuthctl(fake, {"list", "alice"});
  auto json = runAuthctl(fake, {"list", "--json"});
  CHECK(fake.requests[0] == nlohmann::json{{"op", "list"}, {"user", "alice"}});
  CHECK(fake.requests[1] == nlohmann::json{{"op", "list"}});
  CHECK(table.exitCode == 0);
  CHECK(table.out.rfind("ID  USER", 0) == 0);
  CHECK(json.exitCode == 0);
  CHECK(nlohmann::json::parse(json.out) == sampleList());
}
