#include "authd/fido2_calls.h"

#include <doctest/doctest.h>

#include <chrono>
#include <set>

#include "authd/protocol.h"
#include "unit/client/fake_authd.h"

using authd::Bytes;
using authd::CallError;
using authd::Fido2Assertion;
using authd::Fido2Attestation;
using authd::Fido2RegisterOptions;
using authd::Fido2VerifyRequest;
using authd::UvPolicy;
using nlohmann::json;

namespace {

constexpr std::chrono::milliseconds kTimeout{5000};

std::string b64(const Bytes& bytes) { return authd::base64urlEncode(bytes); }

std::set<std::string> keysOf(const json& object) {
  std::set<std::string> keys;
  for (const auto& item : object.items()) keys.insert(item.key());
  return keys;
}

json envelope() { return json{{"v", 1}, {"id", 7}, {"ok", true}}; }

json beginAnswer() {
  json r = envelope();
  r["challenge"] = b64(Bytes(32, 0xab));
  r["rp_id"] = "mfa.example.org";
  r["allow"] = {b64(Bytes{1, 2, 3}), b64(Bytes(64, 9))};
  r["uv"] = "required";
  r["timeout"] = 60;
  return r;
}

json registerBeginAnswer() {
  json r = envelope();
  r["challenge"] = b64(Bytes(32, 0xcd));
  r["rp_id"] = "mfa.example.org";
  r["rp_name"] = "Example Corp";
  r["user_handle"] = b64(Bytes(16, 0x42));
  r["user_name"] = "alice";
  r["user_display_name"] = "Alice Example";
  r["algorithms"] = {-7, -8, -257};
  r["exclude"] = {b64(Bytes{5, 6})};
  r["resident"] = true;
  r["uv"] = "discouraged";
  r["attestation"] = "trusted";
  r["timeout"] = 120;
  return r;
}

json registerFinishAnswer() {
  json r = envelope();
  r["credential_id"] = 12;
  r["fido2_id"] = b64(Bytes{9, 8, 7, 6});
  r["aaguid"] = "cb69481e-8ff7-4039-93ec-0a2729a154a8";
  r["attestation"] = "basic";
  r["fmt"] = "packed";
  r["algorithm"] = -7;
  return r;
}

bool isEnvelopeKey(const std::string& key) { return key == "v" || key == "id" || key == "ok"; }

// Every result field of a valid answer is required: without it, the parse fails as a protocol
// error. So does any field nobody asked for, and null for any field.
template <typename Parse>
void requireStrict(const json& valid, Parse parse) {
  REQUIRE(parse(valid).ok());
  for (const auto& item : valid.items()) {
    if (isEnvelopeKey(item.key())) continue;
    CAPTURE(item.key());
    json missing = valid;
    missing.erase(item.key());
    auto r = parse(missing);
    CHECK_FALSE(r.ok());
    CHECK(r.error.kind == CallError::Kind::protocol);
    json null = valid;
    null[item.key()] = nullptr;
    CHECK_FALSE(parse(null).ok());
  }
  json extra = valid;
  extra["surprise"] = 1;
  auto r = parse(extra);
  CHECK_FALSE(r.ok());
  CHECK(r.error.message.find("surprise") != std::string::npos);
}

// `field` set to each of `values` makes the parse fail.
template <typename Parse>
void requireRejects(const json& valid, const char* field, std::initializer_list<json> values,
                    Parse parse) {
  for (const json& value : values) {
    json bad = valid;
    bad[field] = value;
    CAPTURE(bad.dump());
    auto r = parse(bad);
    CHECK_FALSE(r.ok());
    CHECK(r.error.kind == CallError::Kind::protocol);
  }
}

const auto parseBegin = [](const json& r) { return authd::parseFido2BeginResponse(r); };
const auto parseRegBegin = [](const json& r) { return authd::parseFido2RegisterBeginResponse(r); };
const auto parseRegFinish = [](const json& r) {
  return authd::parseFido2RegisterFinishResponse(r);
};

// base64url forms the strict decoder must refuse, for a field of `bytes` bytes.
std::vector<json> badBase64(std::size_t bytes) {
  std::string good = b64(Bytes(bytes, 0xff));
  std::vector<json> bad = {
      good + "=",                             // padding
      good.substr(0, good.size() - 1) + "+",  // standard alphabet
      good.substr(0, good.size() - 1) + "/",
      " " + good,  // whitespace
      good + "A",  // one character too many
      "",          // empty
      42,          // not a string
  };
  if (bytes % 3 != 0) bad.push_back(good.substr(0, good.size() - 1) + "_");  // leftover bits set
  return bad;
}

Fido2Assertion sampleAssertion() {
  return Fido2Assertion{Bytes(32, 1), Bytes{2, 2}, Bytes(37, 3), Bytes(70, 4), Bytes(32, 1)};
}

Fido2Attestation sampleAttestation() {
  return Fido2Attestation{Bytes(32, 5), "packed", Bytes(164, 6), Bytes{0xa0}, Bytes(32, 5)};
}

}  // namespace

