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
#include "fido2/pkey_util.h"
#include "fido2/rng.h"

namespace authd::testing {

// How makeCredential attests (WebAuthn §8): "packed" self attestation (the credential key signs),
// "packed" with an attestation certificate chain (x5c), "fido-u2f" (x5c, ES256 credentials only,
// AAGUID zero in authData as on a U2F key) or "none" (empty statement).
enum class AttestationFormat { packedSelf, packedX5c, fidoU2f, none };

// Attestation key and certificates for packedX5c and fidoU2f (attestation_certs.h makes them).
struct AttestationIdentity {
  Bytes privateKeyPkcs8;   // the P-256 key certified by x5c[0]
  std::vector<Bytes> x5c;  // DER certificates, leaf first, without the root CA
};

struct SoftAuthenticatorConfig {
  std::string name = "key0";         // device path becomes "soft-fido2://<name>"; must be unique
  std::optional<uint64_t> seed = 1;  // nullopt: OpenSSL randomness
  bool pinUvAuthToken = true;        // CTAP 2.1 getPinUvAuthTokenUsingPinWithPermissions
  uint8_t maxPinRetries = 8;
  std::vector<int> pinProtocols = {2, 1};  // getInfo order; libfido2 picks the first it knows
  // COSE algorithms makeCredential accepts (first match in the request's pubKeyCredParams wins);
  // getInfo lists them (key 10). fido-u2f attestation narrows this to ES256.
  std::vector<int64_t> algorithms = {-7, -8, -257};
  AttestationFormat attestation = AttestationFormat::packedSelf;
  std::optional<AttestationIdentity> attestationIdentity;  // required by packedX5c and fidoU2f
  std::optional<std::array<uint8_t, 16>> aaguid;  // nullopt: from the state file, else the Rng
  // When set, the key's state (credentials with private keys, counter, PIN hash and retries,
  // AAGUID) is loaded from this file at construction and saved after every change, so several
  // processes can use the same virtual key one after another (state_file.h).
  std::string statePath;
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
  // Throws std::invalid_argument when packedX5c or fidoU2f lacks a usable attestation identity.
  explicit AuthenticatorState(SoftAuthenticatorConfig cfg);

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

  // Whether makeCredential may create a credential of this COSE algorithm.
  bool acceptsAlgorithm(int64_t alg) const;

  SoftAuthenticatorConfig config;
  EvpPkeyPtr attestationKey;  // parsed from config.attestationIdentity
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
