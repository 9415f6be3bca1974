#include "authd/auth_calls.h"

#include <doctest/doctest.h>

#include <chrono>

#include "authd/protocol.h"
#include "unit/client/fake_authd.h"

using authd::CallError;
using authd::Decision;
using authd::parseFactorsResponse;
using authd::parseVerifyResponse;
using nlohmann::json;

namespace {

json parse(const char* text) { return json::parse(text); }

constexpr std::chrono::milliseconds kTimeout{5000};

}  // namespace

// --- factors ---------------------------------------------------------------------------------

TEST_CASE("factors: enrolled user") {
  auto r =
      parseFactorsResponse(parse(R"({"v":1,"id":1,"ok":true,"factors":["totp"],"locked":false})"));
  REQUIRE(r.ok());
  CHECK(r.answer->factors == std::vector<std::string>{"totp"});
  CHECK_FALSE(r.answer->locked);
  CHECK_FALSE(r.answer->retryAfter.has_value());
}

TEST_CASE("factors: explicit empty list") {
  auto r = parseFactorsResponse(parse(R"({"v":1,"id":"a","ok":true,"factors":[],"locked":false})"));
  REQUIRE(r.ok());
  CHECK(r.answer->factors.empty());
}

TEST_CASE("factors: locked carries retry_after") {
  auto r = parseFactorsResponse(
      parse(R"({"v":1,"id":1,"ok":true,"factors":["totp"],"locked":true,"retry_after":90})"));
  REQUIRE(r.ok());
  CHECK(r.answer->locked);
  CHECK(r.answer->retryAfter == 90);
}

TEST_CASE("factors: locked without retry_after is malformed") {
  auto r =
      parseFactorsResponse(parse(R"({"v":1,"id":1,"ok":true,"factors":["totp"],"locked":true})"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error.kind == CallError::Kind::protocol);
}

TEST_CASE("factors: a missing list is an error, never an empty list") {
  for (const char* text : {R"({"v":1,"id":1,"ok":true,"locked":false})",
                           R"({"v":1,"id":1,"ok":true,"factors":null,"locked":false})",
                           R"({"v":1,"id":1,"ok":true,"factors":"totp","locked":false})",
                           R"({"v":1,"id":1,"ok":true,"factors":{},"locked":false})",
                           R"({"v":1,"id":1,"ok":true,"factors":[]})"}) {
    CAPTURE(text);
    auto r = parseFactorsResponse(parse(text));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error.kind == CallError::Kind::protocol);
  }
}

TEST_CASE("factors: bad list items") {
  for (const char* text : {R"({"v":1,"id":1,"ok":true,"factors":[1],"locked":false})",
                           R"({"v":1,"id":1,"ok":true,"factors":[""],"locked":false})",
                           R"({"v":1,"id":1,"ok":true,"factors":["to\u0001tp"],"locked":false})",
                           R"({"v":1,"id":1,"ok":true,"factors":[["totp"]],"locked":false})"}) {
    CAPTURE(text);
    CHECK_FALSE(parseFactorsResponse(parse(text)).ok());
  }
  json many = {{"v", 1}, {"id", 1}, {"ok", true}, {"locked", false}};
  many["factors"] = std::vector<std::string>(17, "totp");
  CHECK_FALSE(parseFactorsResponse(many).ok());
}