// --- uv policy ---------------------------------------------------------------------------------

TEST_CASE("uv policy names round-trip; others are refused") {
  for (UvPolicy uv : {UvPolicy::required, UvPolicy::preferred, UvPolicy::discouraged}) {
    // Compared by name: doctest would print a UvPolicy through authd::toString (string_view).
    CHECK(authd::toString(authd::uvPolicyFrom(authd::toString(uv)).value()) == authd::toString(uv));
  }
  CHECK_FALSE(authd::uvPolicyFrom("Required").has_value());
  CHECK_FALSE(authd::uvPolicyFrom("").has_value());
}

// --- builders ----------------------------------------------------------------------------------

TEST_CASE("fido2_begin request: op, user, service") {
  json r = authd::fido2BeginRequest("alice", "sshd");
  CHECK(keysOf(r) == std::set<std::string>{"op", "user", "service"});
  CHECK(r["op"] == "fido2_begin");
  CHECK(r["user"] == "alice");
  CHECK(r["service"] == "sshd");
  CHECK(keysOf(authd::fido2BeginRequest("alice", "")) == std::set<std::string>{"op", "user"});
}

TEST_CASE("fido2 verify request: the documented fields, binary as base64url") {
  Fido2VerifyRequest request;
  request.user = "alice";
  request.assertion = sampleAssertion();
  request.service = "sudo";
  request.rhost = "203.0.113.5";
  request.tty = "pts/1";
  json r = authd::fido2VerifyRequest(request);
  CHECK(keysOf(r) == std::set<std::string>{"op", "user", "factor", "challenge", "credential",
                                           "auth_data", "signature", "client_data_hash", "service",
                                           "rhost", "tty"});
  CHECK(r["op"] == "verify");
  CHECK(r["factor"] == "fido2");
  CHECK(r["challenge"] == b64(Bytes(32, 1)));
  CHECK(r["credential"] == "AgI");
  CHECK(r["auth_data"] == b64(Bytes(37, 3)));
  CHECK(r["signature"] == b64(Bytes(70, 4)));
  CHECK(r["client_data_hash"] == b64(Bytes(32, 1)));
  request.service.clear();
  request.rhost.clear();
  request.tty = "bad\ttty";  // audit context that cannot be sent is left out
  CHECK(keysOf(authd::fido2VerifyRequest(request)).count("tty") == 0);
  CHECK(keysOf(authd::fido2VerifyRequest(request)).count("service") == 0);
}

TEST_CASE("fido2 verify request: the directory password only when set") {
  Fido2VerifyRequest request;
  request.user = "alice";
  request.assertion = sampleAssertion();
  CHECK(keysOf(authd::fido2VerifyRequest(request)).count("password") == 0);
  request.password = "correct horse";
  CHECK(authd::fido2VerifyRequest(request)["password"] == "correct horse");
}

TEST_CASE("fido2_register_begin request: optional fields only when chosen") {
  Fido2RegisterOptions options;
  options.user = "bob";
  json plain = authd::fido2RegisterBeginRequest(options);
  CHECK(keysOf(plain) == std::set<std::string>{"op", "user", "resident"});
  CHECK(plain["op"] == "fido2_register_begin");
  CHECK(plain["resident"] == false);
  options.label = "yubikey";
  options.resident = true;
  options.uv = UvPolicy::required;
  json full = authd::fido2RegisterBeginRequest(options);
  CHECK(keysOf(full) == std::set<std::string>{"op", "user", "resident", "label", "uv"});
  CHECK(full["label"] == "yubikey");
  CHECK(full["resident"] == true);
  CHECK(full["uv"] == "required");
}

