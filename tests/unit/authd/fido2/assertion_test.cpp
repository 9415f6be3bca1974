#include "authd/fido2/assertion.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "authd/fido2/auth_data.h"
#include "rp_test_support.h"

using namespace authd::fido2;
using namespace authd::fido2::test;

namespace {

// One soft key with one registered credential, as authd stores it.
struct Enrolled {
  SoftAuthenticator key;
  MadeCredential credential;
  Bytes coseKey;

  explicit Enrolled(const char* pin = nullptr) {
    if (pin != nullptr) key.setPin(pin);
    credential = makeCredential(key, challengeOf(0x50), pin);
    coseKey = coseKeyOf(credential);
  }
  AssertionInput assertOnce(const Bytes& challenge, const char* pin = nullptr) {
    return assertionInput(challenge, getAssertion(key, challenge, credential.credentialId, pin),
                          coseKey);
  }
};

// An assertion signed with a key the test holds (EdDSA, RS256, or hand-made authData).
AssertionInput opensslAssertion(EVP_PKEY* key, int algorithm, const Bytes& authData,
                                const Bytes& challenge) {
  MadeAssertion made{authData, sign(key, algorithm, concat(authData, challenge))};
  return assertionInput(challenge, made, coseKeyFor(key, algorithm), algorithm);
}

}  // namespace

TEST_CASE("a soft key assertion through libfido2 verifies") {
  Enrolled e;
  const AssertionResult result = verifyAssertion(e.assertOnce(challengeOf(0x51)));
  CHECK(result.valid);
  CHECK(result.reason.empty());
  CHECK(result.signCount == e.key.signCount());
  CHECK_FALSE(result.userVerified);
}

TEST_CASE("fault switches of the soft key are caught with their reasons") {
  Enrolled e;
  const Bytes challenge = challengeOf(0x52);
  SUBCASE("user presence off") {
    e.key.faults().userPresenceOff = true;
    CHECK(verifyAssertion(e.assertOnce(challenge)).reason == "user_presence_missing");
  }
  SUBCASE("wrong rp") {
    e.key.faults().wrongRp = true;
    CHECK(verifyAssertion(e.assertOnce(challenge)).reason == "rp_id_mismatch");
  }
  SUBCASE("tampered signature") {
    e.key.faults().tamperSignature = true;
    CHECK(verifyAssertion(e.assertOnce(challenge)).reason == "bad_signature");
  }
  SUBCASE("counter backwards: a valid signature, the counter rule is the caller's") {
    const uint32_t before = verifyAssertion(e.assertOnce(challenge)).signCount;
    e.key.faults().counterBackwards = true;
    const AssertionResult result = verifyAssertion(e.assertOnce(challenge));
    CHECK(result.valid);
    CHECK(result.signCount < before);
    CHECK_FALSE(signCountAcceptable(before, result.signCount));
  }
}

TEST_CASE("the signature binds the challenge and the stored key") {
  Enrolled e;
  const Bytes challenge = challengeOf(0x53);
  AssertionInput input = e.assertOnce(challenge);
  SUBCASE("another challenge presented consistently: the signature does not match") {
    input.challenge = challengeOf(0x54);
    input.clientData.hash = input.challenge;
    CHECK(verifyAssertion(input).reason == "bad_signature");
  }
  SUBCASE("client data hash other than the challenge") {
    input.clientData.hash = challengeOf(0x54);
    CHECK(verifyAssertion(input).reason == "client_data_mismatch");
  }
  SUBCASE("another credential's key") {
    SoftAuthenticator other(namedConfig("other", 99));
    input.coseKey = coseKeyOf(makeCredential(other, challenge));
    CHECK(verifyAssertion(input).reason == "bad_signature");
  }
  SUBCASE("stored algorithm differs from the key's") {
    input.algorithm = kEdDsa;
    CHECK(verifyAssertion(input).reason == "algorithm_not_allowed");
  }
  SUBCASE("stored key unreadable") {
    input.coseKey.pop_back();
    CHECK(verifyAssertion(input).reason == "bad_signature");
  }
  SUBCASE("signature with a byte appended, or too long") {
    input.signature.push_back(0x00);
    CHECK(verifyAssertion(input).reason == "bad_signature");
    input.signature.assign(kMaxSignatureSize + 1, 0x30);
    CHECK(verifyAssertion(input).reason == "bad_signature");
    input.signature.clear();
    CHECK(verifyAssertion(input).reason == "bad_signature");
  }
}

TEST_CASE("user verification is demanded only when required") {
  SUBCASE("no PIN: UV missing") {
    Enrolled e;
    AssertionInput input = e.assertOnce(challengeOf(0x55));
    CHECK(verifyAssertion(input).valid);
    input.requireUv = true;
    CHECK(verifyAssertion(input).reason == "user_verification_missing");
  }
  SUBCASE("with the PIN: UV set") {
    Enrolled e("4711");
    AssertionInput input = e.assertOnce(challengeOf(0x56), "4711");
    input.requireUv = true;
    const AssertionResult result = verifyAssertion(input);
    CHECK(result.valid);
    CHECK(result.userVerified);
  }
}

