#include "fido2/virtual_key_ring.h"

#include <doctest/doctest.h>

#include "fido2_test_util.h"

using namespace authd::testing;

namespace {

SoftAuthenticatorConfig named(const char* name, uint64_t seed) {
  SoftAuthenticatorConfig config;
  config.name = name;
  config.seed = seed;
  return config;
}

}  // namespace

TEST_CASE("the ring lists its keys like fido_dev_info_manifest") {
  VirtualKeyRing ring;
  ring.plug(named("a", 1));
  ring.plug(named("b", 2));
  CHECK(ring.key(0).aaguid() != ring.key(1).aaguid());
  fido_dev_info_t* list = fido_dev_info_new(8);
  size_t found = 0;
  REQUIRE(ring.manifestFunction()(list, 8, &found) == FIDO_OK);
  REQUIRE(found == 2);
  CHECK(std::string(fido_dev_info_path(fido_dev_info_ptr(list, 1))) == "soft-fido2://b");
  CHECK(std::string(fido_dev_info_product_string(fido_dev_info_ptr(list, 0))) == "Soft FIDO2 a");
  FidoDevicePtr dev = openManifestEntry(list, 1);
  fido_dev_info_free(&list, 8);
  REQUIRE(dev);
  CborInfoPtr info(fido_cbor_info_new());
  REQUIRE(fido_dev_get_cbor_info(dev.get(), info.get()) == FIDO_OK);
  CHECK(view(fido_cbor_info_aaguid_ptr(info.get()), 16) ==
        Bytes(ring.key(1).aaguid().begin(), ring.key(1).aaguid().end()));
}

TEST_CASE("two keys plugged: an up=false probe finds the one holding the credential") {
  VirtualKeyRing ring;
  ring.plug(named("spare", 3));
  ring.plug(named("enrolled", 4));
  const Bytes cdh = clientDataHash(9);
  CredPtr cred = credRequest(cdh);
  {
    FidoDevicePtr dev = ring.openVirtualDevice(1);
    REQUIRE(fido_dev_make_cred(dev.get(), cred.get(), nullptr) == FIDO_OK);
  }
  int touches = 0;
  for (size_t i = 0; i < ring.size(); ++i) {
    ring.key(i).faults().touchDelay = std::chrono::milliseconds(1);
    ring.key(i).setWaiter([&](std::chrono::milliseconds) { ++touches; });
  }
  std::optional<size_t> holder;
  for (size_t i = 0; i < ring.size(); ++i) {
    FidoDevicePtr dev = ring.openVirtualDevice(i);
    REQUIRE(dev);
    AssertPtr probe = assertRequest(cdh, cred.get());
    fido_assert_set_up(probe.get(), FIDO_OPT_FALSE);
    const int rc = fido_dev_get_assert(dev.get(), probe.get(), nullptr);
    if (rc == FIDO_OK) {
      CHECK((fido_assert_flags(probe.get(), 0) & 0x01) == 0);
      holder = i;
    } else {
      CHECK(rc == FIDO_ERR_NO_CREDENTIALS);
    }
  }
  CHECK(touches == 0);  // probing needs no touch
  REQUIRE(holder == 1u);
  FidoDevicePtr dev = ring.openVirtualDevice(*holder);
  AssertPtr got = assertRequest(cdh, cred.get());
  REQUIRE(fido_dev_get_assert(dev.get(), got.get(), nullptr) == FIDO_OK);
  CHECK(touches == 1);
  CHECK(verifyAssertion(got.get(), cdh, cred.get()) == FIDO_OK);
}

TEST_CASE("an unplugged key no longer opens") {
  VirtualKeyRing ring;
  ring.plug(named("a", 1));
  int rc = FIDO_OK;
  CHECK_FALSE(ring.openVirtualDevice(1, &rc));
  CHECK(rc != FIDO_OK);
  ring.unplug(0);
  CHECK(ring.size() == 0);
  CHECK_FALSE(openSoftDevice("soft-fido2://a"));
}