TEST_CASE("factors: unknown field is detected") {
  auto r = parseFactorsResponse(
      parse(R"({"v":1,"id":1,"ok":true,"factors":[],"locked":false,"bypass":true})"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error.message.find("bypass") != std::string::npos);
}

TEST_CASE("factors: wrong types are malformed") {
  for (const char* text :
       {R"({"v":1,"id":1,"ok":true,"factors":[],"locked":"no"})",
        R"({"v":1,"id":1,"ok":true,"factors":[],"locked":0})",
        R"({"v":1,"id":1,"ok":true,"factors":[],"locked":true,"retry_after":-1})",
        R"({"v":1,"id":1,"ok":true,"factors":[],"locked":true,"retry_after":1.5})"}) {
    CAPTURE(text);
    CHECK_FALSE(parseFactorsResponse(parse(text)).ok());
  }
}

TEST_CASE("factors: mfa false is the policy's exemption; absent or null means required") {
  const std::pair<const char*, bool> cases[] = {
      {R"({"v":1,"id":1,"ok":true,"factors":[],"locked":false,"mfa":false})", false},
      {R"({"v":1,"id":1,"ok":true,"factors":[],"locked":false,"mfa":true})", true},
      {R"({"v":1,"id":1,"ok":true,"factors":["totp"],"locked":false,"mfa":false})", false},
      {R"({"v":1,"id":1,"ok":true,"factors":[],"locked":false})", true},  // older daemons
      {R"({"v":1,"id":1,"ok":true,"factors":[],"locked":false,"mfa":null})", true}};
  for (const auto& [text, required] : cases) {
    CAPTURE(text);
    auto r = parseFactorsResponse(parse(text));
    REQUIRE(r.ok());
    CHECK(r.answer->mfaRequired == required);
  }
}

TEST_CASE("factors: mfa of another type is malformed, never an exemption") {
  for (const char* text : {R"({"v":1,"id":1,"ok":true,"factors":[],"locked":false,"mfa":"false"})",
                           R"({"v":1,"id":1,"ok":true,"factors":[],"locked":false,"mfa":0})",
                           R"({"v":1,"id":1,"ok":true,"factors":[],"locked":false,"mfa":[]})"}) {
    CAPTURE(text);
    auto r = parseFactorsResponse(parse(text));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error.kind == CallError::Kind::protocol);
    CHECK(r.error.message.find("mfa") != std::string::npos);
  }
}

// --- envelope and errors ---------------------------------------------------------------------

TEST_CASE("envelope must be complete and well typed") {
  for (const char* text : {R"({"id":1,"ok":true,"factors":[],"locked":false})",
                           R"({"v":2,"id":1,"ok":true,"factors":[],"locked":false})",
                           R"({"v":1,"ok":true,"factors":[],"locked":false})",
                           R"({"v":1,"id":null,"ok":true,"factors":[],"locked":false})",
                           R"({"v":1,"id":[1],"ok":true,"factors":[],"locked":false})",
                           R"({"v":1,"id":1,"factors":[],"locked":false})",
                           R"({"v":1,"id":1,"ok":"true","factors":[],"locked":false})"}) {
    CAPTURE(text);
    auto r = parseFactorsResponse(parse(text));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error.kind == CallError::Kind::protocol);
  }
  CHECK_FALSE(parseVerifyResponse(parse("[1]")).ok());
}