TEST_CASE("fido2_register_finish request: the documented fields") {
  json r = authd::fido2RegisterFinishRequest("bob", sampleAttestation());
  CHECK(keysOf(r) == std::set<std::string>{"op", "user", "challenge", "fmt", "auth_data",
                                           "att_stmt", "client_data_hash"});
  CHECK(r["op"] == "fido2_register_finish");
  CHECK(r["fmt"] == "packed");
  CHECK(r["att_stmt"] == "oA");
  CHECK(r["auth_data"] == b64(Bytes(164, 6)));
}

// --- fido2_begin answer ------------------------------------------------------------------------

TEST_CASE("fido2_begin answer: parsed fully") {
  auto r = authd::parseFido2BeginResponse(beginAnswer());
  REQUIRE(r.ok());
  CHECK(r.answer->challenge == Bytes(32, 0xab));
  CHECK(r.answer->rpId == "mfa.example.org");
  CHECK(r.answer->allow == std::vector<Bytes>{Bytes{1, 2, 3}, Bytes(64, 9)});
  CHECK(authd::toString(r.answer->uv) == "required");
  CHECK(r.answer->timeoutSeconds == 60);
}

TEST_CASE("fido2_begin answer: strict") {
  requireStrict(beginAnswer(), parseBegin);
  requireRejects(beginAnswer(), "challenge", {b64(Bytes(31, 1)), b64(Bytes(33, 1))}, parseBegin);
  for (const json& bad : badBase64(32))
    requireRejects(beginAnswer(), "challenge", {bad}, parseBegin);
  requireRejects(beginAnswer(), "rp_id", {1, "", json::array()}, parseBegin);
  requireRejects(beginAnswer(), "allow",
                 {json::array(), "AQID", json::array({1}), json::array({""}),
                  json::array({"AQID="}), json::array({b64(Bytes(1024, 1))})},
                 parseBegin);
  requireRejects(beginAnswer(), "uv", {"sometimes", "", true}, parseBegin);
  requireRejects(beginAnswer(), "timeout", {0, -1, "60", 1.5, 86401}, parseBegin);
}

TEST_CASE("fido2_begin answer: envelope and server errors") {
  json err = json{{"v", 1}, {"id", 7}, {"ok", false}, {"error", "not_found"}, {"message", "m"}};
  auto r = authd::parseFido2BeginResponse(err);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error.kind == CallError::Kind::server);
  CHECK(r.error.code == "not_found");
  for (const char* key : {"v", "id", "ok"}) {
    json broken = beginAnswer();
    broken.erase(key);
    CHECK(authd::parseFido2BeginResponse(broken).error.kind == CallError::Kind::protocol);
  }
  CHECK_FALSE(authd::parseFido2BeginResponse(json::array()).ok());
}

// --- fido2_register_begin answer ---------------------------------------------------------------

TEST_CASE("fido2_register_begin answer: parsed fully") {
  auto r = authd::parseFido2RegisterBeginResponse(registerBeginAnswer());
  REQUIRE(r.ok());
  const auto& c = *r.answer;
  CHECK(c.challenge == Bytes(32, 0xcd));
  CHECK(c.rpId == "mfa.example.org");
  CHECK(c.rpName == "Example Corp");
  CHECK(c.userHandle == Bytes(16, 0x42));
  CHECK(c.userName == "alice");
  CHECK(c.userDisplayName == "Alice Example");
  CHECK(c.algorithms == std::vector<int>{-7, -8, -257});
  CHECK(c.exclude == std::vector<Bytes>{Bytes{5, 6}});
  CHECK(c.resident);
  CHECK(authd::toString(c.uv) == "discouraged");
  CHECK(c.attestation == "trusted");
  CHECK(c.timeoutSeconds == 120);
  json noExclude = registerBeginAnswer();
  noExclude["exclude"] = json::array();
  CHECK(authd::parseFido2RegisterBeginResponse(noExclude).ok());
}

