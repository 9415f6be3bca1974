// clientPIN through the real libfido2: setPIN, changePIN, tokens with protocol 1 and 2, with and
// without pinUvAuthToken permissions, retries.
#include <doctest/doctest.h>

#include "fido2/soft_authenticator.h"
#include "fido2/virtual_device.h"
#include "fido2_test_util.h"

using namespace authd::testing;

namespace {

SoftAuthenticatorConfig pinConfig(std::vector<int> protocols, bool permissions) {
  SoftAuthenticatorConfig config;
  config.name = "pin";
  config.pinProtocols = std::move(protocols);
  config.pinUvAuthToken = permissions;
  return config;
}

int retries(fido_dev_t* dev) {
  int n = -1;
  REQUIRE(fido_dev_get_retry_count(dev, &n) == FIDO_OK);
  return n;
}

}  // namespace

TEST_CASE("PIN-protected credential and assertion carry UV, for both protocols and token kinds") {
  for (const auto& [protocols, permissions] : std::vector<std::pair<std::vector<int>, bool>>{
           {{2, 1}, true}, {{1}, false}, {{1}, true}, {{2}, false}}) {
    CAPTURE(protocols[0]);
    CAPTURE(permissions);
    SoftAuthenticator key(pinConfig(protocols, permissions));
    FidoDevicePtr dev = openSoftDevice(key.path());
    REQUIRE(dev);
    REQUIRE(fido_dev_set_pin(dev.get(), "4711", nullptr) == FIDO_OK);
    CHECK(key.hasPin());
    dev = openSoftDevice(key.path());  // has_pin comes from getInfo at open
    CHECK(fido_dev_has_pin(dev.get()));

    const Bytes cdh = clientDataHash(7);
    CredPtr cred = credRequest(cdh);
    REQUIRE(fido_dev_make_cred(dev.get(), cred.get(), "4711") == FIDO_OK);
    CHECK(verifyCredential(cred.get(), cdh, /*requireUv=*/true) == FIDO_OK);

    AssertPtr got = assertRequest(cdh, cred.get());
    REQUIRE(fido_dev_get_assert(dev.get(), got.get(), "4711") == FIDO_OK);
    CHECK(verifyAssertion(got.get(), cdh, cred.get(), /*requireUv=*/true) == FIDO_OK);

    // Without the PIN the assertion lacks UV, which a UV-requiring verifier rejects.
    got = assertRequest(cdh, cred.get());
    REQUIRE(fido_dev_get_assert(dev.get(), got.get(), nullptr) == FIDO_OK);
    CHECK(verifyAssertion(got.get(), cdh, cred.get(), /*requireUv=*/true) != FIDO_OK);
    CHECK(verifyAssertion(got.get(), cdh, cred.get(), /*requireUv=*/false) == FIDO_OK);
  }
}

TEST_CASE("makeCredential without the PIN of a PIN-protected key is refused") {
  SoftAuthenticator key;
  key.setPin("4711");
  FidoDevicePtr dev = openSoftDevice(key.path());
  CredPtr cred = credRequest(clientDataHash(1));
  CHECK(fido_dev_make_cred(dev.get(), cred.get(), nullptr) == FIDO_ERR_PIN_REQUIRED);
  CHECK(key.credentialCount() == 0);
}

TEST_CASE("a wrong PIN is refused and retries decrease; the right one restores them") {
  SoftAuthenticator key;
  key.setPin("4711");
  FidoDevicePtr dev = openSoftDevice(key.path());
  CHECK(retries(dev.get()) == 8);
  CredPtr cred = credRequest(clientDataHash(1));
  CHECK(fido_dev_make_cred(dev.get(), cred.get(), "1234") == FIDO_ERR_PIN_INVALID);
  CHECK(retries(dev.get()) == 7);
  CHECK(key.pinRetries() == 7);
  cred = credRequest(clientDataHash(1));
  REQUIRE(fido_dev_make_cred(dev.get(), cred.get(), "4711") == FIDO_OK);
  CHECK(retries(dev.get()) == 8);
}

TEST_CASE("fault: wrong PIN refuses even the right PIN; three in a row block PIN use") {
  SoftAuthenticator key;
  key.setPin("4711");
  key.faults().wrongPin = true;
  FidoDevicePtr dev = openSoftDevice(key.path());
  CredPtr cred = credRequest(clientDataHash(1));
  CHECK(fido_dev_make_cred(dev.get(), cred.get(), "4711") == FIDO_ERR_PIN_INVALID);
  CHECK(fido_dev_make_cred(dev.get(), cred.get(), "4711") == FIDO_ERR_PIN_INVALID);
  CHECK(fido_dev_make_cred(dev.get(), cred.get(), "4711") == FIDO_ERR_PIN_AUTH_BLOCKED);
  key.faults().wrongPin = false;
  CHECK(fido_dev_make_cred(dev.get(), cred.get(), "4711") == FIDO_ERR_PIN_AUTH_BLOCKED);
  CHECK(retries(dev.get()) == 5);
}

TEST_CASE("retries run out: PIN blocked") {
  SoftAuthenticatorConfig config;
  config.maxPinRetries = 2;
  SoftAuthenticator key(config);
  key.setPin("4711");
  FidoDevicePtr dev = openSoftDevice(key.path());
  CredPtr cred = credRequest(clientDataHash(1));
  CHECK(fido_dev_make_cred(dev.get(), cred.get(), "0000") == FIDO_ERR_PIN_INVALID);
  CHECK(fido_dev_make_cred(dev.get(), cred.get(), "0000") == FIDO_ERR_PIN_BLOCKED);
  CHECK(fido_dev_make_cred(dev.get(), cred.get(), "4711") == FIDO_ERR_PIN_BLOCKED);
}

TEST_CASE("changePIN needs the old PIN") {
  SoftAuthenticator key;
  FidoDevicePtr dev = openSoftDevice(key.path());
  REQUIRE(fido_dev_set_pin(dev.get(), "4711", nullptr) == FIDO_OK);
  CHECK(fido_dev_set_pin(dev.get(), "8888", "0000") == FIDO_ERR_PIN_INVALID);
  REQUIRE(fido_dev_set_pin(dev.get(), "8888", "4711") == FIDO_OK);
  CredPtr cred = credRequest(clientDataHash(1));
  CHECK(fido_dev_make_cred(dev.get(), cred.get(), "4711") == FIDO_ERR_PIN_INVALID);
  cred = credRequest(clientDataHash(1));
  CHECK(fido_dev_make_cred(dev.get(), cred.get(), "8888") == FIDO_OK);
}
