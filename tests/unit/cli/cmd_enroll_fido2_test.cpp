#include "cli/cmd_enroll_fido2.h"

#include <doctest/doctest.h>
#include <fido.h>

#include <chrono>
#include <memory>
#include <set>

#include "authd/base64url.h"
#include "fake_authd.h"
#include "fido2/virtual_key_ring.h"

using namespace authd::cli;
using namespace authd::cli::test;
using authd::testing::SoftAuthenticator;
using authd::testing::SoftAuthenticatorConfig;
using authd::testing::VirtualKeyRing;

namespace {

constexpr const char* kRpId = "mfa.example.org";
constexpr unsigned char kFlagUv = 0x04;

struct CredFree {
  void operator()(fido_cred_t* c) const { fido_cred_free(&c); }
};
using CredPtr = std::unique_ptr<fido_cred_t, CredFree>;

authd::Bytes sequence(std::size_t n, unsigned char first) {
  authd::Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<unsigned char>(first + i);
  return out;
}

const authd::Bytes kChallenge = sequence(32, 0xa0);

nlohmann::json beginAnswer(const std::string& uv = "preferred",
                           nlohmann::json exclude = nlohmann::json::array(),
                           nlohmann::json algorithms = {-7, -8, -257}) {
  return {{"challenge", authd::base64urlEncode(kChallenge)},
          {"rp_id", kRpId},
          {"rp_name", "Example MFA"},
          {"user_handle", authd::base64urlEncode(sequence(16, 1))},
          {"user_name", "alice"},
          {"user_display_name", "Alice Example"},
          {"algorithms", std::move(algorithms)},
          {"exclude", std::move(exclude)},
          {"resident", false},
          {"uv", uv},
          {"attestation", "self"},
          {"timeout", 60}};
}

nlohmann::json finishAnswer() {
  return {{"credential_id", 12},
          {"fido2_id", "q83vEjRWeJA"},
          {"aaguid", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"},
          {"attestation", "self"},
          {"fmt", "packed"},
          {"algorithm", -7}};
}

SoftAuthenticator& plug(VirtualKeyRing& ring, const char* name, std::uint64_t seed) {
  SoftAuthenticatorConfig config;
  config.name = name;
  config.seed = seed;
  return ring.plug(config);
}

authd::Bytes field(const nlohmann::json& request, const char* key) {
  auto decoded = authd::base64urlDecode(request.at(key).get<std::string>());
  REQUIRE_MESSAGE(decoded.has_value(), key);
  return *decoded;
}

// authd's side of fido2_register_finish: libfido2 checks the packed self attestation over the
// artefacts exactly as authctl sent them (rpIdHash, UP, UV when asked, signature).
int verifyFinish(const nlohmann::json& finish, bool requireUv, CredPtr* parsed = nullptr) {
  const authd::Bytes cdh = field(finish, "client_data_hash");
  const authd::Bytes authData = field(finish, "auth_data");
  const authd::Bytes attStmt = field(finish, "att_stmt");
  CredPtr cred(fido_cred_new());
  fido_cred_set_type(cred.get(), COSE_ES256);
  fido_cred_set_clientdata_hash(cred.get(), cdh.data(), cdh.size());
  fido_cred_set_rp(cred.get(), kRpId, nullptr);
  int rc = fido_cred_set_authdata_raw(cred.get(), authData.data(), authData.size());
  if (rc == FIDO_OK)
    rc = fido_cred_set_fmt(cred.get(), finish.at("fmt").get<std::string>().c_str());
  if (rc == FIDO_OK) rc = fido_cred_set_attstmt(cred.get(), attStmt.data(), attStmt.size());
  if (requireUv) fido_cred_set_uv(cred.get(), FIDO_OPT_TRUE);
  if (rc == FIDO_OK) rc = fido_cred_verify_self(cred.get());
  if (parsed != nullptr) *parsed = std::move(cred);
  return rc;
}

bool hasUvFlag(const nlohmann::json& finish) {
  const authd::Bytes authData = field(finish, "auth_data");
  return authData.size() > 32 && (authData[32] & kFlagUv) != 0;
}

}  // namespace

TEST_CASE("enroll fido2: begin, touch, finish; the artefacts sent to authd verify in libfido2") {
  VirtualKeyRing ring;
  SoftAuthenticator& key = plug(ring, "cli-enrol", 11);
  FakeAuthd fake;
  fake.ok(beginAnswer());
  fake.ok(finishAnswer());
  Terminal terminal;
  std::string shownAtTouch;
  key.faults().touchDelay = std::chrono::milliseconds(5);
  key.setWaiter([&](std::chrono::milliseconds) { shownAtTouch = terminal.out.str(); });

  auto r = runAuthctlOn(terminal, fake, {"enroll", "fido2", "alice", "--label", "yubi"},
                        ring.manifestFunction());

  CHECK(r.exitCode == 0);
  CHECK(r.err.empty());
  REQUIRE(fake.requests.size() == 2);
  CHECK(fake.requests[0]["op"] == "fido2_register_begin");
  CHECK(fake.requests[0]["user"] == "alice");
  CHECK(fake.requests[0]["label"] == "yubi");
  const nlohmann::json& finish = fake.requests[1];
  CHECK(finish["op"] == "fido2_register_finish");
  CHECK(finish["user"] == "alice");
  CHECK(field(finish, "challenge") == kChallenge);
  CHECK(field(finish, "client_data_hash") == kChallenge);  // CTAP client: the challenge itself
  CHECK(finish["fmt"] == "packed");
  CredPtr cred;
  CHECK(verifyFinish(finish, false, &cred) == FIDO_OK);
  CHECK(fido_cred_aaguid_len(cred.get()) == 16);
  CHECK(authd::Bytes(fido_cred_aaguid_ptr(cred.get()), fido_cred_aaguid_ptr(cred.get()) + 16) ==
        authd::Bytes(key.aaguid().begin(), key.aaguid().end()));
  CHECK_FALSE(hasUvFlag(finish));
  CHECK(key.credentialCount() == 1);
  CHECK(shownAtTouch.find("Touch your security key now to enrol it for alice.") !=
        std::string::npos);
  CHECK(r.out.find("Enrolled a security key for alice as credential 12.") != std::string::npos);
  CHECK(r.out.find("AAGUID:       0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\n") != std::string::npos);
  CHECK(r.out.find("Attestation:  self (format packed)\n") != std::string::npos);
  CHECK(r.out.find("Algorithm:    es256 (COSE -7)\n") != std::string::npos);
  CHECK(r.out.find("FIDO2 id:     q83vEjRWeJA\n") != std::string::npos);
}

TEST_CASE("a changed byte in the recorded attestation no longer verifies") {
  VirtualKeyRing ring;
  plug(ring, "cli-tamper", 12);
  FakeAuthd fake;
  fake.ok(beginAnswer());
  fake.ok(finishAnswer());
  auto r = runAuthctl(fake, {"enroll", "fido2", "alice"}, "", ring.manifestFunction());
  REQUIRE(r.exitCode == 0);
  REQUIRE(fake.requests.size() == 2);
  nlohmann::json finish = fake.requests[1];
  REQUIRE(verifyFinish(finish, false) == FIDO_OK);
  authd::Bytes cdh = field(finish, "client_data_hash");
  cdh[0] ^= 0x01;
  finish["client_data_hash"] = authd::base64urlEncode(cdh);
  CHECK(verifyFinish(finish, false) != FIDO_OK);
}

TEST_CASE("--uv required: the key's PIN is asked and the credential carries UV") {
  VirtualKeyRing ring;
  SoftAuthenticator& key = plug(ring, "cli-uv", 13);
  key.setPin("4711");
  FakeAuthd fake;
  fake.ok(beginAnswer("required"));
  fake.ok(finishAnswer());
  auto r = runAuthctl(fake, {"enroll", "fido2", "alice", "--uv", "required"}, "4711\n",
                      ring.manifestFunction());
  CHECK(r.exitCode == 0);
  CHECK(r.err.empty());
  REQUIRE(fake.requests.size() == 2);
  CHECK(fake.requests[0]["uv"] == "required");
  CHECK(r.out.find("PIN of ") != std::string::npos);
  CHECK(r.out.find("4711") == std::string::npos);
  CHECK(hasUvFlag(fake.requests[1]));
  CHECK(verifyFinish(fake.requests[1], true) == FIDO_OK);
  CHECK(key.pinRetries() == 8);
}

TEST_CASE("a key with a PIN is asked for it even when authd only prefers verification") {
  VirtualKeyRing ring;
  SoftAuthenticator& key = plug(ring, "cli-preferred-pin", 14);
  key.setPin("2468");
  FakeAuthd fake;
  fake.ok(beginAnswer("preferred"));
  fake.ok(finishAnswer());
  auto r = runAuthctl(fake, {"enroll", "fido2", "alice"}, "2468\n", ring.manifestFunction());
  CHECK(r.exitCode == 0);
  REQUIRE(fake.requests.size() == 2);
  CHECK(hasUvFlag(fake.requests[1]));
  CHECK(verifyFinish(fake.requests[1], true) == FIDO_OK);
}

TEST_CASE("--pin on a key without PIN: verification is wanted here, so a PIN is offered") {
  VirtualKeyRing ring;
  SoftAuthenticator& key = plug(ring, "cli-pin-flag", 28);
  FakeAuthd fake;
  fake.ok(beginAnswer("preferred"));
  fake.ok(finishAnswer());
  fake.ok(beginAnswer("preferred"));
  fake.ok(finishAnswer());
  // Without --pin the same key enrols with presence only and no question.
  auto plain = runAuthctl(fake, {"enroll", "fido2", "alice"}, "", ring.manifestFunction());
  auto withPin = runAuthctl(fake, {"enroll", "fido2", "alice", "--pin"}, "y\n4711\n4711\n",
                            ring.manifestFunction());
  CHECK(plain.exitCode == 0);
  CHECK(plain.out.find("PIN") == std::string::npos);
  CHECK(withPin.exitCode == 0);
  REQUIRE(fake.requests.size() == 4);
  CHECK_FALSE(fake.requests[2].contains("pin"));  // a local choice, not sent to authd
  CHECK_FALSE(hasUvFlag(fake.requests[1]));
  CHECK(hasUvFlag(fake.requests[3]));
  CHECK(verifyFinish(fake.requests[3], true) == FIDO_OK);
  CHECK(key.hasPin());
}

TEST_CASE("a wrong PIN fails without asking authd to finish") {
  VirtualKeyRing ring;
  SoftAuthenticator& key = plug(ring, "cli-wrong-pin", 15);
  key.setPin("4711");
  FakeAuthd fake;
  fake.ok(beginAnswer("required"));
  auto r = runAuthctl(fake, {"enroll", "fido2", "alice"}, "1234\n", ring.manifestFunction());
  CHECK(r.exitCode == 1);
  CHECK(fake.requests.size() == 1);
  CHECK(r.err.find("wrong PIN") != std::string::npos);
  CHECK(countLines(r.err) == 1);
  CHECK(key.pinRetries() == 7);
  CHECK(key.credentialCount() == 0);
}

TEST_CASE("no PIN typed: nothing is enrolled") {
  VirtualKeyRing ring;
  SoftAuthenticator& key = plug(ring, "cli-no-pin-typed", 16);
  key.setPin("4711");
  FakeAuthd fake;
  fake.ok(beginAnswer("required"));
  auto r = runAuthctl(fake, {"enroll", "fido2", "alice"}, "", ring.manifestFunction());
  CHECK(r.exitCode == 1);
  CHECK(fake.requests.size() == 1);
  CHECK(key.credentialCount() == 0);
  CHECK(key.pinRetries() == 8);
}

TEST_CASE("uv required on a key without PIN: authctl offers to set one, asked twice") {
  VirtualKeyRing ring;
  SoftAuthenticator& key = plug(ring, "cli-set-pin", 17);
  FakeAuthd fake;
  fake.ok(beginAnswer("required"));
  fake.ok(finishAnswer());
  // First round: the two PINs differ; second: too short; third: good.
  auto r = runAuthctl(fake, {"enroll", "fido2", "alice"}, "y\n5678\n5679\n12\n12\n5678\n5678\n",
                      ring.manifestFunction());
  CHECK(r.exitCode == 0);
  CHECK(r.out.find("Set a PIN on the key now? [y/N]") != std::string::npos);
  CHECK(r.out.find("Not set: the two PINs differ.") != std::string::npos);
  CHECK(r.out.find("Not set: a PIN needs at least 4 characters.") != std::string::npos);
  CHECK(key.hasPin());
  REQUIRE(fake.requests.size() == 2);
  CHECK(verifyFinish(fake.requests[1], true) == FIDO_OK);
}

TEST_CASE("uv required on a key without PIN: declining the offer enrols nothing") {
  VirtualKeyRing ring;
  SoftAuthenticator& key = plug(ring, "cli-decline-pin", 18);
  FakeAuthd fake;
  fake.ok(beginAnswer("required"));
  auto r = runAuthctl(fake, {"enroll", "fido2", "alice"}, "n\n", ring.manifestFunction());
  CHECK(r.exitCode == 1);
  CHECK(fake.requests.size() == 1);
  CHECK(r.err.find("no PIN but user verification is required") != std::string::npos);
  CHECK_FALSE(key.hasPin());
  CHECK(key.credentialCount() == 0);
}

TEST_CASE("no key plugged: exit 1 before authd is asked") {
  FakeAuthd fake;
  auto r = runAuthctl(fake, {"enroll", "fido2", "alice"});
  CHECK(r.exitCode == 1);
  CHECK(fake.requests.empty());
  CHECK(r.err ==
        "authctl: no security key found: plug in the key to enrol for alice and run the command "
        "again\n");
}

TEST_CASE("two keys plugged: exit 1 before authd is asked, nothing touched") {
  VirtualKeyRing ring;
  SoftAuthenticator& first = plug(ring, "cli-two-a", 19);
  SoftAuthenticator& second = plug(ring, "cli-two-b", 20);
  FakeAuthd fake;
  fake.ok(beginAnswer());
  auto r = runAuthctl(fake, {"enroll", "fido2", "alice"}, "", ring.manifestFunction());
  CHECK(r.exitCode == 1);
  CHECK(fake.requests.empty());
  CHECK(r.err.find("2 security keys are plugged in") != std::string::npos);
  CHECK(first.credentialCount() + second.credentialCount() == 0);
}

TEST_CASE("a key already enrolled for the user is refused through the exclude list") {
  VirtualKeyRing ring;
  SoftAuthenticator& key = plug(ring, "cli-excluded", 21);
  FakeAuthd fake;
  fake.ok(beginAnswer());
  fake.ok(finishAnswer());
  REQUIRE(runAuthctl(fake, {"enroll", "fido2", "alice"}, "", ring.manifestFunction()).exitCode ==
          0);
  CredPtr enrolled;
  REQUIRE(verifyFinish(fake.requests[1], false, &enrolled) == FIDO_OK);
  const authd::Bytes id(fido_cred_id_ptr(enrolled.get()),
                        fido_cred_id_ptr(enrolled.get()) + fido_cred_id_len(enrolled.get()));
  REQUIRE_FALSE(id.empty());

  fake.ok(beginAnswer("preferred",
                      {authd::base64urlEncode(sequence(20, 9)), authd::base64urlEncode(id)}));
  auto again = runAuthctl(fake, {"enroll", "fido2", "alice"}, "", ring.manifestFunction());
  CHECK(again.exitCode == 1);
  CHECK(fake.requests.size() == 3);  // begin, finish, begin: no second finish
  CHECK(again.err ==
        "authctl: this security key is already enrolled for alice (see 'authctl list alice')\n");
  CHECK(key.credentialCount() == 1);
}

TEST_CASE("authd refusing the registration: its message, exit 1") {
  VirtualKeyRing ring;
  plug(ring, "cli-refused", 22);
  FakeAuthd fake;
  fake.ok(beginAnswer());
  fake.refuse("bad_request", "attestation not trusted: aaguid_not_allowed");
  auto r = runAuthctl(fake, {"enroll", "fido2", "alice"}, "", ring.manifestFunction());
  CHECK(r.exitCode == 1);
  CHECK(r.err == "authctl: attestation not trusted: aaguid_not_allowed (bad_request)\n");
  CHECK(r.out.find("Enrolled") == std::string::npos);
}

TEST_CASE("authd refusing to begin: no touch, exit 1; authd away: exit 3") {
  VirtualKeyRing ring;
  SoftAuthenticator& key = plug(ring, "cli-no-begin", 23);
  FakeAuthd fake;
  fake.refuse("not_found", "no such account");
  fake.unreachable(authd::ClientError::Kind::connect, "cannot connect");
  auto refused = runAuthctl(fake, {"enroll", "fido2", "nobody"}, "", ring.manifestFunction());
  auto away = runAuthctl(fake, {"enroll", "fido2", "alice"}, "", ring.manifestFunction());
  CHECK(refused.exitCode == 1);
  CHECK(refused.err == "authctl: no such account (not_found)\n");
  CHECK(away.exitCode == 3);
  CHECK(key.credentialCount() == 0);
}

TEST_CASE("an invalid begin answer is refused before the key is touched") {
  VirtualKeyRing ring;
  SoftAuthenticator& key = plug(ring, "cli-bad-begin", 24);
  FakeAuthd fake;
  nlohmann::json answer = beginAnswer();
  answer["challenge"] = "not base64url!";
  fake.ok(answer);
  auto r = runAuthctl(fake, {"enroll", "fido2", "alice"}, "", ring.manifestFunction());
  CHECK(r.exitCode == 1);
  CHECK(r.err.find("invalid fido2_register_begin answer") != std::string::npos);
  CHECK(key.credentialCount() == 0);
}

TEST_CASE("an algorithm authd does not accept is refused before the touch") {
  VirtualKeyRing ring;
  SoftAuthenticator& key = plug(ring, "cli-algorithm", 25);
  FakeAuthd fake;
  fake.ok(beginAnswer("preferred", nlohmann::json::array(), {-7}));
  auto r = runAuthctl(fake, {"enroll", "fido2", "alice", "--algorithm", "eddsa"}, "",
                      ring.manifestFunction());
  CHECK(r.exitCode == 1);
  CHECK(r.err == "authctl: authd does not accept eddsa keys (it accepts es256)\n");
  CHECK(fake.requests.size() == 1);
  CHECK(key.credentialCount() == 0);
}

TEST_CASE("a touch that never comes times out") {
  VirtualKeyRing ring;
  SoftAuthenticator& key = plug(ring, "cli-slow", 26);
  key.faults().touchDelay = std::chrono::minutes(10);
  std::vector<std::chrono::milliseconds> waited;
  key.setWaiter([&](std::chrono::milliseconds d) { waited.push_back(d); });
  FakeAuthd fake;
  fake.ok(beginAnswer());
  auto r = runAuthctl(fake, {"enroll", "fido2", "alice"}, "", ring.manifestFunction());
  CHECK(r.exitCode == 1);
  CHECK(fake.requests.size() == 1);
  CHECK(r.err.find("not touched in time") != std::string::npos);
  REQUIRE_FALSE(waited.empty());
  CHECK(waited.front() <= std::chrono::seconds(60));  // bounded by the challenge's timeout
}

TEST_CASE("--json: stdout holds authd's result only; the touch prompt goes to stderr") {
  VirtualKeyRing ring;
  plug(ring, "cli-json", 27);
  FakeAuthd fake;
  fake.ok(beginAnswer());
  fake.ok(finishAnswer());
  auto r = runAuthctl(fake, {"--json", "enroll", "fido2", "alice", "--resident"}, "",
                      ring.manifestFunction());
  CHECK(r.exitCode == 0);
  CHECK(fake.requests[0]["resident"] == true);
  CHECK(nlohmann::json::parse(r.out) == finishAnswer());
  CHECK(r.err.find("Touch your security key now") != std::string::npos);
}

TEST_CASE("usage errors of enroll fido2 exit 2 and contact nobody") {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"enroll", "fido2"},
           {"enroll", "fido2", "alice", "--uv", "sometimes"},
           {"enroll", "fido2", "alice", "--algorithm", "ps256"},
           {"enroll", "fido2", "alice", "--label", ""},
           {"enroll", "fido2", "alice", "bob"},
       }) {
    CAPTURE(args.size());
    FakeAuthd fake;
    auto r = runAuthctl(fake, args);
    CHECK(r.exitCode == 2);
    CHECK(countLines(r.err) == 1);
    CHECK(fake.requests.empty());
  }
}