TEST_CASE("fido2_register_begin answer: strict") {
  requireStrict(registerBeginAnswer(), parseRegBegin);
  for (const json& bad : badBase64(16)) {
    requireRejects(registerBeginAnswer(), "user_handle", {bad}, parseRegBegin);
  }
  requireRejects(registerBeginAnswer(), "user_handle", {b64(Bytes(15, 1)), b64(Bytes(17, 1))},
                 parseRegBegin);
  requireRejects(registerBeginAnswer(), "algorithms",
                 {json::array(), json::array({"-7"}), json::array({0}), json::array({-7.5}),
                  json::array({70000}), -7},
                 parseRegBegin);
  requireRejects(registerBeginAnswer(), "exclude", {"AQID", json::array({"A"})}, parseRegBegin);
  requireRejects(registerBeginAnswer(), "resident", {"true", 1}, parseRegBegin);
  requireRejects(registerBeginAnswer(), "attestation", {"basic", "direct", 3}, parseRegBegin);
  requireRejects(registerBeginAnswer(), "user_display_name", {"", json::object()}, parseRegBegin);
}

// --- fido2_register_finish answer --------------------------------------------------------------

TEST_CASE("fido2_register_finish answer: parsed fully") {
  auto r = authd::parseFido2RegisterFinishResponse(registerFinishAnswer());
  REQUIRE(r.ok());
  CHECK(r.answer->credentialId == 12);
  CHECK(r.answer->fido2Id == b64(Bytes{9, 8, 7, 6}));
  CHECK(r.answer->aaguid == "cb69481e-8ff7-4039-93ec-0a2729a154a8");
  CHECK(r.answer->attestation == "basic");
  CHECK(r.answer->fmt == "packed");
  CHECK(r.answer->algorithm == -7);
  json unverified = registerFinishAnswer();
  unverified["attestation"] = "basic_unverified";  // x5c accepted without a chain check
  auto parsed = authd::parseFido2RegisterFinishResponse(unverified);
  REQUIRE(parsed.ok());
  CHECK(parsed.answer->attestation == "basic_unverified");
}

TEST_CASE("fido2_register_finish answer: strict") {
  requireStrict(registerFinishAnswer(), parseRegFinish);
  requireRejects(registerFinishAnswer(), "credential_id", {-1, "12", 1.0e20}, parseRegFinish);
  requireRejects(registerFinishAnswer(), "fido2_id", {"CQgHBg=", "", "+/8", 5}, parseRegFinish);
  requireRejects(registerFinishAnswer(), "aaguid",
                 {"CB69481E-8FF7-4039-93EC-0A2729A154A8", "cb69481e8ff7403993ec0a2729a154a8",
                  "cb69481e-8ff7-4039-93ec-0a2729a154a", "xb69481e-8ff7-4039-93ec-0a2729a154a8"},
                 parseRegFinish);
  requireRejects(registerFinishAnswer(), "attestation", {"self-ish", "trusted", "basic_"},
                 parseRegFinish);
  requireRejects(registerFinishAnswer(), "algorithm", {"-7", 100000}, parseRegFinish);
}

// --- round trips through a client --------------------------------------------------------------

TEST_CASE("beginFido2Logon and verifyFido2 send one request each and parse the answer") {
  authd::test::FakeAuthd fake(
      {R"({"v":1,"id":{id},"ok":true,"challenge":")" + b64(Bytes(32, 1)) +
           R"(","rp_id":"mfa.example.org","allow":["AgI"],"uv":"preferred","timeout":60})",
       R"({"v":1,"id":{id},"ok":true,"result":"accept","message":"ok","credential_id":4})"});
  // The fake answers one request per connection, so each call gets its own client.
  authd::Client client(fake.path(), kTimeout);
  auto begin = authd::beginFido2Logon(client, "alice", "login");
  REQUIRE(begin.ok());
  CHECK(begin.answer->allow == std::vector<Bytes>{Bytes{2, 2}});
  Fido2VerifyRequest request;
  request.user = "alice";
  request.assertion = sampleAssertion();
  authd::Client second(fake.path(), kTimeout);
  auto verdict = authd::verifyFido2(second, request);
  REQUIRE(verdict.ok());
  CHECK(verdict.answer->decision == authd::Decision::accept);
  auto sent = fake.stop();
  REQUIRE(sent.size() == 2);
  CHECK(json::parse(sent[0])["op"] == "fido2_begin");
  CHECK(json::parse(sent[1])["factor"] == "fido2");
  CHECK_FALSE(json::parse(sent[1]).contains("password"));
}

