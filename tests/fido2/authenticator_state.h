#pragma once
// Everything one soft authenticator remembers, shared by its CTAP2 command handlers.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fido2/bytes.h"
#include "fido2/credential_store.h"
#include "fido2/es256_key.h"
#include "fido2/faults.h"
#include "fido2/rng.h"

namespace authd::testing {

struct SoftAuthenticatorConfig {
  std::string name = "key0";         // device path becomes "soft-fido2://<name>"; must be unique
  std::optional<uint64_t> seed = 1;  // nullopt: OpenSSL randomness
  bool pinUvAuthToken = true;        // CTAP 2.1 getPinUvAuthTokenUsingPinWithPermissions
  uint8_t maxPinRetries = 8;
  std::vector<int> pinProtocols = {2, 1};  // getInfo order; libfido2 picks the first it knows
};

struct PinState {
  Bytes pinHash;  // LEFT(SHA-256(PIN), 16); empty while no PIN is set
  uint8_t retries = 8;
  int consecutiveFailures = 0;  // three in a row block PIN use until power cycle
  std::optional<Es256Key> keyAgreement;
  Bytes token;  // current pinUvAuthToken, empty when none was issued
  uint8_t permissions = 0;
  std::string permissionsRpId;  // empty: any rp

  ~PinState() {
    wipeBytes(pinHash);
    wipeBytes(token);
  }
};

// Assertions left for authenticatorGetNextAssertion.
struct PendingAssertions {
  std::vector<Bytes> credentialIds;
  std::string rpId;
  Bytes clientDataHash;
  uint8_t flags = 0;
};

struct AuthenticatorState {
  explicit AuthenticatorState(SoftAuthenticatorConfig cfg)
      : config(std::move(cfg)), rng(config.seed) {
    rng.fill(aaguid);
    pin.retries = config.maxPinRetries;
    pin.keyAgreement = Es256Key::generate(rng);
  }

  // The signature counter after one more signature (global to the key, like most keys).
  uint32_t nextSignCount() {
    if (faults.counterBackwards) {
      signCount = signCount > 0 ? signCount - 1 : 0;
    } else {
      ++signCount;
    }
    return signCount;
  }
  // Collects user presence; false when the UP fault pretends nobody touched.
  bool touch() {
    pendingTouch += faults.touchDelay;
    return !faults.userPresenceOff;
  }
  std::string_view hashedRpId(std::string_view rpId) const {
    return faults.wrongRp ? std::string_view("wrong-rp.invalid") : rpId;
  }
  void tamper(Bytes& signature) const {
    if (faults.tamperSignature && !signature.empty()) signature.back() ^= 0x01;
  }

  SoftAuthenticatorConfig config;
  Faults faults;
  Rng rng;
  std::array<uint8_t, 16> aaguid{};
  CredentialStore credentials;
  uint32_t signCount = 0;
  PinState pin;
  PendingAssertions pending;
  std::chrono::milliseconds pendingTouch{0};  // delay of the reply being built
};

}  // namespace authd::testing
