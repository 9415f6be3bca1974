#include "cli/cmd_show.h"

#include <doctest/doctest.h>

#include "cli/time_arg.h"
#include "fake_authd.h"

using namespace authd::cli;
using namespace authd::cli::test;

namespace {

nlohmann::json sampleShow() {
  return {{"account",
           {{"name", "dave"},
            {"id", "ldap:5e0b6a4c-1d2e-4f00-9a7b-0c1d2e3f4a5b"},
            {"display_name", "Dave Dorn"},
            {"mail", "dave@stadt.example"},
            {"dn", "uid=dave,ou=people,dc=stadt,dc=example"},
            {"groups", {"gesundheitsamt", "telearbeit"}},
            {"disabled", false}}},
          {"policy",
           {{"mfa_required", true},
            {"mfa_because", {"telearbeit"}},
            {"factors", {"fido2"}},
            {"uv_required", true},
            {"rules", {"gesundheitsamt", "telearbeit"}}}},
          {"credentials", nlohmann::json::array()},
          {"locks", nlohmann::json::array()}};
}

}  // namespace

TEST_CASE("show: directory entry, groups, the policy and why") {
  std::string error;
  auto result = parseShowResult(sampleShow(), &error);
  REQUIRE_MESSAGE(result.has_value(), error);
  std::string text = formatShowResult(*result, kTestNow);
  CHECK(text.find("User:            dave (Dave Dorn)\n") != std::string::npos);
  CHECK(text.find("Groups:          gesundheitsamt, telearbeit\n") != std::string::npos);
  CHECK(text.find("Account:         enabled\n") != std::string::npos);
  CHECK(text.find("Second factor:   required (member of telearbeit)\n") != std::string::npos);
  CHECK(text.find("Allowed factors: fido2 (rules of gesundheitsamt, telearbeit; the strictest "
                  "wins)\n") != std::string::npos);
  CHECK(text.find("PIN/UV on keys:  required by a group rule\n") != std::string::npos);
  CHECK(text.find("No credentials.") != std::string::npos);
}

TEST_CASE("show: disabled accounts, conflicting rules and the defaults are spelled out") {
  nlohmann::json answer = sampleShow();
  answer["account"]["disabled"] = true;
  answer["policy"]["factors"] = nlohmann::json::array();
  std::string error;
  std::string text = formatShowResult(*parseShowResult(answer, &error), kTestNow);
  CHECK(text.find("DISABLED in the directory") != std::string::npos);
  CHECK(text.find("cannot log on") != std::string::npos);

  answer = sampleShow();
  answer["policy"]["rules"] = {"default"};
  answer["policy"]["factors"] = {"fido2", "totp"};
  answer["policy"]["mfa_because"] = {"everyone"};
  answer["policy"]["mfa_required"] = true;
  text = formatShowResult(*parseShowResult(answer, &error), kTestNow);
  CHECK(text.find("fido2, totp (policy.default_factors: no group rule applies)") !=
        std::string::npos);
  CHECK(text.find("required (for everyone)") != std::string::npos);
}

TEST_CASE("show: offline logon, the devices holding an entry and their expiry") {
  nlohmann::json answer = sampleShow();
  std::string error;
  std::string text = formatShowResult(*parseShowResult(answer, &error), kTestNow);
  CHECK(text.find("Offline logon:   not allowed\n") != std::string::npos);

  answer["policy"]["offline"] = true;
  answer["policy"]["offline_max_age_days"] = 14;
  answer["offline_entries"] = {
      {{"device", "nb-017"}, {"issued", kTestNow - 3600}, {"expires", kTestNow + 86400},
       {"revoked", false}},
      {{"device", "nb-018"}, {"issued", kTestNow - 3600}, {"expires", kTestNow + 86400},
       {"revoked", true}},
      {{"device", "nb-019"}, {"issued", kTestNow - 99999}, {"expires", kTestNow - 1},
       {"revoked", false}}};
  auto shown = parseShowResult(answer, &error);
  REQUIRE_MESSAGE(shown.has_value(), error);
  text = formatShowResult(*shown, kTestNow);
  CHECK(text.find("allowed at devices, entries valid 14 days") != std::string::npos);
  CHECK(text.find("  nb-017: valid until " + formatLocalMinute(kTestNow + 86400)) !=
        std::string::npos);
  CHECK(text.find("  nb-018: withdrawn") != std::string::npos);
  CHECK(text.find("  nb-019: expired") != std::string::npos);

  answer["offline_entries"][0]["expires"] = "soon";
  error.clear();
  CHECK_FALSE(parseShowResult(answer, &error).has_value());
}

TEST_CASE("show: malformed answers are refused") {
  for (const char* broken : {"account", "policy"}) {
    nlohmann::json answer = sampleShow();
    answer.erase(broken);
    std::string error;
    CHECK_FALSE(parseShowResult(answer, &error).has_value());
    CHECK(error.find(broken) != std::string::npos);
  }
  nlohmann::json answer = sampleShow();
  answer["account"]["groups"] = {"ok", 3};
  std::string error;
  CHECK_FALSE(parseShowResult(answer, &error).has_value());
  answer = sampleShow();
  answer["policy"]["uv_required"] = "yes";
  error.clear();
  CHECK_FALSE(parseShowResult(answer, &error).has_value());
  answer = sampleShow();
  answer["account"]["display_name"] = "Evil\x1b[2J\xe2\x80\xae";
  error.clear();
  auto shown = parseShowResult(answer, &error);  // shown escaped: never drives the terminal
  REQUIRE_MESSAGE(shown.has_value(), error);
  CHECK(shown->displayName == "Evil\\x1b[2J\\u202e");
}

TEST_CASE("authctl show sends the user; not found exits 1 with authd's message") {
  FakeAuthd fake;
  fake.ok(sampleShow());
  fake.refuse("not_found", "the directory has no account mallory");
  auto shown = runAuthctl(fake, {"show", "dave"});
  CHECK(fake.requests[0] == nlohmann::json{{"op", "show"}, {"user", "dave"}});
  CHECK(shown.exitCode == 0);
  auto missing = runAuthctl(fake, {"show", "mallory"});
  CHECK(missing.exitCode == 1);
  CHECK(missing.err.find("no account mallory") != std::string::npos);
}