TEST_CASE("verifyFido2 carries the directory password to authd") {
  authd::test::FakeAuthd fake(
      {R"({"v":1,"id":{id},"ok":true,"result":"reject","message":"Verification failed."})"});
  authd::Client client(fake.path(), kTimeout);
  Fido2VerifyRequest request;
  request.user = "alice";
  request.assertion = sampleAssertion();
  request.password = std::string(authd::protocol::kMaxPasswordBytes, 'p');
  auto verdict = authd::verifyFido2(client, request);
  REQUIRE(verdict.ok());
  CHECK(verdict.answer->decision == authd::Decision::reject);
  auto sent = fake.stop();
  REQUIRE(sent.size() == 1);
  CHECK(json::parse(sent[0])["password"] == *request.password);
}

TEST_CASE("registration round trip") {
  json begin = registerBeginAnswer();
  begin["id"] = 0;
  std::string beginText = begin.dump();
  beginText.replace(beginText.find("\"id\":0"), 6, "\"id\":{id}");
  json finish = registerFinishAnswer();
  finish["id"] = 0;
  std::string finishText = finish.dump();
  finishText.replace(finishText.find("\"id\":0"), 6, "\"id\":{id}");
  authd::test::FakeAuthd fake({beginText, finishText});
  authd::Client client(fake.path(), kTimeout);
  Fido2RegisterOptions options;
  options.user = "alice";
  auto challenge = authd::beginFido2Registration(client, options);
  REQUIRE(challenge.ok());
  authd::Client second(fake.path(), kTimeout);
  auto done = authd::finishFido2Registration(second, "alice", sampleAttestation());
  REQUIRE(done.ok());
  CHECK(done.answer->credentialId == 12);
  auto sent = fake.stop();
  REQUIRE(sent.size() == 2);
  CHECK(json::parse(sent[1])["op"] == "fido2_register_finish");
}

TEST_CASE("arguments the protocol cannot carry are refused before sending") {
  authd::test::FakeAuthd fake({R"({"v":1,"id":{id},"ok":true})"});
  authd::Client client(fake.path(), kTimeout);
  CHECK(authd::beginFido2Logon(client, "", "login").error.kind == CallError::Kind::argument);
  CHECK(authd::beginFido2Logon(client, "a\nb", "login").error.kind == CallError::Kind::argument);
  Fido2VerifyRequest request;
  request.user = "alice";
  request.assertion = sampleAssertion();
  request.assertion.challenge.pop_back();
  CHECK(authd::verifyFido2(client, request).error.kind == CallError::Kind::argument);
  request.assertion = sampleAssertion();
  request.assertion.signature.clear();
  CHECK(authd::verifyFido2(client, request).error.kind == CallError::Kind::argument);
  request.assertion = sampleAssertion();
  request.assertion.authData = Bytes(1025, 1);
  CHECK(authd::verifyFido2(client, request).error.kind == CallError::Kind::argument);
  request.assertion = sampleAssertion();
  for (std::string password :
       {std::string(), std::string(authd::protocol::kMaxPasswordBytes + 1, 'p'),
        std::string("a\0b", 3)}) {
    request.password = password;
    CHECK(authd::verifyFido2(client, request).error.kind == CallError::Kind::argument);
  }
  Fido2RegisterOptions options;
  options.user = "alice";
  options.label = std::string(65, 'x');
  CHECK(authd::beginFido2Registration(client, options).error.kind == CallError::Kind::argument);
  Fido2Attestation att = sampleAttestation();
  att.attStmt.clear();
  CHECK(authd::finishFido2Registration(client, "alice", att).error.kind ==
        CallError::Kind::argument);
  CHECK(fake.stop().empty());
}
