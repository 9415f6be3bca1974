#include "fido2/soft_authenticator.h"

#include <doctest/doctest.h>

#include <vector>

#include "fido2/virtual_device.h"
#include "fido2_test_util.h"

using namespace authd::testing;
using namespace std::chrono_literals;

namespace {

struct Enrolled {
  SoftAuthenticator key;
  FidoDevicePtr dev;
  CredPtr cred;
  Bytes cdh = clientDataHash(0x11);

  explicit Enrolled(SoftAuthenticatorConfig config = {}) : key(std::move(config)) {
    dev = openSoftDevice(key.path());
    REQUIRE(dev);
    cred = credRequest(cdh);
    REQUIRE(fido_dev_make_cred(dev.get(), cred.get(), nullptr) == FIDO_OK);
  }

  int assertOnce(AssertPtr& got, const Bytes& challenge) {
    got = assertRequest(challenge, cred.get());
    return fido_dev_get_assert(dev.get(), got.get(), nullptr);
  }
};

}  // namespace

TEST_CASE("libfido2 opens the soft key as a FIDO2 device and reads getInfo") {
  SoftAuthenticator key;
  int rc = -1;
  FidoDevicePtr dev = openSoftDevice(key.path(), &rc);
  REQUIRE(rc == FIDO_OK);
  CHECK(fido_dev_is_fido2(dev.get()));
  CHECK_FALSE(fido_dev_has_pin(dev.get()));
  CborInfoPtr info(fido_cbor_info_new());
  REQUIRE(fido_dev_get_cbor_info(dev.get(), info.get()) == FIDO_OK);
  CHECK(view(fido_cbor_info_aaguid_ptr(info.get()), fido_cbor_info_aaguid_len(info.get())) ==
        Bytes(key.aaguid().begin(), key.aaguid().end()));
  REQUIRE(fido_cbor_info_protocols_len(info.get()) == 2);
  CHECK(fido_cbor_info_protocols_ptr(info.get())[0] == 2);
  CHECK(fido_cbor_info_maxmsgsiz(info.get()) == 1200);
}

TEST_CASE("an unknown path does not open") {
  int rc = FIDO_OK;
  CHECK_FALSE(openSoftDevice("soft-fido2://nobody", &rc));
  CHECK(rc != FIDO_OK);
}

TEST_CASE("makeCredential yields a packed self attestation that verifies") {
  Enrolled e;
  CHECK(std::string(fido_cred_fmt(e.cred.get())) == "packed");
  CHECK(fido_cred_x5c_ptr(e.cred.get()) == nullptr);
  CHECK(fido_cred_pubkey_len(e.cred.get()) == 64);
  CHECK(view(fido_cred_aaguid_ptr(e.cred.get()), fido_cred_aaguid_len(e.cred.get())) ==
        Bytes(e.key.aaguid().begin(), e.key.aaguid().end()));
  CHECK(verifyCredential(e.cred.get(), e.cdh) == FIDO_OK);
  CHECK(fido_cred_verify_self(e.cred.get()) == FIDO_OK);
  // A different challenge than the one signed must not verify.
  CHECK(verifyCredential(e.cred.get(), clientDataHash(0x12)) != FIDO_OK);
  CHECK(e.key.credentialCount() == 1);
}

TEST_CASE("getAssertion verifies with the credential's public key and counts up") {
  Enrolled e;
  AssertPtr got;
  const Bytes challenge = clientDataHash(0x21);
  REQUIRE(e.assertOnce(got, challenge) == FIDO_OK);
  REQUIRE(fido_assert_count(got.get()) == 1);
  CHECK(view(fido_assert_id_ptr(got.get(), 0), fido_assert_id_len(got.get(), 0)) ==
        view(fido_cred_id_ptr(e.cred.get()), fido_cred_id_len(e.cred.get())));
  CHECK((fido_assert_flags(got.get(), 0) & 0x01) != 0);
  CHECK(verifyAssertion(got.get(), challenge, e.cred.get()) == FIDO_OK);
  CHECK(verifyAssertion(got.get(), clientDataHash(0x22), e.cred.get()) == FIDO_ERR_INVALID_SIG);
  const uint32_t first = fido_assert_sigcount(got.get(), 0);
  REQUIRE(e.assertOnce(got, challenge) == FIDO_OK);
  CHECK(fido_assert_sigcount(got.get(), 0) == first + 1);
}

TEST_CASE("resident credentials are found without an allow list") {
  SoftAuthenticator key;
  FidoDevicePtr dev = openSoftDevice(key.path());
  const Bytes cdh = clientDataHash(1);
  CredPtr first = credRequest(cdh, true);
  REQUIRE(fido_dev_make_cred(dev.get(), first.get(), nullptr) == FIDO_OK);
  AssertPtr got = assertRequest(cdh, nullptr);
  REQUIRE(fido_dev_get_assert(dev.get(), got.get(), nullptr) == FIDO_OK);
  REQUIRE(fido_assert_count(got.get()) == 1);
  CHECK(fido_assert_user_id_len(got.get(), 0) == 8);
  CHECK(verifyAssertion(got.get(), cdh, first.get()) == FIDO_OK);
}

