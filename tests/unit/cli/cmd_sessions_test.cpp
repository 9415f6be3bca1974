#include "cli/cmd_sessions.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>

#include "fake_authd.h"

using namespace authd::cli;
using namespace authd::cli::test;

namespace {

nlohmann::json session(const std::string& user, const std::string& client, std::int64_t started) {
  return {{"user", user},
          {"client", client},
          {"session_id", "80000012"},
          {"nas_identifier", "fw01"},
          {"nas_ip", "192.0.2.1"},
          {"calling_station", "203.0.113.55"},
          {"framed_ip", "10.8.0.23"},
          {"started", started},
          {"last_seen", started},
          {"session_time", 0},
          {"input_octets", 0},
          {"output_octets", 0},
          {"stale", false}};
}

nlohmann::json sampleSessions() {
  nlohmann::json closed = session("zoë", "vpn-gw-2", kTestNow - 7200);
  closed["stopped"] = kTestNow - 3600;
  closed["calling_station"] = "";
  closed["framed_ip"] = "";
  nlohmann::json stale = session("bob", "vpn-gw-1", kTestNow - 9 * 86400 - 3 * 3600 - 120);
  stale["stale"] = true;
  return {{"sessions", {session("alice", "vpn-gw-1", kTestNow - 300), closed, stale}},
          {"open", 37},
          {"licence_limit", 650}};
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

std::string summaryOf(std::int64_t open, std::int64_t limit) {
  SessionsResult result;
  result.open = open;
  result.licenceLimit = limit;
  return formatSessionsResult(result, kTestNow);
}

}  // namespace

TEST_CASE("sessions table: local start, duration to now or to the stop, state, then the licence") {
  UtcZone utc;
  std::string error;
  auto result = parseSessionsResult(sampleSessions(), &error);
  REQUIRE_MESSAGE(result.has_value(), error);
  CHECK(formatSessionsResult(*result, kTestNow) ==
        "USER   GATEWAY   CALLING-STATION  FRAMED-IP  STARTED           DURATION  STATE\n"
        "alice  vpn-gw-1  203.0.113.55     10.8.0.23  2024-05-01 09:55  0:05      open\n"
        "zoë    vpn-gw-2  -                -          2024-05-01 08:00  1:00      closed\n"
        "bob    vpn-gw-1  203.0.113.55     10.8.0.23  2024-04-22 06:58  9d 03:02  stale\n"
        "stale: the gateway has reported nothing of the session for 7 days; it may have lost the "
        "stop (a crash without Accounting-On). authd keeps counting it as open.\n"
        "37 sessions open (licence limit 650, 6% used)\n");
}

TEST_CASE("sessions summary: no limit, singular, rounding that never shows 100% below the limit") {
  CHECK(summaryOf(0, 0) == "No sessions.\n0 sessions open (no licence limit configured)\n");
  CHECK(summaryOf(1, 0).find("1 session open (no licence limit configured)") != std::string::npos);
  CHECK(summaryOf(37, 650).find("(licence limit 650, 6% used)") != std::string::npos);
  CHECK(summaryOf(649, 650).find("(licence limit 650, 99% used)") != std::string::npos);
  CHECK(summaryOf(650, 650).find("(licence limit 650, 100% used: limit reached)") !=
        std::string::npos);
  CHECK(summaryOf(700, 650).find("108% used: limit reached") != std::string::npos);
}

TEST_CASE("authctl sessions [USER] [--all] sends what it was given; --json prints the answer") {
  FakeAuthd fake;
  fake.ok(sampleSessions());
  fake.ok(sampleSessions());
  fake.ok(sampleSessions());
  auto open = runAuthctl(fake, {"sessions"});
  CHECK(open.exitCode == kExitOk);
  CHECK(fake.requests[0] == nlohmann::json{{"op", "sessions"}});
  CHECK(open.out.find("37 sessions open") != std::string::npos);
  CHECK(runAuthctl(fake, {"sessions", "alice", "--all"}).exitCode == kExitOk);
  CHECK(fake.requests[1] == nlohmann::json{{"op", "sessions"}, {"user", "alice"}, {"all", true}});
  auto json = runAuthctl(fake, {"--json", "sessions"});
  CHECK(json.exitCode == kExitOk);
  CHECK(nlohmann::json::parse(json.out) == sampleSessions());
}

TEST_CASE("authctl sessions: a broken answer or a refusal is an error") {
  FakeAuthd fake;
  nlohmann::json broken = sampleSessions();
  broken["sessions"][0]["stale"] = "yes";
  fake.ok(broken);
  auto r = runAuthctl(fake, {"sessions"});
  CHECK(r.exitCode == kExitFailed);
  CHECK(r.err.find("invalid sessions answer") != std::string::npos);
  fake.ok({{"sessions", nlohmann::json::array()}});  // no open count
  CHECK(runAuthctl(fake, {"sessions"}).exitCode == kExitFailed);
  fake.refuse("forbidden", "this operation needs root or the admin group");
  CHECK(runAuthctl(fake, {"sessions"}).exitCode == kExitFailed);
  CHECK(runAuthctl(fake, {"sessions", "a", "b"}).exitCode == kExitUsage);
}
