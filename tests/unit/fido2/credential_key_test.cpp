#include "fido2/credential_key.h"

#include <doctest/doctest.h>

using namespace authd::testing;

namespace {

Bytes encodedCose(const CredentialKey& key) {
  CborPtr cose = key.coseKey();
  REQUIRE(cose);
  return encodeCbor(cose.get());
}

}  // namespace

TEST_CASE("COSE keys carry the CTAP2 key order and sizes of each algorithm") {
  Rng rng(5);
  std::optional<CredentialKey> es256 = CredentialKey::generate(kCoseEs256, rng);
  REQUIRE(es256);
  const Bytes ec = encodedCose(*es256);
  // {1:2, 3:-7, -1:1, -2:bstr(32), -3:bstr(32)}
  CHECK(Bytes(ec.begin(), ec.begin() + 10) ==
        Bytes{0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20});
  CHECK(ec.size() == 77);
  CHECK(es256->uncompressedPoint().size() == 65);

  std::optional<CredentialKey> eddsa = CredentialKey::generate(kCoseEdDsa, rng);
  REQUIRE(eddsa);
  const Bytes ed = encodedCose(*eddsa);
  // {1:1, 3:-8, -1:6, -2:bstr(32)}
  CHECK(Bytes(ed.begin(), ed.begin() + 10) ==
        Bytes{0xa4, 0x01, 0x01, 0x03, 0x27, 0x20, 0x06, 0x21, 0x58, 0x20});
  CHECK(ed.size() == 42);
  CHECK(eddsa->uncompressedPoint().empty());

  std::optional<CredentialKey> rs256 = CredentialKey::generate(kCoseRs256, rng);
  REQUIRE(rs256);
  const Bytes rsa = encodedCose(*rs256);
  // {1:3, 3:-257, -1:bstr(256), -2:bstr(3) 010001}
  CHECK(Bytes(rsa.begin(), rsa.begin() + 10) ==
        Bytes{0xa4, 0x01, 0x03, 0x03, 0x39, 0x01, 0x00, 0x20, 0x59, 0x01});
  CHECK(Bytes(rsa.end() - 5, rsa.end()) == Bytes{0x21, 0x43, 0x01, 0x00, 0x01});
}

TEST_CASE("unsupported algorithms are refused") {
  Rng rng(1);
  CHECK_FALSE(CredentialKey::supported(-35));
  CHECK_FALSE(CredentialKey::generate(-35, rng));
  CHECK_FALSE(CredentialKey::generate(0, rng));
}

TEST_CASE("PKCS#8 round trip keeps the key; a key of another type is refused") {
  Rng rng(9);
  for (int64_t alg : {kCoseEs256, kCoseEdDsa, kCoseRs256}) {
    CAPTURE(alg);
    std::optional<CredentialKey> key = CredentialKey::generate(alg, rng);
    REQUIRE(key);
    Bytes der = key->pkcs8();
    std::optional<CredentialKey> again = CredentialKey::fromPkcs8(alg, der);
    REQUIRE(again);
    CHECK(encodedCose(*again) == encodedCose(*key));
    for (int64_t other : {kCoseEs256, kCoseEdDsa, kCoseRs256}) {
      if (other != alg) CHECK_FALSE(CredentialKey::fromPkcs8(other, der));
    }
    der.push_back(0);  // trailing byte
    CHECK_FALSE(CredentialKey::fromPkcs8(alg, der));
    CHECK_FALSE(CredentialKey::fromPkcs8(alg, ByteView(der).first(der.size() / 2)));
  }
}

TEST_CASE("seeded generators repeat keys; different positions give different keys") {
  for (int64_t alg : {kCoseEs256, kCoseEdDsa, kCoseRs256}) {
    CAPTURE(alg);
    Rng a(77), b(77);
    const Bytes first = encodedCose(*CredentialKey::generate(alg, a));
    CHECK(encodedCose(*CredentialKey::generate(alg, b)) == first);
    CHECK(encodedCose(*CredentialKey::generate(alg, a)) != first);
  }
}

TEST_CASE("EdDSA signatures are 64 bytes and deterministic; RS256 ones 256 bytes") {
  Rng rng(3);
  const Bytes message = toBytes("authData and client data hash");
  std::optional<CredentialKey> eddsa = CredentialKey::generate(kCoseEdDsa, rng);
  CHECK(eddsa->sign(message).size() == 64);
  CHECK(eddsa->sign(message) == eddsa->sign(message));
  std::optional<CredentialKey> rs256 = CredentialKey::generate(kCoseRs256, rng);
  CHECK(rs256->sign(message).size() == 256);
}