TEST_CASE("fault: user presence off clears UP, which verification catches when told to") {
  Enrolled e;
  e.key.faults().userPresenceOff = true;
  AssertPtr got;
  REQUIRE(e.assertOnce(got, e.cdh) == FIDO_OK);
  CHECK((fido_assert_flags(got.get(), 0) & 0x01) == 0);
  CHECK(verifyAssertion(got.get(), e.cdh, e.cred.get()) != FIDO_OK);
  // A credential made without presence fails too (fido_cred_verify checks UP always).
  CredPtr cred = credRequest(e.cdh);
  REQUIRE(fido_dev_make_cred(e.dev.get(), cred.get(), nullptr) == FIDO_OK);
  CHECK(verifyCredential(cred.get(), e.cdh) != FIDO_OK);
}

TEST_CASE("fault: wrong rp makes both artefacts fail the rpIdHash check") {
  Enrolled e;
  e.key.faults().wrongRp = true;
  AssertPtr got;
  REQUIRE(e.assertOnce(got, e.cdh) == FIDO_OK);
  CHECK(verifyAssertion(got.get(), e.cdh, e.cred.get()) == FIDO_ERR_INVALID_PARAM);
  CredPtr cred = credRequest(e.cdh);
  const int rc = fido_dev_make_cred(e.dev.get(), cred.get(), nullptr);
  CHECK((rc != FIDO_OK || verifyCredential(cred.get(), e.cdh) != FIDO_OK));
}

TEST_CASE("fault: counter going backwards shows in fido_assert_sigcount") {
  Enrolled e;
  AssertPtr got;
  REQUIRE(e.assertOnce(got, e.cdh) == FIDO_OK);
  REQUIRE(e.assertOnce(got, e.cdh) == FIDO_OK);
  const uint32_t high = fido_assert_sigcount(got.get(), 0);
  e.key.faults().counterBackwards = true;
  REQUIRE(e.assertOnce(got, e.cdh) == FIDO_OK);
  CHECK(fido_assert_sigcount(got.get(), 0) < high);
  // The signature itself is still valid: only the relying party's counter check can catch it.
  CHECK(verifyAssertion(got.get(), e.cdh, e.cred.get()) == FIDO_OK);
}

TEST_CASE("fault: tampered signatures fail verification") {
  Enrolled e;
  e.key.faults().tamperSignature = true;
  AssertPtr got;
  REQUIRE(e.assertOnce(got, e.cdh) == FIDO_OK);
  CHECK(verifyAssertion(got.get(), e.cdh, e.cred.get()) == FIDO_ERR_INVALID_SIG);
  CredPtr cred = credRequest(e.cdh);
  REQUIRE(fido_dev_make_cred(e.dev.get(), cred.get(), nullptr) == FIDO_OK);
  CHECK(verifyCredential(cred.get(), e.cdh) == FIDO_ERR_INVALID_SIG);
}

TEST_CASE("fault: no credential, and an unknown credential id, give NO_CREDENTIALS") {
  Enrolled e;
  AssertPtr got;
  e.key.faults().noCredential = true;
  CHECK(e.assertOnce(got, e.cdh) == FIDO_ERR_NO_CREDENTIALS);
  e.key.faults().noCredential = false;
  got = assertRequest(e.cdh, nullptr);
  const unsigned char unknown[32] = {1, 2, 3};
  fido_assert_allow_cred(got.get(), unknown, sizeof unknown);
  CHECK(fido_dev_get_assert(e.dev.get(), got.get(), nullptr) == FIDO_ERR_NO_CREDENTIALS);
}

TEST_CASE("fault: slow touch waits through the injected waiter, or times out") {
  Enrolled e;
  std::vector<std::chrono::milliseconds> waits;
  e.key.setWaiter([&](std::chrono::milliseconds d) { waits.push_back(d); });
  REQUIRE(fido_dev_set_timeout(e.dev.get(), 2000) == FIDO_OK);
  e.key.faults().touchDelay = 500ms;
  AssertPtr got;
  REQUIRE(e.assertOnce(got, e.cdh) == FIDO_OK);  // keepalive first, then the reply
  REQUIRE(waits.size() == 1);
  CHECK(waits[0] == 500ms);
  CHECK(verifyAssertion(got.get(), e.cdh, e.cred.get()) == FIDO_OK);

  e.key.faults().touchDelay = 30s;
  waits.clear();
  CHECK(e.assertOnce(got, e.cdh) != FIDO_OK);
  REQUIRE(waits.size() == 1);
  CHECK(waits[0] <= 2000ms);
  // The probe of a silent key needs no touch, hence no wait.
  waits.clear();
  e.key.faults().touchDelay = 0ms;
  REQUIRE(e.assertOnce(got, e.cdh) == FIDO_OK);
  CHECK(waits.empty());
}
