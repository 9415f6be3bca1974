// The security-key path of pam_authd, end to end inside the process: a real libpam handle, a
// scripted authd on a Unix socket, and virtual keys driven by the real libfido2.
#include "fido2_logon.h"

#include <doctest/doctest.h>
#include <fido/es256.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "authd/base64url.h"
#include "fido2/virtual_key_ring.h"
#include "outcome.h"
#include "unit/client/fake_authd.h"
#include "unit/fido2/fido2_test_util.h"
#include "unit/pam_module/pam_session.h"

using authd::Bytes;
using authd::test::Conversation;
using authd::test::FakeAuthd;
using authd::test::PamSession;
using authd::test::sawMessage;
using authd::testing::CredPtr;
using authd::testing::SoftAuthenticatorConfig;
using authd::testing::VirtualKeyRing;
using nlohmann::json;

namespace {

constexpr int kTouch = -1;  // not a PAM message style: marks a touch in Conversation::seen
const Bytes kChallenge(32, 0x6b);

constexpr const char* kFactorsBoth =
    R"({"v":1,"id":{id},"ok":true,"factors":["totp","fido2"],"locked":false})";
constexpr const char* kFactorsFido2 =
    R"({"v":1,"id":{id},"ok":true,"factors":["fido2"],"locked":false})";
constexpr const char* kFactorsTotp =
    R"({"v":1,"id":{id},"ok":true,"factors":["totp"],"locked":false})";
constexpr const char* kAccept =
    R"({"v":1,"id":{id},"ok":true,"result":"accept","message":"Verification code accepted.","credential_id":3})";
constexpr const char* kReject =
    R"({"v":1,"id":{id},"ok":true,"result":"reject","message":"Verification failed."})";

std::string b64(const Bytes& bytes) { return authd::base64urlEncode(bytes); }

std::string beginAnswer(const Bytes& allowed, const char* uv = "discouraged") {
  return R"({"v":1,"id":{id},"ok":true,"challenge":")" + b64(kChallenge) +
         R"(","rp_id":"mfa.example.org","allow":[")" + b64(allowed) + R"("],"uv":")" + uv +
         R"(","timeout":60})";
}

const std::pair<int, std::string> kTouchInfo{PAM_TEXT_INFO, std::string(authd::kTouchPrompt)};
const std::pair<int, std::string> kPinPromptSeen{PAM_PROMPT_ECHO_OFF, authd::pam::kPinPrompt};
const std::pair<int, std::string> kCodePromptSeen{PAM_PROMPT_ECHO_OFF, authd::pam::kPrompt};

// A ring whose keys report their touches into the conversation's record, so the order of
// "touch prompt shown" and "key touched" is observable.
struct Keys {
  VirtualKeyRing ring;

  void plug(const char* name, uint64_t seed, Conversation* conv) {
    SoftAuthenticatorConfig config;
    config.name = name;
    config.seed = seed;
    auto& key = ring.plug(config);
    key.faults().touchDelay = std::chrono::milliseconds(1);
    key.setWaiter([conv](std::chrono::milliseconds) { conv->seen.emplace_back(kTouch, "touch"); });
  }
  // A credential on key `index`, as if enrolled earlier (that touch is not part of the logon).
  CredPtr enrol(size_t index) {
    CredPtr cred = authd::testing::credRequest(authd::testing::clientDataHash(1));
    auto& faults = ring.key(index).faults();
    faults.touchDelay = std::chrono::milliseconds(0);
    auto dev = ring.openVirtualDevice(index);
    REQUIRE(dev);
    REQUIRE(fido_dev_make_cred(dev.get(), cred.get(), nullptr) == FIDO_OK);
    faults.touchDelay = std::chrono::milliseconds(1);
    return cred;
  }
};

Bytes idOf(const fido_cred_t* cred) {
  return authd::testing::view(fido_cred_id_ptr(cred), fido_cred_id_len(cred));
}

using Seen = std::vector<std::pair<int, std::string>>;

