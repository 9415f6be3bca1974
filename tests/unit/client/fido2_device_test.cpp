#include "authd/fido2_device.h"

#include <doctest/doctest.h>
#include <fido/es256.h>

#include <string>
#include <vector>

#include "fido2/virtual_key_ring.h"
#include "unit/fido2/fido2_test_util.h"

using authd::Bytes;
using authd::Fido2Assertion;
using authd::Fido2AssertionOutcome;
using authd::Fido2Attestation;
using authd::Fido2DeviceOptions;
using authd::Fido2Failure;
using authd::Fido2LogonChallenge;
using authd::Fido2MakeCredentialOptions;
using authd::Fido2RegistrationChallenge;
using authd::Fido2RegistrationOutcome;
using authd::UvPolicy;
using authd::testing::AssertPtr;
using authd::testing::CredPtr;
using authd::testing::kRp;
using authd::testing::SoftAuthenticator;
using authd::testing::SoftAuthenticatorConfig;
using authd::testing::VirtualKeyRing;

namespace {

constexpr unsigned char kFlagUp = 0x01;
constexpr unsigned char kFlagUv = 0x04;
constexpr std::size_t kFlagsOffset = 32;  // after rpIdHash

// doctest prints values through an unqualified toString(), which authd::toString(Fido2Failure)
// would hijack: compare failures by their stable names instead.
std::string failureName(Fido2Failure failure) { return std::string(authd::toString(failure)); }

SoftAuthenticatorConfig named(const char* name, uint64_t seed) {
  SoftAuthenticatorConfig config;
  config.name = name;
  config.seed = seed;
  return config;
}

// A credential put on key `index` directly through libfido2, as if enrolled earlier.
CredPtr enrolDirectly(VirtualKeyRing& ring, size_t index) {
  CredPtr cred = authd::testing::credRequest(authd::testing::clientDataHash(1));
  auto dev = ring.openVirtualDevice(index);
  REQUIRE(dev);
  REQUIRE(fido_dev_make_cred(dev.get(), cred.get(), nullptr) == FIDO_OK);
  return cred;
}

Bytes credentialId(const fido_cred_t* cred) {
  return authd::testing::view(fido_cred_id_ptr(cred), fido_cred_id_len(cred));
}

Fido2LogonChallenge logonChallenge(const Bytes& allowed, UvPolicy uv) {
  Fido2LogonChallenge c;
  c.challenge = Bytes(32, 0x5a);
  c.rpId = kRp;
  c.allow = {allowed};
  c.uv = uv;
  return c;
}

// What happened, in order: PIN prompts, notices, touches (through each key's waiter).
struct Journal {
  std::vector<std::string> events;
  std::vector<int> pinRetries;