TEST_CASE("authData: trailing bytes, every truncation, attested data and extensions are refused") {
  Enrolled e;
  const AssertionInput good = e.assertOnce(challengeOf(0x57));
  REQUIRE(verifyAssertion(good).valid);
  AssertionInput input = good;
  input.authData.push_back(0x00);
  CHECK(verifyAssertion(input).reason == "malformed_auth_data");
  for (size_t length = 0; length < good.authData.size(); ++length) {
    CAPTURE(length);
    input.authData.assign(good.authData.begin(),
                          good.authData.begin() + static_cast<std::ptrdiff_t>(length));
    CHECK(verifyAssertion(input).reason == "malformed_auth_data");
  }
  input.authData.assign(kMaxAssertionAuthDataSize + 1, 0);
  CHECK(verifyAssertion(input).reason == "malformed_auth_data");

  // Correctly signed, but carrying what authd never asked for.
  EvpPkeyPtr key = generateKey("EC");
  const Bytes challenge = challengeOf(0x58);
  const Bytes extensions = MapBuilder().add("hmac-secret", bytesItem(Bytes(32, 1))).encoded();
  const Bytes withExtensions =
      buildAuthData(kRpId, kFlagUserPresent | kFlagExtensionData, 5, nullptr, extensions);
  CHECK(verifyAssertion(opensslAssertion(key.get(), kEs256, withExtensions, challenge)).reason ==
        "malformed_auth_data");
  const AttestedPart attested{Aaguid{}, Bytes(16, 7), coseKeyFor(key.get(), kEs256)};
  const Bytes withAttested =
      buildAuthData(kRpId, kFlagUserPresent | kFlagAttestedData, 5, &attested);
  CHECK(verifyAssertion(opensslAssertion(key.get(), kEs256, withAttested, challenge)).reason ==
        "malformed_auth_data");
  const Bytes plain = buildAuthData(kRpId, kFlagUserPresent, 5);
  CHECK(verifyAssertion(opensslAssertion(key.get(), kEs256, plain, challenge)).valid);
}

TEST_CASE("EdDSA and RS256 assertions verify; tampering is caught") {
  for (const auto& [type, algorithm] : {std::pair{"ED25519", kEdDsa}, std::pair{"RSA", kRs256}}) {
    CAPTURE(algorithm);
    EvpPkeyPtr key = generateKey(type);
    const Bytes challenge = challengeOf(0x59);
    const Bytes authData = buildAuthData(kRpId, kFlagUserPresent | kFlagUserVerified, 42);
    AssertionInput input = opensslAssertion(key.get(), algorithm, authData, challenge);
    input.requireUv = true;
    const AssertionResult result = verifyAssertion(input);
    CHECK(result.valid);
    CHECK(result.signCount == 42);
    CHECK(result.userVerified);

    AssertionInput tampered = input;
    tampered.signature[tampered.signature.size() / 2] ^= 0x01;
    CHECK(verifyAssertion(tampered).reason == "bad_signature");
    tampered = input;
    tampered.authData[36] ^= 0x01;  // the counter, covered by the signature
    CHECK(verifyAssertion(tampered).reason == "bad_signature");
    tampered = input;
    tampered.algorithm = kEs256;
    CHECK(verifyAssertion(tampered).reason == "algorithm_not_allowed");
  }
}

TEST_CASE("an ES256 signature must be DER exactly") {
  EvpPkeyPtr key = generateKey("EC");
  const Bytes challenge = challengeOf(0x5a);
  AssertionInput input =
      opensslAssertion(key.get(), kEs256, buildAuthData(kRpId, kFlagUserPresent, 1), challenge);
  REQUIRE(verifyAssertion(input).valid);
  // The same SEQUENCE with a long-form length (BER): 30 81 <len> ...
  Bytes ber(input.signature.size() + 1);
  ber[0] = 0x30;
  ber[1] = 0x81;
  std::copy(input.signature.begin() + 1, input.signature.end(), ber.begin() + 2);
  input.signature = ber;
  CHECK(verifyAssertion(input).reason == "bad_signature");
}

TEST_CASE("verifications run concurrently on shared state (the P-256 parameters, the digest)") {
  EvpPkeyPtr key = generateKey("EC");
  const Bytes challenge = challengeOf(0x5b);
  const AssertionInput input =
      opensslAssertion(key.get(), kEs256, buildAuthData(kRpId, kFlagUserPresent, 9), challenge);
  AssertionInput tampered = input;
  tampered.signature[10] ^= 0x01;
  std::atomic<int> valid{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        valid += verifyAssertion(input).valid ? 1 : 0;
        refused += verifyAssertion(tampered).reason == "bad_signature" ? 1 : 0;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(valid == 200);
  CHECK(refused == 200);
}