TEST_CASE("ok:false is a server error with its code and message") {
  auto r = parseFactorsResponse(
      parse(R"({"v":1,"id":1,"ok":false,"error":"unavailable","message":"database"})"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error.kind == CallError::Kind::server);
  CHECK(r.error.code == "unavailable");
  CHECK(r.error.message == "database");

  auto v = parseVerifyResponse(parse(R"({"v":1,"id":1,"ok":false,"error":"internal"})"));
  REQUIRE_FALSE(v.ok());
  CHECK(v.error.kind == CallError::Kind::server);
  CHECK(v.error.code == "internal");
}

TEST_CASE("ok:false with result fields or without error is malformed") {
  auto withResult = parseVerifyResponse(
      parse(R"({"v":1,"id":1,"ok":false,"error":"internal","result":"accept","message":"x"})"));
  REQUIRE_FALSE(withResult.ok());
  CHECK(withResult.error.kind == CallError::Kind::protocol);
  auto noError = parseVerifyResponse(parse(R"({"v":1,"id":1,"ok":false})"));
  REQUIRE_FALSE(noError.ok());
  CHECK(noError.error.kind == CallError::Kind::protocol);
}

// --- verify ----------------------------------------------------------------------------------

TEST_CASE("verify: accept with credential id") {
  auto r = parseVerifyResponse(parse(
      R"({"v":1,"id":2,"ok":true,"result":"accept","message":"Verification code accepted.","credential_id":3})"));
  REQUIRE(r.ok());
  CHECK(r.answer->decision == Decision::accept);
  CHECK(r.answer->credentialId == 3);
  CHECK(r.answer->message == "Verification code accepted.");
}

TEST_CASE("verify: accept without credential id is not an accept") {
  auto r =
      parseVerifyResponse(parse(R"({"v":1,"id":2,"ok":true,"result":"accept","message":"ok"})"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error.kind == CallError::Kind::protocol);
}

TEST_CASE("verify: reject and locked") {
  auto reject = parseVerifyResponse(
      parse(R"({"v":1,"id":3,"ok":true,"result":"reject","message":"Verification failed."})"));
  REQUIRE(reject.ok());
  CHECK(reject.answer->decision == Decision::reject);
  CHECK(reject.answer->message == "Verification failed.");

  auto locked = parseVerifyResponse(
      parse(R"({"v":1,"id":3,"ok":true,"result":"locked","message":"Locked.","retry_after":600})"));
  REQUIRE(locked.ok());
  CHECK(locked.answer->decision == Decision::locked);
  CHECK(locked.answer->retryAfter == 600);

  CHECK_FALSE(
      parseVerifyResponse(parse(R"({"v":1,"id":3,"ok":true,"result":"locked","message":"L"})"))
          .ok());
}

TEST_CASE("verify: unknown result, missing message, unknown field") {
  for (const char* text :
       {R"({"v":1,"id":1,"ok":true,"result":"ACCEPT","message":"m","credential_id":1})",
        R"({"v":1,"id":1,"ok":true,"result":"maybe","message":"m"})",
        R"({"v":1,"id":1,"ok":true,"result":"reject"})",
        R"({"v":1,"id":1,"ok":true,"result":"reject","message":""})",
        R"({"v":1,"id":1,"ok":true,"result":"reject","message":"a\u001b[2Jb"})",
        R"({"v":1,"id":1,"ok":true,"message":"m"})",
        R"({"v":1,"id":1,"ok":true,"result":true,"message":"m"})",
        R"({"v":1,"id":1,"ok":true,"result":"reject","message":"m","error":"x"})"}) {
    CAPTURE(text);
    auto r = parseVerifyResponse(parse(text));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error.kind == CallError::Kind::protocol);
  }
}

// --- calls over a socket ---------------------------------------------------------------------

TEST_CASE("queryFactors sends op, user and service") {
  authd::test::FakeAuthd fake({R"({"v":1,"id":{id},"ok":true,"factors":["totp"],"locked":false})"});
  authd::Client client(fake.path(), kTimeout);
  auto r = authd::queryFactors(client, "alice", "sudo");
  auto requests = fake.stop();
  REQUIRE(r.ok());
  CHECK(r.answer->factors.size() == 1);
  REQUIRE(requests.size() == 1);
  auto sent = json::parse(requests[0]);
  CHECK(sent["op"] == "factors");
  CHECK(sent["user"] == "alice");
  CHECK(sent["service"] == "sudo");
}

TEST_CASE("verifyCode sends the request and shortens audit fields") {
  authd::test::FakeAuthd fake({R"({"v":1,"id":{id},"ok":true,"result":"reject","message":"no"})"});
  authd::Client client(fake.path(), kTimeout);
  authd::VerifyRequest request;
  request.user = "alice";
  request.code = "123456";
  request.service = std::string(70, 's');
  request.rhost = "host\x01name";                    // control character: left out
  request.tty = std::string(255, 't') + "\xc3\xa9";  // a 2-byte character straddles the limit
  auto r = authd::verifyCode(client, request);
  auto requests = fake.stop();
  REQUIRE(r.ok());
  CHECK(r.answer->decision == Decision::reject);
  REQUIRE(requests.size() == 1);
  auto sent = json::parse(requests[0]);
  CHECK(sent["op"] == "verify");
  CHECK(sent["factor"] == "totp");
  CHECK(sent["code"] == "123456");
  CHECK(sent["service"] == std::string(64, 's'));
  CHECK_FALSE(sent.contains("rhost"));
  CHECK(sent["tty"] == std::string(255, 't'));
}

TEST_CASE("verifyCode sends nothing for a code the protocol cannot carry") {
  authd::test::FakeAuthd fake(
      {R"({"v":1,"id":{id},"ok":true,"result":"accept","message":"m","credential_id":1})"});
  authd::Client client(fake.path(), kTimeout);
  for (const char* code : {"", "12345678901234567", "12\n34", "\xc3\xa9\xc3\xa9"}) {
    CAPTURE(code);
    authd::VerifyRequest request;
    request.user = "alice";
    request.code = code;
    auto r = authd::verifyCode(client, request);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error.kind == CallError::Kind::argument);
  }
  CHECK(fake.stop().empty());
}

TEST_CASE("verifyCode sends the directory password exactly when one is set") {
  const char* reject = R"({"v":1,"id":{id},"ok":true,"result":"reject","message":"no"})";
  authd::test::FakeAuthd fake({reject, reject, reject});
  const std::string longest(authd::protocol::kMaxPasswordBytes, 'p');
  for (std::optional<std::string> password :
       {std::optional<std::string>(), std::optional<std::string>("s3cret pÃ¤ss"),
        std::optional<std::string>(longest)}) {
    authd::Client client(fake.path(), kTimeout);
    authd::VerifyRequest request;
    request.user = "alice";
    request.code = "123456";
    request.password = password;
    CHECK(authd::verifyCode(client, request).ok());
  }
  auto requests = fake.stop();
  REQUIRE(requests.size() == 3);
  CHECK_FALSE(json::parse(requests[0]).contains("password"));
  CHECK(json::parse(requests[1])["password"] == "s3cret pÃ¤ss");
  CHECK(json::parse(requests[2])["password"] == longest);
}

TEST_CASE("verifyCode sends nothing for a password the protocol cannot carry") {
  authd::test::FakeAuthd fake(
      {R"({"v":1,"id":{id},"ok":true,"result":"accept","message":"m","credential_id":1})"});
  authd::Client client(fake.path(), kTimeout);
  const std::string tooLong(authd::protocol::kMaxPasswordBytes + 1, 'p');
  for (std::string password : {std::string(), tooLong, std::string("pa\0ss", 5),
                               std::string("pa\tss"), std::string("pa\xffss")}) {
    CAPTURE(password.size());
    CHECK_FALSE(authd::isSendablePassword(password));
    authd::VerifyRequest request;
    request.user = "alice";
    request.code = "123456";
    request.password = password;
    auto r = authd::verifyCode(client, request);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error.kind == CallError::Kind::argument);
    CHECK(r.error.message.find("password") != std::string::npos);
    if (!password.empty()) CHECK(r.error.message.find(password) == std::string::npos);
  }
  CHECK(fake.stop().empty());
}

TEST_CASE("queryFactors refuses user names the protocol cannot carry") {
  authd::Client client("/nonexistent/authd.sock", kTimeout);
  for (std::string user :
       {std::string(), std::string(257, 'a'), std::string("a\tb"), std::string("\xff\xfe")}) {
    auto r = authd::queryFactors(client, user, "sudo");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error.kind == CallError::Kind::argument);
  }
}

TEST_CASE("transport failures keep their kind") {
  authd::Client client("/nonexistent/authd.sock", kTimeout);
  auto r = authd::queryFactors(client, "alice", "");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error.kind == CallError::Kind::connect);
  CHECK(authd::callErrorKindName(r.error.kind) == "connect");

  authd::test::FakeAuthd garbage({"not json"});
  authd::Client second(garbage.path(), kTimeout);
  auto g = authd::queryFactors(second, "alice", "");
  garbage.stop();
  REQUIRE_FALSE(g.ok());
  CHECK(g.error.kind == CallError::Kind::protocol);
}
