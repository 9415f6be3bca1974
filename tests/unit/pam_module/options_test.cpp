#include "options.h"

#include <doctest/doctest.h>

#include <vector>

#include "authd/protocol.h"

using authd::pam::ModuleOptions;
using authd::pam::parseOptions;

namespace {

std::optional<ModuleOptions> parse(std::vector<const char*> args, std::string* error) {
  return parseOptions(args, error);
}

void requireError(std::vector<const char*> args, const std::string& mentions) {
  std::string error;
  CAPTURE(mentions);
  CHECK_FALSE(parse(args, &error).has_value());
  CHECK(error.find(mentions) != std::string::npos);
}

}  // namespace

TEST_CASE("no options: defaults") {
  std::string error;
  auto o = parse({}, &error);
  REQUIRE(o.has_value());
  CHECK(o->socketPath == authd::protocol::kDefaultSocketPath);
  CHECK(o->timeout == std::chrono::seconds(10));
  CHECK_FALSE(o->nouserok);
  CHECK_FALSE(o->debug);
  CHECK_FALSE(o->password);
  CHECK(o->factor == authd::pam::FactorChoice::any);
}

TEST_CASE("the environment does not choose the socket") {
  // su and sudo run PAM with the authenticating user's environment.
  ::setenv("AUTHD_SOCKET", "/tmp/evil.sock", 1);
  std::string error;
  auto o = parse({}, &error);
  ::unsetenv("AUTHD_SOCKET");
  REQUIRE(o.has_value());
  CHECK(o->socketPath == authd::protocol::kDefaultSocketPath);
}

TEST_CASE("all options") {
  std::string error;
  auto o = parse(
      {"socket=/run/x/authd.sock", "timeout=120", "nouserok", "debug", "password", "factor=totp"},
      &error);
  REQUIRE(o.has_value());
  CHECK(o->socketPath == "/run/x/authd.sock");
  CHECK(o->timeout == std::chrono::seconds(120));
  CHECK(o->nouserok);
  CHECK(o->debug);
  CHECK(o->password);
  CHECK(o->factor == authd::pam::FactorChoice::totp);
  auto low = parse({"timeout=1"}, &error);
  REQUIRE(low.has_value());
  CHECK(low->timeout == std::chrono::seconds(1));
}

TEST_CASE("unknown options are refused by name") {
  requireError({"nousrok"}, "unknown option \"nousrok\"");
  requireError({"debug", "try_first_pass"}, "\"try_first_pass\"");
  requireError({"nouserok=1"}, "\"nouserok=1\"");
  requireError({"Debug"}, "\"Debug\"");
  requireError({""}, "unknown option \"\"");
  requireError({"=x"}, "unknown option \"=x\"");
}

TEST_CASE("password takes no value and is not a prefix match") {
  std::string error;
  auto o = parse({"password"}, &error);
  REQUIRE(o.has_value());
  CHECK(o->password);
  CHECK_FALSE(o->nouserok);
  requireError({"password=yes"}, "password takes no value");
  requireError({"password="}, "password takes no value");
  requireError({"passwd"}, "unknown option \"passwd\"");
  requireError({"Password"}, "unknown option \"Password\"");
  requireError({"password", "password"}, "duplicate option \"password\"");
  requireError({"debug=1"}, "debug takes no value");
}

TEST_CASE("bad timeouts are refused") {
  for (const char* arg :
       {"timeout=0", "timeout=121", "timeout=-5", "timeout=", "timeout=10s", "timeout= 10",
        "timeout=+10", "timeout=1.5", "timeout=abc", "timeout=99999999999999999999999"}) {
    CAPTURE(arg);
    requireError({arg}, "timeout");
  }
  requireError({"timeout"}, "needs a value");
}

TEST_CASE("bad socket paths are refused") {
  requireError({"socket="}, "socket");
  requireError({"socket=relative/authd.sock"}, "absolute");
  requireError({"socket"}, "needs a value");
  std::string tooLong = "socket=/" + std::string(200, 'a');
  requireError({tooLong.c_str()}, "socket");
}

TEST_CASE("duplicates are refused") {
  requireError({"debug", "debug"}, "duplicate option \"debug\"");
  requireError({"timeout=5", "timeout=5"}, "duplicate option \"timeout\"");
  requireError({"socket=/a", "socket=/b"}, "duplicate option \"socket\"");
  requireError({"nouserok", "debug", "nouserok"}, "duplicate option \"nouserok\"");
}

TEST_CASE("factor= chooses the second factor") {
  using authd::pam::FactorChoice;
  std::string error;
  const std::pair<const char*, FactorChoice> cases[] = {{"factor=fido2", FactorChoice::fido2},
                                                        {"factor=totp", FactorChoice::totp},
                                                        {"factor=any", FactorChoice::any}};
  for (const auto& [arg, choice] : cases) {
    CAPTURE(arg);
    auto o = parse({arg}, &error);
    REQUIRE(o.has_value());
    CHECK(o->factor == choice);
  }
}

TEST_CASE("bad factor values are refused") {
  for (const char* arg : {"factor=", "factor=FIDO2", "factor=u2f", "factor=fido2,totp",
                          "factor= totp", "factor=all"}) {
    CAPTURE(arg);
    requireError({arg}, "factor must be fido2, totp or any");
  }
  requireError({"factor"}, "needs a value");
  requireError({"factor=totp", "factor=fido2"}, "duplicate option \"factor\"");
}
