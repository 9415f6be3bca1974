#include "authenticate.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "outcome.h"
#include "unit/client/fake_authd.h"
#include "unit/pam_module/pam_session.h"

using authd::test::Conversation;
using authd::test::PamSession;
using authd::test::sawMessage;

namespace {

constexpr const char* kFactorsTotp =
    R"({"v":1,"id":{id},"ok":true,"factors":["totp"],"locked":false})";
constexpr const char* kAccept =
    R"({"v":1,"id":{id},"ok":true,"result":"accept","message":"Verification code accepted.","credential_id":3})";
constexpr const char* kReject =
    R"({"v":1,"id":{id},"ok":true,"result":"reject","message":"Verification failed."})";

std::string socketArg(const authd::test::FakeAuthd& fake) { return "socket=" + fake.path(); }

}  // namespace

TEST_CASE("accept: factors, echo-off prompt, verify with the logon context") {
  authd::test::FakeAuthd fake({kFactorsTotp, kAccept});
  Conversation conv{"123456", {}};
  PamSession pam("alice", &conv);
  CHECK(pam.run({socketArg(fake)}) == PAM_SUCCESS);
  auto sent = fake.stop();
  REQUIRE(sent.size() == 2);
  auto factors = nlohmann::json::parse(sent[0]);
  CHECK(factors["op"] == "factors");
  CHECK(factors["user"] == "alice");
  CHECK(factors["service"] == "authd-unit");
  auto verify = nlohmann::json::parse(sent[1]);
  CHECK(verify["op"] == "verify");
  CHECK(verify["factor"] == "totp");
  CHECK(verify["code"] == "123456");
  CHECK(verify["rhost"] == "203.0.113.5");
  CHECK(verify["tty"] == "pts/3");
  REQUIRE(conv.seen.size() == 1);
  CHECK(conv.seen[0] ==
        std::make_pair(int{PAM_PROMPT_ECHO_OFF}, std::string("Verification code: ")));
}

TEST_CASE("reject shows the server's message") {
  authd::test::FakeAuthd fake({kFactorsTotp, kReject});
  Conversation conv{"000000", {}};
  PamSession pam("alice", &conv);
  CHECK(pam.run({socketArg(fake)}) == PAM_AUTH_ERR);
  CHECK(sawMessage(conv, PAM_ERROR_MSG, "Verification failed."));
}

TEST_CASE("PAM_SILENT suppresses messages but not the prompt") {
  authd::test::FakeAuthd fake({kFactorsTotp, kReject});
  Conversation conv{"000000", {}};
  PamSession pam("alice", &conv);
  CHECK(pam.run({socketArg(fake)}, PAM_SILENT) == PAM_AUTH_ERR);
  REQUIRE(conv.seen.size() == 1);
  CHECK(conv.seen[0].first == PAM_PROMPT_ECHO_OFF);
}

TEST_CASE("verify locked returns PAM_MAXTRIES with the message") {
  authd::test::FakeAuthd fake(
      {kFactorsTotp,
       R"({"v":1,"id":{id},"ok":true,"result":"locked","message":"Locked.","retry_after":60})"});
  Conversation conv{"000000", {}};
  PamSession pam("alice", &conv);
  CHECK(pam.run({socketArg(fake)}) == PAM_MAXTRIES);
  CHECK(sawMessage(conv, PAM_ERROR_MSG, "Locked."));
}

TEST_CASE("authd not running: authinfo unavailable, no prompt") {
  Conversation conv{"123456", {}};
  PamSession pam("alice", &conv);
  for (const char* extra : {"debug", "nouserok"}) {
    conv.seen.clear();
    CHECK(pam.run({"socket=/nonexistent/authd.sock", "timeout=1", extra}) == PAM_AUTHINFO_UNAVAIL);
    REQUIRE(conv.seen.size() == 1);
    CHECK(conv.seen[0] ==
          std::make_pair(int{PAM_ERROR_MSG}, std::string(authd::pam::kMsgUnavailable)));
  }
}

TEST_CASE("ok:false with nouserok is still unavailable, never ignored") {
  authd::test::FakeAuthd fake({R"({"v":1,"id":{id},"ok":false,"error":"unavailable"})"});
  Conversation conv{"123456", {}};
  PamSession pam("alice", &conv);
  CHECK(pam.run({socketArg(fake), "nouserok"}) == PAM_AUTHINFO_UNAVAIL);
}

