#include "authd/fido2/relying_party.h"

#include <doctest/doctest.h>

#include "authd/fido2/auth_data.h"
#include "rp_test_support.h"

using namespace authd::fido2;
using namespace authd::fido2::test;

namespace {

std::string webauthnJson(const char* type, const Bytes& challenge) {
  return std::string(R"({"type":")") + type + R"(","challenge":")" +
         authd::base64urlEncode(challenge) + R"(","origin":")" + kOrigin +
         R"(","crossOrigin":false})";
}

AttestationTrust selfPolicy() { return AttestationTrust{}; }

}  // namespace

TEST_CASE("a browser-style ceremony: register and log on with clientDataJSON") {
  SoftAuthenticator key;
  const Bytes registrationChallenge = challengeOf(0x70);
  const std::string createJson = webauthnJson("webauthn.create", registrationChallenge);
  const MadeCredential made = makeCredential(key, sha256(createJson));
  RegistrationInput registration = registrationInput(registrationChallenge, made);
  registration.clientData = ClientData{std::nullopt, createJson};
  const RegistrationResult registered = verifyRegistration(registration, selfPolicy());
  REQUIRE(registered.credential);
  CHECK(registered.reason.empty());
  const RegisteredCredential& credential = *registered.credential;
  CHECK(credential.credentialId == made.credentialId);
  CHECK(credential.algorithm == kEs256);
  CHECK(credential.aaguid == key.aaguid());
  CHECK(credential.fmt == "packed");
  CHECK(std::string(toString(credential.attestation)) == "self");
  CHECK(credential.signCount == key.signCount());
  CHECK_FALSE(credential.userVerified);

  const Bytes logonChallenge = challengeOf(0x71);
  const std::string getJson = webauthnJson("webauthn.get", logonChallenge);
  AssertionInput logon =
      assertionInput(logonChallenge, getAssertion(key, sha256(getJson), credential.credentialId),
                     credential.coseKey, credential.algorithm);
  logon.clientData = ClientData{std::nullopt, getJson};
  const AssertionResult result = verifyAssertion(logon);
  CHECK(result.valid);
  CHECK(signCountAcceptable(credential.signCount, result.signCount));

  // The create JSON replayed at logon, or the logon JSON with another challenge, is refused.
  logon.clientData = ClientData{std::nullopt, webauthnJson("webauthn.create", logonChallenge)};
  CHECK(verifyAssertion(logon).reason == "client_data_mismatch");
  logon.clientData = ClientData{std::nullopt, webauthnJson("webauthn.get", registrationChallenge)};
  CHECK(verifyAssertion(logon).reason == "client_data_mismatch");
  // The registration with the CTAP form of the same challenge: the key signed another hash.
  registration.clientData = ClientData{registrationChallenge, std::nullopt};
  CHECK(verifyRegistration(registration, selfPolicy()).reason == "attestation_invalid");
}

TEST_CASE("registration: the soft key's fault switches") {
  SoftAuthenticator key;
  const Bytes challenge = challengeOf(0x72);
  SUBCASE("user presence off") {
    key.faults().userPresenceOff = true;
    CHECK(verifyRegistration(registrationInput(challenge, makeCredential(key, challenge)),
                             selfPolicy())
              .reason == "user_presence_missing");
  }
  SUBCASE("wrong rp") {
    key.faults().wrongRp = true;
    CHECK(verifyRegistration(registrationInput(challenge, makeCredential(key, challenge)),
                             selfPolicy())
              .reason == "rp_id_mismatch");
  }
  SUBCASE("tampered signature") {
    key.faults().tamperSignature = true;
    CHECK(verifyRegistration(registrationInput(challenge, makeCredential(key, challenge)),
                             selfPolicy())
              .reason == "attestation_invalid");
  }
}

TEST_CASE("registration: client data, user verification, rp id") {
  SoftAuthenticator key;
  const Bytes challenge = challengeOf(0x73);
  RegistrationInput input = registrationInput(challenge, makeCredential(key, challenge));
  REQUIRE(verifyRegistration(input, selfPolicy()).credential);
  RegistrationInput changed = input;
  changed.clientData.hash = challengeOf(0x74);
  CHECK(verifyRegistration(changed, selfPolicy()).reason == "client_data_mismatch");
  changed = input;
  changed.challenge = challengeOf(0x74);
  changed.clientData.hash = changed.challenge;
  CHECK(verifyRegistration(changed, selfPolicy()).reason == "attestation_invalid");
  changed = input;
  changed.rpId = "example.org";
  CHECK(verifyRegistration(changed, selfPolicy()).reason == "rp_id_mismatch");
  changed = input;
  changed.requireUv = true;
  CHECK(verifyRegistration(changed, selfPolicy()).reason == "user_verification_missing");

  SoftAuthenticator withPin(namedConfig("pin-key", 2));
  withPin.setPin("4711");
  input = registrationInput(challenge, makeCredential(withPin, challenge, "4711"));
  input.requireUv = true;
  const RegistrationResult result = verifyRegistration(input, selfPolicy());
  REQUIRE(result.credential);
  CHECK(result.credential->userVerified);
}