  void watch(SoftAuthenticator& key) {
    key.faults().touchDelay = std::chrono::milliseconds(1);
    key.setWaiter([this, name = key.name()](std::chrono::milliseconds) {
      events.push_back("touch " + name);
    });
  }
  authd::Notice notice() {
    return [this](std::string_view text) { events.push_back("notice " + std::string(text)); };
  }
  // Answers every PIN prompt with `answer` (nullopt: the user cancels).
  authd::PinPrompt pin(std::optional<std::string> answer) {
    return [this, answer](std::string_view device, int retries) {
      events.push_back("pin " + std::string(device));
      pinRetries.push_back(retries);
      return answer;
    };
  }
  bool touched() const {
    for (const auto& e : events) {
      if (e.rfind("touch", 0) == 0) return true;
    }
    return false;
  }
};

const std::string kNotice = "notice " + std::string(authd::kTouchPrompt);

Fido2DeviceOptions deviceOptions(const VirtualKeyRing& ring) {
  Fido2DeviceOptions options;
  options.manifest = ring.manifestFunction();
  return options;
}

// authd's side, independent of the code under test: verify the raw assertion with the stored
// public key, requiring UP (and UV when asked).
int verifyWithKey(const Fido2Assertion& a, const unsigned char* pubkey, size_t pubkeyLen,
                  bool requireUv) {
  AssertPtr v(fido_assert_new());
  fido_assert_set_count(v.get(), 1);
  fido_assert_set_clientdata_hash(v.get(), a.clientDataHash.data(), a.clientDataHash.size());
  fido_assert_set_rp(v.get(), kRp);
  int rc = fido_assert_set_authdata_raw(v.get(), 0, a.authData.data(), a.authData.size());
  if (rc != FIDO_OK) return rc;
  fido_assert_set_sig(v.get(), 0, a.signature.data(), a.signature.size());
  fido_assert_set_up(v.get(), FIDO_OPT_TRUE);
  if (requireUv) fido_assert_set_uv(v.get(), FIDO_OPT_TRUE);
  es256_pk_t* pk = es256_pk_new();
  rc = es256_pk_from_ptr(pk, pubkey, pubkeyLen);
  if (rc == FIDO_OK) rc = fido_assert_verify(v.get(), 0, COSE_ES256, pk);
  es256_pk_free(&pk);
  return rc;
}

int verifyAssertion(const Fido2Assertion& a, const fido_cred_t* cred, bool requireUv = false) {
  return verifyWithKey(a, fido_cred_pubkey_ptr(cred), fido_cred_pubkey_len(cred), requireUv);
}

unsigned char flagsOf(const Bytes& authData) {
  REQUIRE(authData.size() > kFlagsOffset);
  return authData[kFlagsOffset];
}

Fido2AssertionOutcome logon(VirtualKeyRing& ring, const Fido2LogonChallenge& challenge,
                            Journal& journal, std::optional<std::string> pin = std::nullopt) {
  return authd::getFido2Assertion(deviceOptions(ring), challenge, journal.pin(std::move(pin)),
                                  journal.notice());
}

}  // namespace

// --- logon -------------------------------------------------------------------------------------

TEST_CASE("logon: of two keys the one holding the credential signs, after the touch prompt") {
  VirtualKeyRing ring;
  ring.plug(named("spare", 3));
  ring.plug(named("enrolled", 4));
  CredPtr cred = enrolDirectly(ring, 1);
  Journal journal;
  journal.watch(ring.key(0));
  journal.watch(ring.key(1));
  const uint32_t spareCount = ring.key(0).signCount();

  const auto challenge = logonChallenge(credentialId(cred.get()), UvPolicy::discouraged);
  const Fido2AssertionOutcome out = logon(ring, challenge, journal);

  REQUIRE(out.assertion.has_value());
  CHECK(failureName(out.failure) == "none");
  CHECK(out.deviceName == "Soft FIDO2 enrolled");
  CHECK(journal.events == std::vector<std::string>{kNotice, "touch enrolled"});
  CHECK(ring.key(0).signCount() == spareCount);  // the spare key signed nothing
  const Fido2Assertion& a = *out.assertion;
  CHECK(a.credentialId == credentialId(cred.get()));
  CHECK(a.challenge == challenge.challenge);
  CHECK(a.clientDataHash == challenge.challenge);
  CHECK((flagsOf(a.authData) & kFlagUp) != 0);
  CHECK((flagsOf(a.authData) & kFlagUv) == 0);
  CHECK(verifyAssertion(a, cred.get()) == FIDO_OK);

  Fido2Assertion tampered = a;
  tampered.signature.back() ^= 0x01;
  CHECK(verifyAssertion(tampered, cred.get()) != FIDO_OK);
}

TEST_CASE("logon: uv required and the right PIN gives a user-verified assertion") {
  VirtualKeyRing ring;
  ring.plug(named("key0", 5));
  CredPtr cred = enrolDirectly(ring, 0);
  ring.key(0).setPin("2468");
  Journal journal;
  journal.watch(ring.key(0));

  const auto out =
      logon(ring, logonChallenge(credentialId(cred.get()), UvPolicy::required), journal, "2468");

  REQUIRE(out.assertion.has_value());
  CHECK(journal.events == std::vector<std::string>{"pin Soft FIDO2 key0", kNotice, "touch key0"});
  CHECK(journal.pinRetries == std::vector<int>{8});
  CHECK((flagsOf(out.assertion->authData) & kFlagUv) != 0);
  CHECK(verifyAssertion(*out.assertion, cred.get(), true) == FIDO_OK);
}