// The conversation as readable text, so a failed comparison shows what happened.
std::string transcript(const Seen& seen) {
  std::string out;
  for (const auto& [style, text] : seen) out += "[" + std::to_string(style) + "] " + text + "\n";
  return out;
}

std::string socketArg(const FakeAuthd& fake) { return "socket=" + fake.path(); }

std::vector<std::string> ops(const std::vector<std::string>& sent) {
  std::vector<std::string> out;
  for (const auto& line : sent) {
    json request = json::parse(line);
    std::string op = request["op"];
    if (request.contains("factor")) op += ":" + request["factor"].get<std::string>();
    out.push_back(op);
  }
  return out;
}

// authd's side, independently of the module: the assertion the module sent verifies with the
// credential's public key over the challenge, with the user present.
int verifySentAssertion(const json& verify, const fido_cred_t* cred) {
  auto authData = authd::base64urlDecode(verify["auth_data"].get<std::string>());
  auto signature = authd::base64urlDecode(verify["signature"].get<std::string>());
  auto cdh = authd::base64urlDecode(verify["client_data_hash"].get<std::string>());
  if (!authData || !signature || !cdh) return FIDO_ERR_INVALID_ARGUMENT;
  authd::testing::AssertPtr v(fido_assert_new());
  fido_assert_set_count(v.get(), 1);
  fido_assert_set_clientdata_hash(v.get(), cdh->data(), cdh->size());
  fido_assert_set_rp(v.get(), authd::testing::kRp);
  int rc = fido_assert_set_authdata_raw(v.get(), 0, authData->data(), authData->size());
  if (rc != FIDO_OK) return rc;
  fido_assert_set_sig(v.get(), 0, signature->data(), signature->size());
  fido_assert_set_up(v.get(), FIDO_OPT_TRUE);
  es256_pk_t* pk = es256_pk_new();
  rc = es256_pk_from_ptr(pk, fido_cred_pubkey_ptr(cred), fido_cred_pubkey_len(cred));
  if (rc == FIDO_OK) rc = fido_assert_verify(v.get(), 0, COSE_ES256, pk);
  es256_pk_free(&pk);
  return rc;
}

}  // namespace

TEST_CASE("pam fido2: the key holding the credential signs after the touch prompt; authd accepts") {
  Conversation conv{"123456", {}};
  Keys keys;
  keys.plug("spare", 3, &conv);
  keys.plug("enrolled", 4, &conv);
  CredPtr cred = keys.enrol(1);
  FakeAuthd fake({kFactorsBoth, beginAnswer(idOf(cred.get())), kAccept});
  PamSession pam("alice", &conv);

  CHECK(pam.runWithKeys(keys.ring.manifestFunction(), {socketArg(fake)}) == PAM_SUCCESS);

  const auto sent = fake.stop();
  REQUIRE(ops(sent) == std::vector<std::string>{"factors", "fido2_begin", "verify:fido2"});
  const json begin = json::parse(sent[1]);
  CHECK(begin["user"] == "alice");
  CHECK(begin["service"] == "authd-unit");
  const json verify = json::parse(sent[2]);
  CHECK(verify["user"] == "alice");
  CHECK(verify["challenge"] == b64(kChallenge));
  CHECK(verify["client_data_hash"] == b64(kChallenge));
  CHECK(verify["credential"] == b64(idOf(cred.get())));
  CHECK(verify["service"] == "authd-unit");
  CHECK(verify["rhost"] == "203.0.113.5");
  CHECK(verify["tty"] == "pts/3");
  CHECK(verifySentAssertion(verify, cred.get()) == FIDO_OK);
  // No code prompt; the touch prompt came before the touch, also under PAM_SILENT below.
  CHECK(transcript(conv.seen) == transcript(Seen{kTouchInfo, {kTouch, "touch"}}));
}

