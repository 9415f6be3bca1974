#include "cli/cmd_list.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>

#include "authd/protocol.h"
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
  bad["credentials"][1]["label"] = std::string(authd::protocol::kMaxLabelBytes + 1, 'l');
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

TEST_CASE("list shows unprintable characters escaped in the table and in --json") {
  nlohmann::json answer = sampleList();
  answer["credentials"][0]["label"] = "ph\xe2\x80\xaeone\x1b[2J";
  answer["credentials"][1]["user"] = "zo\xc2\x9b";
  FakeAuthd fake;
  fake.ok(answer);
  fake.ok(answer);
  auto table = runAuthctl(fake, {"list"});
  auto json = runAuthctl(fake, {"list", "--json"});
  REQUIRE(table.exitCode == 0);
  CHECK(table.out.find("ph\\u202eone\\x1b[2J") != std::string::npos);
  CHECK(table.out.find("zo\\u009b") != std::string::npos);
  REQUIRE(json.exitCode == 0);
  for (const char* raw : {"\xe2\x80\xae", "\x1b", "\xc2\x9b"}) {
    CHECK(table.out.find(raw) == std::string::npos);
    CHECK(json.out.find(raw) == std::string::npos);
  }
  CHECK(nlohmann::json::parse(json.out) == answer);  // still valid JSON, same values
}

namespace {

nlohmann::json fido2Row(std::int64_t id, const std::string& label, bool suspected) {
  return {{"id", id},
          {"user", "alice"},
          {"factor", "fido2"},
          {"label", label},
          {"state", "active"},
          {"algorithm", -7},
          {"created", kTestNow - 3600},
          {"last_used", suspected ? nlohmann::json(kTestNow) : nlohmann::json(nullptr)},
          {"aaguid", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"},
          {"sign_count", suspected ? 41 : 0},
          {"clone_suspected", suspected},
          {"fmt", "packed"},
          {"fido2_id", "q83vEjRWeJA"}};
}

}  // namespace

TEST_CASE("list: security keys in their own table, with counter, AAGUID and the clone mark") {
  UtcZone utc;
  nlohmann::json answer = sampleList();
  answer["credentials"].push_back(fido2Row(20, "yubikey", false));
  answer["credentials"].push_back(fido2Row(21, "spare key", true));
  answer["locks"] = nlohmann::json::array();
  std::string error;
  auto result = parseListResult(answer, &error);
  REQUIRE_MESSAGE(result.has_value(), error);
  CHECK(result->credentials[3].cloneSuspected);
  CHECK(result->credentials[3].signCount == 41);
  CHECK(result->credentials[3].fmt == "packed");
  CHECK(result->credentials[3].fido2Id == "q83vEjRWeJA");
  CHECK(formatListResult(*result, kTestNow) ==
        "ID  USER   FACTOR  LABEL          STATE    ALGO    DIGITS  CREATED           LAST-USED\n"
        "7   alice  totp    authenticator  active   sha1    6       2024-05-01 10:00  never\n"
        "12  zoë    totp    phone          pending  sha256  8       2024-04-30 10:00  "
        "2024-05-01 10:01\n"
        "\n"
        "Security keys (FIDO2):\n"
        "ID  USER   LABEL      STATE            ALGO   COUNTER  AAGUID                            "
        "    CREATED           LAST-USED\n"
        "20  alice  yubikey    active           es256  0        "
        "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0  2024-05-01 09:00  never\n"
        "21  alice  spare key  clone-suspected  es256  41       "
        "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0  2024-05-01 09:00  2024-05-01 10:00\n"
        "clone-suspected: the key's signature counter went backwards, so the key may have been "
        "copied; its logons are refused. Check the key with its user, then run 'authctl "
        "reinstate USER ID', or 'authctl revoke USER ID'.\n");
}

TEST_CASE("list: only security keys, with the optional fields missing") {
  nlohmann::json row = {{"id", 3},        {"user", "bob"},     {"factor", "fido2"},
                        {"label", "key"}, {"state", "active"}, {"created", kTestNow}};
  std::string error;
  auto result = parseListResult(
      {{"credentials", nlohmann::json::array({row})}, {"locks", nlohmann::json::array()}}, &error);
  REQUIRE_MESSAGE(result.has_value(), error);
  const std::string text = formatListResult(*result, kTestNow);
  CHECK(text.rfind("Security keys (FIDO2):\nID  USER  LABEL  STATE   ALGO  COUNTER  AAGUID", 0) ==
        0);
  CHECK(text.find("3   bob   key    active  -     -        -       ") != std::string::npos);
  CHECK(text.find("clone-suspected") == std::string::npos);
}

TEST_CASE("list: malformed FIDO2 fields are refused") {
  std::string error;
  for (auto [key, value] :
       std::vector<std::pair<std::string, nlohmann::json>>{{"clone_suspected", "yes"},
                                                           {"sign_count", -1},
                                                           {"sign_count", 4294967296},
                                                           {"aaguid", std::string(37, 'a')},
                                                           {"algorithm", 1.5},
                                                           {"fmt", std::string(33, 'p')}}) {
    CAPTURE(key);
    nlohmann::json row = fido2Row(20, "k", false);
    row[key] = value;
    CHECK_FALSE(parseListResult({{"credentials", nlohmann::json::array({row})},
                                 {"locks", nlohmann::json::array()}},
                                &error)
                    .has_value());
  }
  // TOTP rows still need their digits.
  nlohmann::json totp = sampleList();
  totp["credentials"][0].erase("digits");
  CHECK_FALSE(parseListResult(totp, &error).has_value());
}