TEST_CASE("logon: uv required and a wrong PIN is pinInvalid, without a touch") {
  VirtualKeyRing ring;
  ring.plug(named("key0", 5));
  CredPtr cred = enrolDirectly(ring, 0);
  ring.key(0).setPin("2468");
  Journal journal;
  journal.watch(ring.key(0));

  const auto out =
      logon(ring, logonChallenge(credentialId(cred.get()), UvPolicy::required), journal, "1111");

  CHECK_FALSE(out.assertion.has_value());
  CHECK(failureName(out.failure) == "pin_invalid");
  CHECK(ring.key(0).pinRetries() == 7);
  CHECK(out.message.find("7 PIN attempts left") != std::string::npos);
  CHECK(out.message.find("1111") == std::string::npos);
  CHECK_FALSE(journal.touched());
}

TEST_CASE("logon: uv required and no PIN given is pinRequired, the key untouched") {
  for (std::optional<std::string> answer :
       {std::optional<std::string>(), std::optional<std::string>("")}) {
    VirtualKeyRing ring;
    ring.plug(named("key0", 5));
    CredPtr cred = enrolDirectly(ring, 0);
    ring.key(0).setPin("2468");
    Journal journal;
    journal.watch(ring.key(0));

    const auto out =
        logon(ring, logonChallenge(credentialId(cred.get()), UvPolicy::required), journal, answer);

    CHECK(failureName(out.failure) == "pin_required");
    CHECK(journal.events == std::vector<std::string>{"pin Soft FIDO2 key0"});
    CHECK(ring.key(0).pinRetries() == 8);
  }
}

TEST_CASE("logon: uv required on a key without a PIN is noPinSet, nobody asked") {
  VirtualKeyRing ring;
  ring.plug(named("key0", 5));
  CredPtr cred = enrolDirectly(ring, 0);
  Journal journal;
  const auto out =
      logon(ring, logonChallenge(credentialId(cred.get()), UvPolicy::required), journal, "2468");
  CHECK(failureName(out.failure) == "no_pin_set");
  CHECK(journal.events.empty());
}

TEST_CASE("logon: a blocked PIN is reported without asking for it again") {
  VirtualKeyRing ring;
  SoftAuthenticatorConfig config = named("key0", 5);
  config.maxPinRetries = 1;
  ring.plug(config);
  CredPtr cred = enrolDirectly(ring, 0);
  ring.key(0).setPin("2468");
  const auto challenge = logonChallenge(credentialId(cred.get()), UvPolicy::required);
  Journal first;
  CHECK(failureName(logon(ring, challenge, first, "1111").failure) == "pin_blocked");
  Journal second;
  CHECK(failureName(logon(ring, challenge, second, "2468").failure) == "pin_blocked");
  CHECK(second.events.empty());
}

TEST_CASE("logon: uv preferred uses the PIN only on a key that has one") {
  VirtualKeyRing ring;
  ring.plug(named("key0", 5));
  CredPtr cred = enrolDirectly(ring, 0);
  const auto challenge = logonChallenge(credentialId(cred.get()), UvPolicy::preferred);
  SUBCASE("no PIN on the key") {
    Journal journal;
    const auto out = logon(ring, challenge, journal, "2468");
    REQUIRE(out.assertion.has_value());
    CHECK(journal.pinRetries.empty());
    CHECK((flagsOf(out.assertion->authData) & kFlagUv) == 0);
  }
  SUBCASE("a PIN on the key") {
    ring.key(0).setPin("2468");
    Journal journal;
    const auto out = logon(ring, challenge, journal, "2468");
    REQUIRE(out.assertion.has_value());
    CHECK(journal.pinRetries.size() == 1);
    CHECK(verifyAssertion(*out.assertion, cred.get(), true) == FIDO_OK);
  }
}