TEST_CASE("pam fido2: the directory password goes to authd with the assertion") {
  Conversation conv{"123456", {}};
  Keys keys;
  keys.plug("key0", 6, &conv);
  CredPtr cred = keys.enrol(0);
  FakeAuthd fake({beginAnswer(idOf(cred.get())), kAccept});
  PamSession pam("alice", &conv);
  authd::pam::ModuleOptions options;
  options.socketPath = fake.path();
  authd::pam::Logon logon{"alice", "openvpn", "", ""};

  auto attempt = authd::pam::tryFido2(pam.handle(), options, logon, keys.ring.manifestFunction(),
                                      false, "dir-secret");

  REQUIRE(attempt.outcome.has_value());
  CHECK(attempt.outcome->pamCode == PAM_SUCCESS);
  const auto sent = fake.stop();
  REQUIRE(ops(sent) == std::vector<std::string>{"fido2_begin", "verify:fido2"});
  const json verify = json::parse(sent[1]);
  CHECK(verify["password"] == "dir-secret");
  CHECK(verifySentAssertion(verify, cred.get()) == FIDO_OK);
  CHECK(attempt.note.find("dir-secret") == std::string::npos);
}

TEST_CASE("pam fido2: no directory password, no password field") {
  Conversation conv{"123456", {}};
  Keys keys;
  keys.plug("key0", 7, &conv);
  CredPtr cred = keys.enrol(0);
  FakeAuthd fake({kFactorsFido2, beginAnswer(idOf(cred.get())), kAccept});
  PamSession pam("alice", &conv);
  CHECK(pam.runWithKeys(keys.ring.manifestFunction(), {socketArg(fake)}) == PAM_SUCCESS);
  const auto sent = fake.stop();
  REQUIRE(sent.size() == 3);
  CHECK_FALSE(json::parse(sent[2]).contains("password"));
}

TEST_CASE("pam fido2: the touch prompt is shown under PAM_SILENT too") {
  Conversation conv{"123456", {}};
  Keys keys;
  keys.plug("key0", 5, &conv);
  CredPtr cred = keys.enrol(0);
  FakeAuthd fake({kFactorsFido2, beginAnswer(idOf(cred.get())), kReject});
  PamSession pam("alice", &conv);
  CHECK(pam.runWithKeys(keys.ring.manifestFunction(), {socketArg(fake)}, PAM_SILENT) ==
        PAM_AUTH_ERR);
  CHECK(transcript(conv.seen) == transcript(Seen{kTouchInfo, {kTouch, "touch"}}));
}

TEST_CASE("pam fido2: authd's reject and locked are the answer, whatever the key did") {
  Conversation conv{"123456", {}};
  Keys keys;
  keys.plug("key0", 5, &conv);
  CredPtr cred = keys.enrol(0);
  SUBCASE("reject") {
    FakeAuthd fake({kFactorsFido2, beginAnswer(idOf(cred.get())), kReject});
    PamSession pam("alice", &conv);
    CHECK(pam.runWithKeys(keys.ring.manifestFunction(), {socketArg(fake)}) == PAM_AUTH_ERR);
    CHECK(sawMessage(conv, PAM_ERROR_MSG, "Verification failed."));
  }
  SUBCASE("locked") {
    FakeAuthd fake(
        {kFactorsFido2, beginAnswer(idOf(cred.get())),
         R"({"v":1,"id":{id},"ok":true,"result":"locked","message":"Locked.","retry_after":60})"});
    PamSession pam("alice", &conv);
    CHECK(pam.runWithKeys(keys.ring.manifestFunction(), {socketArg(fake)}) == PAM_MAXTRIES);
  }
  SUBCASE("a malformed answer") {
    FakeAuthd fake({kFactorsFido2, beginAnswer(idOf(cred.get())),
                    R"({"v":1,"id":{id},"ok":true,"result":"accept","message":"ok"})"});
    PamSession pam("alice", &conv);
    CHECK(pam.runWithKeys(keys.ring.manifestFunction(), {socketArg(fake)}) == PAM_AUTHINFO_UNAVAIL);
  }
}

