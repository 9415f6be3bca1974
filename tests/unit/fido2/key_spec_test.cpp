#include "fido2/key_spec.h"

#include <doctest/doctest.h>

#include <filesystem>

using namespace authd::testing;

TEST_CASE("AUTHD_SOFT_FIDO2_KEYS: names, state paths and every option") {
  std::string error;
  const auto specs = parseSoftKeySpecs(
      "a:/tmp/a.state,b:/tmp/b.state:pin=4711:up=off:wrongrp:counterback:tamper:nocred:wrongpin:"
      "touchms=25:fmt=fido-u2f:aaguid=000102030405060708090a0b0c0d0e0f:x5cdir=/tmp/pki",
      &error);
  REQUIRE_MESSAGE(specs, error);
  REQUIRE(specs->size() == 2);
  const SoftKeySpec& a = (*specs)[0];
  CHECK(a.name == "a");
  CHECK(a.statePath == "/tmp/a.state");
  CHECK(a.initialPin.empty());
  CHECK(a.format == AttestationFormat::packedSelf);
  CHECK_FALSE(a.faults.tamperSignature);
  const SoftKeySpec& b = (*specs)[1];
  CHECK(b.initialPin == "4711");
  CHECK(b.faults.userPresenceOff);
  CHECK(b.faults.wrongRp);
  CHECK(b.faults.counterBackwards);
  CHECK(b.faults.tamperSignature);
  CHECK(b.faults.noCredential);
  CHECK(b.faults.wrongPin);
  CHECK(b.faults.touchDelay == std::chrono::milliseconds(25));
  CHECK(b.format == AttestationFormat::fidoU2f);
  REQUIRE(b.aaguid);
  CHECK((*b.aaguid)[15] == 0x0f);
  CHECK(b.x5cDir == "/tmp/pki");
  CHECK(parseSoftKeySpecs("k:/s:fmt=x5c", &error)->front().format == AttestationFormat::packedX5c);
  CHECK(parseSoftKeySpecs("k:/s:fmt=none", &error)->front().format == AttestationFormat::none);
  CHECK(parseSoftKeySpecs("", &error)->empty());
}

TEST_CASE("malformed key lists are refused, without echoing a PIN") {
  std::string error;
  for (const char* bad :
       {"justaname", ":/tmp/s", "k:", "k:/s:frobnicate", "k:/s:fmt=tpm", "k:/s:aaguid=00",
        "k:/s:aaguid=zz0102030405060708090a0b0c0d0e0f", "k:/s:touchms=", "k:/s:touchms=-1",
        "k:/s:pin=", "k:/a,k:/b", "k:/s,", "k:/s:x5cdir="}) {
    CAPTURE(bad);
    error.clear();
    CHECK_FALSE(parseSoftKeySpecs(bad, &error));
    CHECK_FALSE(error.empty());
  }
  error.clear();
  CHECK_FALSE(parseSoftKeySpecs("k:/s:pin=secret99:bogus", &error));
  CHECK(error.find("secret99") == std::string::npos);
}

TEST_CASE("AUTHD_SOFT_FIDO2_PLUGGED selects keys by name; unset plugs all") {
  CHECK(isPlugged(nullptr, "a"));
  CHECK(isPlugged("a,b", "b"));
  CHECK_FALSE(isPlugged("a,b", "c"));
  CHECK_FALSE(isPlugged("", "a"));
  CHECK_FALSE(isPlugged("ab", "a"));
}

TEST_CASE("configFromSpec: stable derived AAGUID, state file, attestation from the directory") {
  std::string pattern = (std::filesystem::temp_directory_path() / "soft-spec-XXXXXX").string();
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  const std::filesystem::path dir = pattern;
  std::string error;
  auto specs = parseSoftKeySpecs("k:" + (dir / "k.state").string() + ":fmt=x5c", &error);
  REQUIRE(specs);
  const SoftAuthenticatorConfig first = configFromSpec(specs->front());
  CHECK(first.name == "k");
  CHECK_FALSE(first.seed);
  CHECK(first.statePath == (dir / "k.state").string());
  REQUIRE(first.aaguid);
  REQUIRE(first.attestationIdentity);
  CHECK(std::filesystem::exists(dir / "ca.pem"));  // x5cdir defaults to the state directory
  CHECK(std::filesystem::exists(dir / "k-attestation.pem"));
  // Another process gets the same identity and AAGUID.
  const SoftAuthenticatorConfig second = configFromSpec(specs->front());
  CHECK(second.aaguid == first.aaguid);
  CHECK(second.attestationIdentity->x5c == first.attestationIdentity->x5c);
  CHECK(second.attestationIdentity->privateKeyPkcs8 == first.attestationIdentity->privateKeyPkcs8);
  // A different name, a different AAGUID.
  auto other = parseSoftKeySpecs("other:/tmp/unused.state", &error);
  CHECK(configFromSpec(other->front()).aaguid != first.aaguid);
  std::filesystem::remove_all(dir);
}
