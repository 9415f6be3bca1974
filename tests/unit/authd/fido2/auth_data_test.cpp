#include "authd/fido2/auth_data.h"

#include <doctest/doctest.h>

#include "rp_test_support.h"

using namespace authd::fido2;
using namespace authd::fido2::test;

namespace {

AttestedPart sampleAttested(size_t idLength = 16) {
  EvpPkeyPtr key = generateKey("EC");
  AttestedPart part;
  part.aaguid.fill(0xaa);
  part.credentialId = Bytes(idLength, 0x17);
  part.coseKey = coseKeyFor(key.get(), kEs256);
  return part;
}

}  // namespace

TEST_CASE("the soft key's registration authData parses into its parts") {
  SoftAuthenticator key;
  const Bytes challenge = challengeOf(0x01);
  const MadeCredential made = makeCredential(key, challenge);
  const std::optional<AuthData> parsed = parseAuthData(made.authData);
  REQUIRE(parsed);
  CHECK(parsed->userPresent());
  CHECK_FALSE(parsed->userVerified());
  CHECK(parsed->signCount == key.signCount());
  CHECK(rpIdHashMatches(parsed->rpIdHash, kRpId));
  CHECK_FALSE(rpIdHashMatches(parsed->rpIdHash, "example.org"));
  CHECK_FALSE(rpIdHashMatches(parsed->rpIdHash, ""));
  REQUIRE(parsed->attested);
  CHECK(parsed->attested->aaguid == key.aaguid());
  CHECK(Bytes(parsed->attested->credentialId.begin(), parsed->attested->credentialId.end()) ==
        made.credentialId);
  CHECK(Bytes(parsed->attested->coseKey.begin(), parsed->attested->coseKey.end()) ==
        coseKeyOf(made));
  CHECK_FALSE(parsed->extensions);
}

TEST_CASE("authData without attested data is 37 bytes with a big-endian counter") {
  Bytes raw = buildAuthData(kRpId, kFlagUserPresent | kFlagUserVerified, 0x01020304);
  const std::optional<AuthData> parsed = parseAuthData(raw);
  REQUIRE(parsed);
  CHECK(parsed->signCount == 0x01020304);
  CHECK(parsed->userVerified());
  CHECK_FALSE(parsed->attested);
}

TEST_CASE("every truncation and any trailing byte is refused") {
  SoftAuthenticator key;
  const MadeCredential made = makeCredential(key, challengeOf(0x02));
  for (size_t length = 0; length < made.authData.size(); ++length) {
    CAPTURE(length);
    CHECK_FALSE(parseAuthData(ByteSpan(made.authData).first(length)));
  }
  Bytes trailing = made.authData;
  trailing.push_back(0x00);
  CHECK_FALSE(parseAuthData(trailing));
  Bytes assertion = buildAuthData(kRpId, kFlagUserPresent, 1);
  assertion.push_back(0xa0);
  CHECK_FALSE(parseAuthData(assertion));
}

TEST_CASE("flags must agree with what follows") {
  const AttestedPart attested = sampleAttested();
  CHECK(parseAuthData(buildAuthData(kRpId, kFlagUserPresent | kFlagAttestedData, 0, &attested)));
  // Attested data without AT, AT without attested data.
  CHECK_FALSE(parseAuthData(buildAuthData(kRpId, kFlagUserPresent, 0, &attested)));
  CHECK_FALSE(parseAuthData(buildAuthData(kRpId, kFlagUserPresent | kFlagAttestedData, 0)));
  // ED with an extensions map, ED without one, a map without ED.
  const Bytes extensions = MapBuilder().add("credProtect", intItem(2)).encoded();
  const auto withExtensions = parseAuthData(
      buildAuthData(kRpId, kFlagUserPresent | kFlagExtensionData, 0, nullptr, extensions));
  REQUIRE(withExtensions);
  REQUIRE(withExtensions->extensions);
  CHECK(withExtensions->extensions->size() == extensions.size());
  CHECK_FALSE(parseAuthData(buildAuthData(kRpId, kFlagUserPresent | kFlagExtensionData, 0)));
  CHECK_FALSE(parseAuthData(buildAuthData(kRpId, kFlagUserPresent, 0, nullptr, extensions)));
  // Extensions that are not a map.
  CHECK_FALSE(parseAuthData(
      buildAuthData(kRpId, kFlagUserPresent | kFlagExtensionData, 0, nullptr, Bytes{0x80})));
}

TEST_CASE("credential ids of 1 to 1023 bytes are accepted") {
  const uint8_t flags = kFlagUserPresent | kFlagAttestedData;
  for (size_t length : {size_t{1}, size_t{1023}}) {
    const AttestedPart attested = sampleAttested(length);
    const auto parsed = parseAuthData(buildAuthData(kRpId, flags, 0, &attested));
    REQUIRE(parsed);
    CHECK(parsed->attested->credentialId.size() == length);
  }
  for (size_t length : {size_t{0}, size_t{1024}}) {
    const AttestedPart attested = sampleAttested(length);
    CHECK_FALSE(parseAuthData(buildAuthData(kRpId, flags, 0, &attested)));
  }
}

TEST_CASE("the credential key must be one strict CBOR map") {
  const uint8_t flags = kFlagUserPresent | kFlagAttestedData;
  AttestedPart attested = sampleAttested();
  attested.coseKey = {0x81, 0x01};  // an array
  CHECK_FALSE(parseAuthData(buildAuthData(kRpId, flags, 0, &attested)));
  attested.coseKey = {0xbf, 0x01, 0x02, 0xff};  // indefinite map
  CHECK_FALSE(parseAuthData(buildAuthData(kRpId, flags, 0, &attested)));
  attested.coseKey = {0xa2, 0x01, 0x02, 0x01, 0x02};  // repeated key
  CHECK_FALSE(parseAuthData(buildAuthData(kRpId, flags, 0, &attested)));
}