TEST_CASE("logon: uv discouraged never asks for the PIN") {
  VirtualKeyRing ring;
  ring.plug(named("key0", 5));
  CredPtr cred = enrolDirectly(ring, 0);
  ring.key(0).setPin("2468");
  Journal journal;
  const auto out =
      logon(ring, logonChallenge(credentialId(cred.get()), UvPolicy::discouraged), journal, "2468");
  REQUIRE(out.assertion.has_value());
  CHECK(journal.pinRetries.empty());
  CHECK(verifyAssertion(*out.assertion, cred.get()) == FIDO_OK);
}

TEST_CASE("logon: no key plugged is noDevice, without a touch prompt") {
  VirtualKeyRing ring;
  Journal journal;
  const auto out = logon(ring, logonChallenge(Bytes(16, 1), UvPolicy::discouraged), journal);
  CHECK(failureName(out.failure) == "no_device");
  CHECK(journal.events.empty());
}

TEST_CASE("logon: keys that hold no allowed credential are noMatchingKey") {
  VirtualKeyRing ring;
  ring.plug(named("a", 1));
  ring.plug(named("b", 2));
  CredPtr cred = enrolDirectly(ring, 1);
  Journal journal;
  SUBCASE("credential unknown to both") {
    const auto out = logon(ring, logonChallenge(Bytes(32, 7), UvPolicy::discouraged), journal);
    CHECK(failureName(out.failure) == "no_matching_key");
    CHECK(out.message.find("none of the 2") != std::string::npos);
  }
  SUBCASE("the holder answers NO_CREDENTIALS (fault)") {
    ring.key(1).faults().noCredential = true;
    const auto out =
        logon(ring, logonChallenge(credentialId(cred.get()), UvPolicy::discouraged), journal);
    CHECK(failureName(out.failure) == "no_matching_key");
  }
  CHECK(journal.events.empty());
}

TEST_CASE("logon: no touch within the timeout is timeout") {
  VirtualKeyRing ring;
  ring.plug(named("key0", 5));
  CredPtr cred = enrolDirectly(ring, 0);
  std::vector<std::chrono::milliseconds> waits;
  ring.key(0).faults().touchDelay = std::chrono::seconds(10);
  ring.key(0).setWaiter([&](std::chrono::milliseconds ms) { waits.push_back(ms); });
  Fido2DeviceOptions options = deviceOptions(ring);
  options.touchTimeout = std::chrono::milliseconds(300);
  Journal journal;
  const auto out = authd::getFido2Assertion(
      options, logonChallenge(credentialId(cred.get()), UvPolicy::discouraged), journal.pin({}),
      journal.notice());
  CHECK(failureName(out.failure) == "timeout");
  CHECK(journal.events == std::vector<std::string>{kNotice});
  REQUIRE(waits.size() == 1);
  CHECK(waits[0] <= std::chrono::milliseconds(300));
}

TEST_CASE("logon: a failing manifest or a malformed challenge is a device failure") {
  Fido2DeviceOptions options;
  options.manifest = [](fido_dev_info_t*, size_t, size_t*) { return FIDO_ERR_INTERNAL; };
  Journal journal;
  auto out = authd::getFido2Assertion(options, logonChallenge(Bytes(16, 1), UvPolicy::preferred),
                                      journal.pin({}), journal.notice());
  CHECK(failureName(out.failure) == "device");
  Fido2LogonChallenge noAllow = logonChallenge(Bytes(16, 1), UvPolicy::preferred);
  noAllow.allow.clear();
  VirtualKeyRing ring;
  ring.plug(named("key0", 5));
  out = authd::getFido2Assertion(deviceOptions(ring), noAllow, journal.pin({}), journal.notice());
  CHECK(failureName(out.failure) == "device");
  CHECK(journal.events.empty());
}

// --- registration ------------------------------------------------------------------------------

