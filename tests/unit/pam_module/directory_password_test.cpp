// The module option `password`, run as in production: libpam loads pam_authd.so from its file
// and runs the stack, since only a module may read or set PAM_AUTHTOK.
#include "directory_password.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "authd/protocol.h"
#include "outcome.h"
#include "unit/client/fake_authd.h"
#include "unit/pam_module/pam_session.h"
#include "unit/pam_module/pam_stack.h"

using authd::test::Conversation;
using authd::test::FakeAuthd;
using authd::test::PamSession;
using authd::test::PamStack;
using nlohmann::json;

namespace {

constexpr const char* kFactorsTotp =
    R"({"v":1,"id":{id},"ok":true,"factors":["totp"],"locked":false,"mfa":true})";
constexpr const char* kFactorsExempt =
    R"({"v":1,"id":{id},"ok":true,"factors":[],"locked":false,"mfa":false})";
constexpr const char* kAccept =
    R"({"v":1,"id":{id},"ok":true,"result":"accept","message":"Verification code accepted.","credential_id":3})";
constexpr const char* kPasswordPrompt = "Password: ";  // libpam's pam_get_authtok (C locale)
// An earlier module that asks for the password and leaves it in PAM_AUTHTOK, as pam_unix does.
constexpr const char* kEarlierModule = "auth optional pam_exec.so expose_authtok quiet /bin/true\n";

std::string authdLine(const FakeAuthd& fake, const std::string& options) {
  return "auth required {pam_authd} socket=" + fake.path() + " " + options + "\n";
}

// The user types "dir-secret" at a password prompt and "123456" at the code prompt.
Conversation typingUser() {
  Conversation conv{std::nullopt, {}};
  conv.answers = {{kPasswordPrompt, "dir-secret"}, {authd::pam::kPrompt, "123456"}};
  return conv;
}

std::vector<std::string> promptsSeen(const Conversation& conv) {
  std::vector<std::string> prompts;
  for (const auto& [style, text] : conv.seen) {
    if (style == PAM_PROMPT_ECHO_OFF || style == PAM_PROMPT_ECHO_ON) prompts.push_back(text);
  }
  return prompts;
}

}  // namespace

TEST_CASE("password: asked first (echo off), sent with verify together with the code") {
  FakeAuthd fake({kFactorsTotp, kAccept});
  Conversation conv = typingUser();
  PamStack stack("alice", &conv, authdLine(fake, "password"));
  CHECK(stack.authenticate() == PAM_SUCCESS);
  const auto sent = fake.stop();
  REQUIRE(sent.size() == 2);
  const json verify = json::parse(sent[1]);
  CHECK(verify["op"] == "verify");
  CHECK(verify["code"] == "123456");
  CHECK(verify["password"] == "dir-secret");
  CHECK(conv.seen.front().first == PAM_PROMPT_ECHO_OFF);
  CHECK(promptsSeen(conv) == std::vector<std::string>{kPasswordPrompt, authd::pam::kPrompt});
}

TEST_CASE("without the option no password is asked for or sent") {
  FakeAuthd fake({kFactorsTotp, kAccept});
  Conversation conv = typingUser();
  PamStack stack("alice", &conv, authdLine(fake, ""));
  CHECK(stack.authenticate() == PAM_SUCCESS);
  const auto sent = fake.stop();
  REQUIRE(sent.size() == 2);
  CHECK_FALSE(json::parse(sent[1]).contains("password"));
  CHECK(promptsSeen(conv) == std::vector<std::string>{authd::pam::kPrompt});
}

TEST_CASE("password: PAM_AUTHTOK of an earlier module is reused without a second prompt") {
  FakeAuthd fake({kFactorsTotp, kAccept});
  Conversation conv = typingUser();
  PamStack stack("alice", &conv, kEarlierModule + authdLine(fake, "password"));
  CHECK(stack.authenticate() == PAM_SUCCESS);
  const auto sent = fake.stop();
  REQUIRE(sent.size() == 2);
  CHECK(json::parse(sent[1])["password"] == "dir-secret");
  // The one password prompt is the earlier module's; pam_authd asked only for the code.
  CHECK(promptsSeen(conv) == std::vector<std::string>{kPasswordPrompt, authd::pam::kPrompt});
}

TEST_CASE("password: an empty one denies before the code prompt, without a verify call") {
  for (bool earlier : {false, true}) {
    CAPTURE(earlier);
    FakeAuthd fake({kFactorsTotp, kAccept});
    Conversation conv = typingUser();
    conv.answers[kPasswordPrompt] = "";
    PamStack stack("alice", &conv, (earlier ? kEarlierModule : "") + authdLine(fake, "password"));
    CHECK(stack.authenticate() == PAM_AUTH_ERR);
    const auto sent = fake.stop();
    REQUIRE(sent.size() == 1);
    CHECK(json::parse(sent[0])["op"] == "factors");
    CHECK(promptsSeen(conv) == std::vector<std::string>{kPasswordPrompt});
  }
}

TEST_CASE("password: a failing conversation denies without a verify call") {
  FakeAuthd fake({kFactorsTotp, kAccept});
  Conversation conv{std::nullopt, {}};
  PamStack stack("alice", &conv, authdLine(fake, "password"));
  CHECK(stack.authenticate() == PAM_AUTH_ERR);
  CHECK(fake.stop().size() == 1);
}

TEST_CASE("password: a password the protocol cannot carry denies before the code prompt") {
  FakeAuthd fake({kFactorsTotp, kAccept});
  Conversation conv = typingUser();
  conv.answers[kPasswordPrompt] = std::string(authd::protocol::kMaxPasswordBytes + 1, 'p');
  PamStack stack("alice", &conv, authdLine(fake, "password"));
  CHECK(stack.authenticate() == PAM_AUTH_ERR);
  CHECK(fake.stop().size() == 1);
  CHECK(promptsSeen(conv) == std::vector<std::string>{kPasswordPrompt});
}

TEST_CASE("mfa false: ignored without a prompt; the next module of the stack decides") {
  for (const char* next : {"pam_permit.so", "pam_deny.so"}) {
    CAPTURE(next);
    FakeAuthd fake({kFactorsExempt, kAccept});
    Conversation conv = typingUser();
    PamStack stack("alice", &conv,
                   "auth [success=done ignore=ignore default=die] {pam_authd} socket=" +
                       fake.path() + " password\nauth required " + next + "\n");
    CHECK(stack.authenticate() ==
          (std::string(next) == "pam_permit.so" ? PAM_SUCCESS : PAM_AUTH_ERR));
    CHECK(fake.stop().size() == 1);  // factors only
    CHECK(conv.seen.empty());
  }
}

TEST_CASE("readDirectoryPassword outside a stack: libpam keeps PAM_AUTHTOK from it, a denial") {
  Conversation conv = typingUser();
  PamSession pam("alice", &conv);  // the application's side of the handle
  std::optional<std::string_view> password;
  auto denied = authd::pam::readDirectoryPassword(pam.handle(), &password);
  REQUIRE(denied.has_value());
  CHECK(denied->pamCode == PAM_AUTH_ERR);
  CHECK(denied->reason == "conversation");
  CHECK_FALSE(password.has_value());
}