TEST_CASE("pam fido2: uv required asks for the PIN before the touch prompt") {
  Conversation conv{"2468", {}};
  Keys keys;
  keys.plug("key0", 5, &conv);
  CredPtr cred = keys.enrol(0);
  keys.ring.key(0).setPin("2468");
  FakeAuthd fake({kFactorsFido2, beginAnswer(idOf(cred.get()), "required"), kAccept});
  PamSession pam("alice", &conv);
  CHECK(pam.runWithKeys(keys.ring.manifestFunction(), {socketArg(fake)}) == PAM_SUCCESS);
  CHECK(transcript(conv.seen) == transcript(Seen{kPinPromptSeen, kTouchInfo, {kTouch, "touch"}}));
  const auto sent = fake.stop();
  REQUIRE(sent.size() == 3);
  CHECK(sent[2].find("2468") == std::string::npos);  // the PIN never goes to authd
}

TEST_CASE("pam fido2: PIN problems deny without asking authd to verify") {
  Keys keys;
  Conversation conv{"1111", {}};
  keys.plug("key0", 5, &conv);
  CredPtr cred = keys.enrol(0);
  keys.ring.key(0).setPin("2468");
  std::string_view expected;
  SUBCASE("wrong PIN") { expected = authd::pam::kMsgPinInvalid; }
  SUBCASE("empty PIN") {
    conv.answer = "";
    expected = authd::pam::kMsgPinMissing;
  }
  FakeAuthd fake({kFactorsBoth, beginAnswer(idOf(cred.get()), "required"), kAccept});
  PamSession pam("alice", &conv);
  CHECK(pam.runWithKeys(keys.ring.manifestFunction(), {socketArg(fake)}) == PAM_AUTH_ERR);
  CHECK(sawMessage(conv, PAM_ERROR_MSG, std::string(expected)));
  CHECK(ops(fake.stop()) == std::vector<std::string>{"factors", "fido2_begin"});
  CHECK_FALSE(sawMessage(conv, kTouch, "touch"));
}

TEST_CASE("pam fido2: a failing conversation at the PIN prompt denies") {
  Conversation conv{std::nullopt, {}};
  Keys keys;
  keys.plug("key0", 5, &conv);
  CredPtr cred = keys.enrol(0);
  keys.ring.key(0).setPin("2468");
  FakeAuthd fake({kFactorsFido2, beginAnswer(idOf(cred.get()), "required"), kAccept});
  PamSession pam("alice", &conv);
  CHECK(pam.runWithKeys(keys.ring.manifestFunction(), {socketArg(fake)}) == PAM_AUTH_ERR);
  CHECK(ops(fake.stop()) == std::vector<std::string>{"factors", "fido2_begin"});
  CHECK(transcript(conv.seen) == transcript(Seen{kPinPromptSeen}));
}

TEST_CASE("pam fido2: factor=any without a usable key falls back to the code") {
  Conversation conv{"123456", {}};
  Keys keys;
  SUBCASE("no key plugged") {}
  SUBCASE("a key without the user's credential") { keys.plug("other", 7, &conv); }
  FakeAuthd fake({kFactorsBoth, beginAnswer(Bytes(32, 1)), kAccept});
  PamSession pam("alice", &conv);
  CHECK(pam.runWithKeys(keys.ring.manifestFunction(), {socketArg(fake), "factor=any"}) ==
        PAM_SUCCESS);
  const auto sent = fake.stop();
  REQUIRE(ops(sent) == std::vector<std::string>{"factors", "fido2_begin", "verify:totp"});
  CHECK(json::parse(sent[2])["code"] == "123456");
  CHECK(transcript(conv.seen) == transcript(Seen{kCodePromptSeen}));
}

TEST_CASE("pam fido2: a key's own failure does not fall back to the code") {
  Conversation conv{"123456", {}};
  Keys keys;
  keys.plug("key0", 5, &conv);
  CredPtr cred = keys.enrol(0);
  keys.ring.key(0).setPin("2468");
  // uv required and the user gives no PIN: the key is there, so no code prompt either.
  conv.answer = "";
  FakeAuthd fake({kFactorsBoth, beginAnswer(idOf(cred.get()), "required"), kAccept});
  PamSession pam("alice", &conv);
  CHECK(pam.runWithKeys(keys.ring.manifestFunction(), {socketArg(fake)}) == PAM_AUTH_ERR);
  CHECK(ops(fake.stop()) == std::vector<std::string>{"factors", "fido2_begin"});
}