namespace {

Fido2RegistrationChallenge registrationChallenge(UvPolicy uv) {
  Fido2RegistrationChallenge c;
  c.challenge = Bytes(32, 0x3c);
  c.rpId = kRp;
  c.rpName = "Example";
  c.userHandle = Bytes(16, 0x11);
  c.userName = "alice";
  c.userDisplayName = "Alice";
  c.algorithms = {-7, -8, -257};
  c.uv = uv;
  c.attestation = "self";
  return c;
}

Fido2RegistrationOutcome enrol(VirtualKeyRing& ring, const Fido2RegistrationChallenge& c,
                               Journal& journal, std::optional<std::string> pin = std::nullopt,
                               Fido2MakeCredentialOptions make = {}) {
  return authd::makeFido2Credential(deviceOptions(ring), c, make, journal.pin(std::move(pin)),
                                    journal.notice());
}

// authd's side: verify the packed self attestation from the raw artefacts; the parsed credential
// then holds the public key for logons.
CredPtr verifyAttestation(const Fido2Attestation& att, bool requireUv, int* rc,
                          int algorithm = COSE_ES256) {
  CredPtr v(fido_cred_new());
  fido_cred_set_type(v.get(), algorithm);
  fido_cred_set_clientdata_hash(v.get(), att.clientDataHash.data(), att.clientDataHash.size());
  fido_cred_set_rp(v.get(), kRp, nullptr);
  *rc = fido_cred_set_authdata_raw(v.get(), att.authData.data(), att.authData.size());
  if (*rc == FIDO_OK) *rc = fido_cred_set_fmt(v.get(), att.fmt.c_str());
  if (*rc == FIDO_OK) *rc = fido_cred_set_attstmt(v.get(), att.attStmt.data(), att.attStmt.size());
  if (requireUv) fido_cred_set_uv(v.get(), FIDO_OPT_TRUE);
  if (*rc == FIDO_OK) *rc = fido_cred_verify_self(v.get());
  return v;
}

}  // namespace

TEST_CASE("enrolment: the key's attestation verifies, and the credential then logs on") {
  VirtualKeyRing ring;
  ring.plug(named("key0", 6));
  Journal journal;
  journal.watch(ring.key(0));
  const auto c = registrationChallenge(UvPolicy::preferred);

  const Fido2RegistrationOutcome out = enrol(ring, c, journal);

  REQUIRE(out.attestation.has_value());
  CHECK(failureName(out.failure) == "none");
  CHECK(out.deviceName == "Soft FIDO2 key0");
  CHECK(journal.events == std::vector<std::string>{kNotice, "touch key0"});
  const Fido2Attestation& att = *out.attestation;
  CHECK(att.fmt == "packed");
  CHECK(att.challenge == c.challenge);
  CHECK(att.clientDataHash == c.challenge);
  int rc = FIDO_ERR_INTERNAL;
  CredPtr stored = verifyAttestation(att, false, &rc);
  REQUIRE(rc == FIDO_OK);
  CHECK(ring.key(0).credentialCount() == 1);

  Journal logonJournal;
  const auto login =
      logon(ring, logonChallenge(credentialId(stored.get()), UvPolicy::preferred), logonJournal);
  REQUIRE(login.assertion.has_value());
  CHECK(verifyAssertion(*login.assertion, stored.get()) == FIDO_OK);
}

TEST_CASE("enrolment: a key already holding an excluded credential is excluded") {
  VirtualKeyRing ring;
  ring.plug(named("key0", 6));
  Journal journal;
  auto c = registrationChallenge(UvPolicy::discouraged);
  const auto first = enrol(ring, c, journal);
  REQUIRE(first.attestation.has_value());
  int rc = FIDO_ERR_INTERNAL;
  CredPtr stored = verifyAttestation(*first.attestation, false, &rc);
  REQUIRE(rc == FIDO_OK);
  c.exclude = {Bytes(20, 9), credentialId(stored.get())};
  const auto second = enrol(ring, c, journal);
  CHECK(failureName(second.failure) == "excluded");
  CHECK(ring.key(0).credentialCount() == 1);
}

