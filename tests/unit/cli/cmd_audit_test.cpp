#include "cli/cmd_audit.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>

#include "fake_authd.h"

using namespace authd::cli;
using namespace authd::cli::test;

namespace {

nlohmann::json sampleEvents() {
  return {{"events",
           {{{"time", kTestNow},
             {"user", "alice"},
             {"op", "verify"},
             {"factor", "totp"},
             {"credential_id", 7},
             {"result", "reject"},
             {"reason", "wrong_code"},
             {"service", "sshd"},
             {"device", "nb-017"},
             {"uid", -1},
             {"pid", 4242}},
            {{"time", kTestNow - 61},
             {"user", ""},
             {"op", "list"},
             {"factor", nullptr},
             {"credential_id", nullptr},
             {"result", "ok"},
             {"reason", "ok"},
             {"service", ""},
             {"uid", 1000},
             {"pid", 17}}}}};
}

}  // namespace

TEST_CASE("audit table with dashes for empty values") {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  std::string error;
  auto events = parseAuditResult(sampleEvents(), &error);
  REQUIRE_MESSAGE(events.has_value(), error);
  CHECK(formatAuditTable(*events) ==
        "TIME                 USER   OP      FACTOR  CRED  RESULT  REASON      SERVICE  DEVICE  "
        "UID   "
        "PID\n"
        "2024-05-01 10:00:00  alice  verify  totp    7     reject  wrong_code  sshd     nb-017  -  "
        "   "
        "4242\n"
        "2024-05-01 09:58:59  -      list    -       -     ok      ok          -        -       "
        "1000  "
        "17\n");
  CHECK(formatAuditTable({}) == "No audit events.\n");
  ::unsetenv("TZ");
  ::tzset();
}

TEST_CASE("audit table shows control and bidi characters escaped") {
  std::string error;
  nlohmann::json answer = sampleEvents();
  answer["events"][0]["user"] = "al\xe2\x81\xa6ice";
  answer["events"][0]["service"] = "ssh\x1b]0;pwned\x07";
  auto events = parseAuditResult(answer, &error);
  REQUIRE_MESSAGE(events.has_value(), error);
  const std::string table = formatAuditTable(*events);
  CHECK(table.find("al\\u2066ice") != std::string::npos);
  CHECK(table.find("ssh\\x1b]0;pwned\\x07") != std::string::npos);
  CHECK(table.find('\x1b') == std::string::npos);
}

TEST_CASE("malformed audit answers are refused") {
  std::string error;
  nlohmann::json bad = sampleEvents();
  bad["events"][0].erase("time");
  CHECK_FALSE(parseAuditResult(bad, &error).has_value());
  bad = sampleEvents();
  bad["events"][0]["credential_id"] = 1.5;
  CHECK_FALSE(parseAuditResult(bad, &error).has_value());
  CHECK_FALSE(parseAuditResult({{"events", "none"}}, &error).has_value());
}

TEST_CASE("authctl audit converts --since and passes filters") {
  FakeAuthd fake;
  fake.ok(sampleEvents());
  auto r = runAuthctl(fake, {"audit", "--user", "alice", "--since", "2h", "--limit", "5"});
  CHECK(r.exitCode == 0);
  REQUIRE(fake.requests.size() == 1);
  CHECK(
      fake.requests[0] ==
      nlohmann::json{{"op", "audit"}, {"user", "alice"}, {"since", kTestNow - 7200}, {"limit", 5}});
}

TEST_CASE("authctl audit --since quotes a bad value and exits 2") {
  FakeAuthd fake;
  auto r = runAuthctl(fake, {"audit", "--since", "2024-02-30"});
  CHECK(r.exitCode == 2);
  CHECK(r.err.find("\"2024-02-30\"") != std::string::npos);
  CHECK(fake.requests.empty());
}