TEST_CASE("empty factor list: ignore with nouserok, deny without") {
  const char* none = R"({"v":1,"id":{id},"ok":true,"factors":[],"locked":false})";
  {
    authd::test::FakeAuthd fake({none});
    Conversation conv{"123456", {}};
    PamSession pam("alice", &conv);
    CHECK(pam.run({socketArg(fake), "nouserok"}) == PAM_IGNORE);
    CHECK(conv.seen.empty());
  }
  {
    authd::test::FakeAuthd fake({none});
    Conversation conv{"123456", {}};
    PamSession pam("alice", &conv);
    CHECK(pam.run({socketArg(fake)}) == PAM_AUTH_ERR);
    CHECK(sawMessage(conv, PAM_ERROR_MSG, std::string(authd::pam::kMsgNotEnrolled)));
  }
}

TEST_CASE("mfa false with no factor: ignored before any prompt, also with nouserok or password") {
  const char* exempt = R"({"v":1,"id":{id},"ok":true,"factors":[],"locked":false,"mfa":false})";
  for (const char* extra : {"debug", "nouserok", "password"}) {
    CAPTURE(extra);
    authd::test::FakeAuthd fake({exempt, kAccept});
    Conversation conv{"123456", {}};
    PamSession pam("alice", &conv);
    CHECK(pam.run({socketArg(fake), extra}) == PAM_IGNORE);
    CHECK(fake.stop().size() == 1);
    CHECK(conv.seen.empty());
  }
}

TEST_CASE("mfa false with an enrolled factor: the factor is still asked for") {
  authd::test::FakeAuthd fake(
      {R"({"v":1,"id":{id},"ok":true,"factors":["totp"],"locked":false,"mfa":false})", kReject});
  Conversation conv{"000000", {}};
  PamSession pam("alice", &conv);
  CHECK(pam.run({socketArg(fake)}) == PAM_AUTH_ERR);
  CHECK(fake.stop().size() == 2);
  CHECK(sawMessage(conv, PAM_PROMPT_ECHO_OFF, authd::pam::kPrompt));
}

TEST_CASE("mfa true with no factor: denied as before") {
  authd::test::FakeAuthd fake(
      {R"({"v":1,"id":{id},"ok":true,"factors":[],"locked":false,"mfa":true})"});
  Conversation conv{"123456", {}};
  PamSession pam("alice", &conv);
  CHECK(pam.run({socketArg(fake)}) == PAM_AUTH_ERR);
  CHECK(sawMessage(conv, PAM_ERROR_MSG, std::string(authd::pam::kMsgNotEnrolled)));
}

TEST_CASE("locked before the prompt: PAM_MAXTRIES, no prompt, no verify") {
  authd::test::FakeAuthd fake(
      {R"({"v":1,"id":{id},"ok":true,"factors":["totp"],"locked":true,"retry_after":120})",
       kAccept});
  Conversation conv{"123456", {}};
  PamSession pam("alice", &conv);
  CHECK(pam.run({socketArg(fake)}) == PAM_MAXTRIES);
  CHECK(fake.stop().size() == 1);
  REQUIRE(conv.seen.size() == 1);
  CHECK(conv.seen[0].second.find("try again in 2 minutes") != std::string::npos);
}

TEST_CASE("conversation failure or empty code: denied, nothing verified") {
  for (std::optional<std::string> answer :
       {std::optional<std::string>(), std::optional<std::string>("")}) {
    authd::test::FakeAuthd fake({kFactorsTotp, kAccept});
    Conversation conv{answer, {}};
    PamSession pam("alice", &conv);
    CHECK(pam.run({socketArg(fake)}) == PAM_AUTH_ERR);
    CHECK(fake.stop().size() == 1);
  }
}

TEST_CASE("bad options: service error before any contact") {
  authd::test::FakeAuthd fake({kFactorsTotp});
  Conversation conv{"123456", {}};
  PamSession pam("alice", &conv);
  CHECK(pam.run({socketArg(fake), "nousrok"}) == PAM_SERVICE_ERR);
  CHECK(pam.run({socketArg(fake), "timeout=0"}) == PAM_SERVICE_ERR);
  CHECK(fake.stop().empty());
  CHECK(conv.seen.empty());
}