TEST_CASE("pam fido2: factor=fido2 without a key: No security key found.") {
  Conversation conv{"123456", {}};
  Keys keys;
  SUBCASE("no key plugged") {}
  SUBCASE("the key answers NO_CREDENTIALS") {
    keys.plug("key0", 5, &conv);
    keys.enrol(0);
    keys.ring.key(0).faults().noCredential = true;
  }
  FakeAuthd fake({kFactorsBoth, beginAnswer(Bytes(32, 1)), kAccept});
  PamSession pam("alice", &conv);
  CHECK(pam.runWithKeys(keys.ring.manifestFunction(), {socketArg(fake), "factor=fido2"}) ==
        PAM_AUTH_ERR);
  CHECK(ops(fake.stop()) == std::vector<std::string>{"factors", "fido2_begin"});
  CHECK(transcript(conv.seen) ==
        transcript(Seen{{PAM_ERROR_MSG, std::string(authd::pam::kMsgNoKey)}}));
}

TEST_CASE("pam fido2: a user with only a key and none plugged is denied, without a code prompt") {
  Conversation conv{"123456", {}};
  Keys keys;
  FakeAuthd fake({kFactorsFido2, beginAnswer(Bytes(32, 1)), kAccept});
  PamSession pam("alice", &conv);
  CHECK(pam.runWithKeys(keys.ring.manifestFunction(), {socketArg(fake)}) == PAM_AUTH_ERR);
  CHECK(ops(fake.stop()) == std::vector<std::string>{"factors", "fido2_begin"});
  CHECK(sawMessage(conv, PAM_ERROR_MSG, std::string(authd::pam::kMsgNoKey)));
}

TEST_CASE("pam fido2: factor=totp never touches the key path") {
  Conversation conv{"123456", {}};
  Keys keys;
  keys.plug("key0", 5, &conv);
  CredPtr cred = keys.enrol(0);
  FakeAuthd fake({kFactorsBoth, kAccept});
  PamSession pam("alice", &conv);
  CHECK(pam.runWithKeys(keys.ring.manifestFunction(), {socketArg(fake), "factor=totp"}) ==
        PAM_SUCCESS);
  CHECK(ops(fake.stop()) == std::vector<std::string>{"factors", "verify:totp"});
  CHECK(transcript(conv.seen) == transcript(Seen{kCodePromptSeen}));
}

TEST_CASE("pam fido2: an option that excludes every factor of the user denies at once") {
  Conversation conv{"123456", {}};
  Keys keys;
  FakeAuthd fake({kFactorsTotp, kAccept});
  PamSession pam("alice", &conv);
  CHECK(pam.runWithKeys(keys.ring.manifestFunction(), {socketArg(fake), "factor=fido2"}) ==
        PAM_AUTH_ERR);
  CHECK(ops(fake.stop()) == std::vector<std::string>{"factors"});
  CHECK(sawMessage(conv, PAM_ERROR_MSG, std::string(authd::pam::kMsgUnsupported)));
}

TEST_CASE("pam fido2: fido2_begin failing is unavailable, never a fallback to the code") {
  Conversation conv{"123456", {}};
  Keys keys;
  FakeAuthd fake({kFactorsBoth, R"({"v":1,"id":{id},"ok":false,"error":"unavailable"})", kAccept});
  PamSession pam("alice", &conv);
  CHECK(pam.runWithKeys(keys.ring.manifestFunction(), {socketArg(fake)}) == PAM_AUTHINFO_UNAVAIL);
  CHECK(ops(fake.stop()) == std::vector<std::string>{"factors", "fido2_begin"});
  CHECK(transcript(conv.seen) ==
        transcript(Seen{{PAM_ERROR_MSG, std::string(authd::pam::kMsgUnavailable)}}));
}