TEST_CASE("registration: authData truncated at every byte, or with a byte more, is refused") {
  SoftAuthenticator key;
  const Bytes challenge = challengeOf(0x75);
  const RegistrationInput good = registrationInput(challenge, makeCredential(key, challenge));
  RegistrationInput input = good;
  for (size_t length = 0; length < good.authData.size(); ++length) {
    CAPTURE(length);
    input.authData.assign(good.authData.begin(),
                          good.authData.begin() + static_cast<std::ptrdiff_t>(length));
    const RegistrationResult result = verifyRegistration(input, selfPolicy());
    CHECK_FALSE(result.credential);
    CHECK(result.reason == "malformed_auth_data");
  }
  input.authData = good.authData;
  input.authData.push_back(0xa0);
  CHECK(verifyRegistration(input, selfPolicy()).reason == "malformed_auth_data");
  input.authData.assign(2049, 0);
  CHECK(verifyRegistration(input, selfPolicy()).reason == "malformed_auth_data");
  input = good;
  input.attStmt.resize(4097);
  CHECK(verifyRegistration(input, selfPolicy()).reason == "attestation_invalid");
}

TEST_CASE("registration: authData without a credential, with extensions, or an unknown key type") {
  EvpPkeyPtr key = generateKey("EC");
  const Bytes challenge = challengeOf(0x76);
  const auto registerAuthData = [&](const Bytes& authData) {
    RegistrationInput input = registrationInput(
        challenge,
        {"packed", authData, packedSelfStatement(key.get(), kEs256, authData, challenge), {}});
    return verifyRegistration(input, selfPolicy());
  };
  const AttestedPart attested{Aaguid{}, Bytes(16, 5), coseKeyFor(key.get(), kEs256)};
  CHECK(registerAuthData(buildAuthData(kRpId, kFlagUserPresent | kFlagAttestedData, 0, &attested))
            .credential);
  CHECK(registerAuthData(buildAuthData(kRpId, kFlagUserPresent, 0)).reason ==
        "malformed_auth_data");
  const Bytes extensions = MapBuilder().add("credProtect", intItem(1)).encoded();
  CHECK(registerAuthData(buildAuthData(kRpId,
                                       kFlagUserPresent | kFlagAttestedData | kFlagExtensionData, 0,
                                       &attested, extensions))
            .reason == "malformed_auth_data");
  const auto [x, y] = ecPoint(key.get());
  AttestedPart es384 = attested;
  es384.coseKey = MapBuilder()
                      .add(1, intItem(2))
                      .add(3, intItem(-35))
                      .add(-1, intItem(2))
                      .add(-2, bytesItem(x))
                      .add(-3, bytesItem(y))
                      .encoded();
  CHECK(registerAuthData(buildAuthData(kRpId, kFlagUserPresent | kFlagAttestedData, 0, &es384))
            .reason == "algorithm_not_allowed");
  AttestedPart broken = attested;
  broken.coseKey = MapBuilder().add(1, intItem(2)).add(3, intItem(kEs256)).encoded();
  CHECK(registerAuthData(buildAuthData(kRpId, kFlagUserPresent | kFlagAttestedData, 0, &broken))
            .reason == "malformed_auth_data");
}

TEST_CASE("registration: the AAGUID allow-list") {
  SoftAuthenticator key;
  const Bytes challenge = challengeOf(0x77);
  const RegistrationInput input = registrationInput(challenge, makeCredential(key, challenge));
  AttestationTrust trust;
  Aaguid other = key.aaguid();
  other[0] ^= 0xff;
  trust.allowedAaguids = {other};
  CHECK(verifyRegistration(input, trust).reason == "aaguid_not_allowed");
  trust.allowedAaguids.push_back(key.aaguid());
  CHECK(verifyRegistration(input, trust).credential);
  trust.policy = AttestationPolicy::none;
  trust.allowedAaguids = {other};
  CHECK(verifyRegistration(input, trust).reason == "aaguid_not_allowed");
}

TEST_CASE("AAGUID text form: 8-4-4-4-12 lower-case hex, nothing else") {
  const Aaguid aaguid = {0xcb, 0x69, 0x48, 0x1e, 0x8f, 0xf7, 0x40, 0x39,
                         0x93, 0xec, 0x0a, 0x27, 0x29, 0xa1, 0x54, 0xa8};
  const std::string text = "cb69481e-8ff7-4039-93ec-0a2729a154a8";
  CHECK(aaguidToString(aaguid) == text);
  CHECK(aaguidFromString(text) == aaguid);
  CHECK(aaguidToString(Aaguid{}) == "00000000-0000-0000-0000-000000000000");
  for (const char* bad :
       {"CB69481E-8FF7-4039-93EC-0A2729A154A8", "cb69481e8ff7403993ec0a2729a154a8",
        "cb69481e-8ff7-4039-93ec-0a2729a154a", "cb69481e-8ff7-4039-93ec-0a2729a154a80",
        "cb69481e-8ff7-4039-93ec+0a2729a154a8", "cb69481e-8ff7-4039-93ec-0a2729a154ag",
        "cb69481-e8ff7-4039-93ec-0a2729a154a8", ""}) {
    CAPTURE(bad);
    CHECK_FALSE(aaguidFromString(bad));
  }
}

TEST_CASE("attestation types and the signature-counter rule") {
  CHECK(std::string(toString(AttestationType::none)) == "none");
  CHECK(std::string(toString(AttestationType::self)) == "self");
  CHECK(std::string(toString(AttestationType::basic)) == "basic");
  CHECK(std::string(toString(AttestationType::basicUnverified)) == "basic_unverified");
  CHECK(signCountAcceptable(0, 0));
  CHECK(signCountAcceptable(0, 1));
  CHECK(signCountAcceptable(5, 6));
  CHECK_FALSE(signCountAcceptable(5, 5));
  CHECK_FALSE(signCountAcceptable(5, 0));
  CHECK_FALSE(signCountAcceptable(5, 4));
}