TEST_CASE("enrolment: uv required on a key without a PIN sets the new PIN first") {
  VirtualKeyRing ring;
  ring.plug(named("key0", 6));
  Journal journal;
  Fido2MakeCredentialOptions make;
  int asked = 0;
  make.newPin = [&asked]() -> std::optional<std::string> {
    ++asked;
    return "135790";
  };
  const auto out = enrol(ring, registrationChallenge(UvPolicy::required), journal, {}, make);
  REQUIRE(out.attestation.has_value());
  CHECK(asked == 1);
  CHECK(journal.pinRetries.empty());  // a new PIN is not asked for again
  CHECK(ring.key(0).hasPin());
  CHECK((flagsOf(out.attestation->authData) & kFlagUv) != 0);
  int rc = FIDO_ERR_INTERNAL;
  verifyAttestation(*out.attestation, true, &rc);
  CHECK(rc == FIDO_OK);

  // The PIN that was set is the key's PIN from now on.
  Journal again;
  const auto second = enrol(ring, registrationChallenge(UvPolicy::required), again, "135790");
  CHECK(second.attestation.has_value());
  CHECK(again.pinRetries == std::vector<int>{8});
}

TEST_CASE("enrolment: uv required, no PIN on the key and none offered is noPinSet") {
  VirtualKeyRing ring;
  ring.plug(named("key0", 6));
  Journal journal;
  Fido2MakeCredentialOptions make;
  SUBCASE("no newPin callback") {}
  SUBCASE("the admin declines") {
    make.newPin = []() -> std::optional<std::string> { return std::nullopt; };
  }
  const auto out = enrol(ring, registrationChallenge(UvPolicy::required), journal, {}, make);
  CHECK(failureName(out.failure) == "no_pin_set");
  CHECK_FALSE(ring.key(0).hasPin());
  CHECK(journal.events.empty());
}

TEST_CASE("enrolment: a key with a PIN needs it, whatever the uv policy") {
  VirtualKeyRing ring;
  ring.plug(named("key0", 6));
  ring.key(0).setPin("2468");
  Journal journal;
  const auto c = registrationChallenge(UvPolicy::discouraged);
  CHECK(failureName(enrol(ring, c, journal).failure) == "pin_required");
  CHECK(failureName(enrol(ring, c, journal, "0000").failure) == "pin_invalid");
  const auto out = enrol(ring, c, journal, "2468");
  REQUIRE(out.attestation.has_value());
  CHECK((flagsOf(out.attestation->authData) & kFlagUv) != 0);
}

TEST_CASE("enrolment: two keys plugged is refused before any touch") {
  VirtualKeyRing ring;
  ring.plug(named("a", 1));
  ring.plug(named("b", 2));
  Journal journal;
  journal.watch(ring.key(0));
  journal.watch(ring.key(1));
  const auto out = enrol(ring, registrationChallenge(UvPolicy::preferred), journal);
  CHECK(failureName(out.failure) == "device");
  CHECK(out.message.find("unplug all but the key to enrol") != std::string::npos);
  CHECK(journal.events.empty());
  CHECK(ring.key(0).credentialCount() + ring.key(1).credentialCount() == 0);
}

TEST_CASE("enrolment: no key, or an algorithm the service did not offer") {
  VirtualKeyRing ring;
  Journal journal;
  CHECK(failureName(enrol(ring, registrationChallenge(UvPolicy::preferred), journal).failure) ==
        "no_device");
  ring.plug(named("key0", 6));
  auto c = registrationChallenge(UvPolicy::preferred);
  c.algorithms = {-8};
  const auto out = enrol(ring, c, journal);  // options.algorithm is -7
  CHECK(failureName(out.failure) == "device");
  CHECK(out.message.find("-7") != std::string::npos);
  CHECK(journal.events.empty());
  CHECK(ring.key(0).credentialCount() == 0);
  // Offered and chosen: the key makes a credential of that algorithm.
  Fido2MakeCredentialOptions make;
  make.algorithm = -8;
  const auto eddsa = enrol(ring, c, journal, {}, make);
  REQUIRE(eddsa.attestation.has_value());
  int rc = FIDO_ERR_INTERNAL;
  verifyAttestation(*eddsa.attestation, false, &rc, COSE_EDDSA);
  CHECK(rc == FIDO_OK);
}