TEST_CASE("COSE algorithm names") {
  CHECK(coseAlgorithmFromName("es256") == -7);
  CHECK(coseAlgorithmFromName("eddsa") == -8);
  CHECK(coseAlgorithmFromName("rs256") == -257);
  CHECK_FALSE(coseAlgorithmFromName("ES256").has_value());
  CHECK(coseAlgorithmName(-8) == "eddsa");
  CHECK(coseAlgorithmName(-35) == "cose:-35");
}

TEST_CASE("chooseAlgorithm: the requested one if allowed, else ES256, else authd's first") {
  std::string error;
  CHECK(chooseAlgorithm(std::nullopt, {-8, -7}, &error) == -7);
  CHECK(chooseAlgorithm(std::nullopt, {-8, -257}, &error) == -8);
  CHECK(chooseAlgorithm(std::string("rs256"), {-7, -257}, &error) == -257);
  CHECK_FALSE(chooseAlgorithm(std::string("rs256"), {-7, -8}, &error).has_value());
  CHECK(error == "authd does not accept rs256 keys (it accepts es256, eddsa)");
  CHECK_FALSE(chooseAlgorithm(std::nullopt, {}, &error).has_value());
  CHECK(error == "authd offered no key algorithm");
}

TEST_CASE("every key failure has its own explanation") {
  using authd::Fido2Failure;
  std::set<std::string> texts;
  for (Fido2Failure f : {Fido2Failure::noDevice, Fido2Failure::pinRequired,
                         Fido2Failure::pinInvalid, Fido2Failure::pinBlocked, Fido2Failure::noPinSet,
                         Fido2Failure::excluded, Fido2Failure::timeout, Fido2Failure::device}) {
    texts.insert(describeFido2Failure(f, "FIDO_ERR_RX", "alice"));
  }
  CHECK(texts.size() == 8);
  CHECK(describeFido2Failure(Fido2Failure::device, "bad\x1b[2J", "alice") ==
        "security key error: bad\\x1b[2J");
}
