#include "authd/fido2/cose_key.h"

#include <doctest/doctest.h>

#include "rp_test_support.h"

using namespace authd::fido2;
using namespace authd::fido2::test;

namespace {

bool samePublicKey(EVP_PKEY* a, EVP_PKEY* b) { return EVP_PKEY_eq(a, b) == 1; }

Bytes es256Cose(const Bytes& x, const Bytes& y) {
  return MapBuilder()
      .add(1, intItem(2))
      .add(3, intItem(kEs256))
      .add(-1, intItem(1))
      .add(-2, bytesItem(x))
      .add(-3, bytesItem(y))
      .encoded();
}

}  // namespace

TEST_CASE("the soft key's ES256 COSE key parses; every truncation is refused") {
  SoftAuthenticator key;
  const Bytes cose = coseKeyOf(makeCredential(key, challengeOf(0x03)));
  const CoseKey parsed = parseCoseKey(cose);
  REQUIRE(parsed.status == CoseKeyStatus::ok);
  CHECK(parsed.algorithm == kEs256);
  CHECK(EVP_PKEY_is_a(parsed.publicKey.get(), "EC"));
  for (size_t length = 0; length < cose.size(); ++length) {
    CAPTURE(length);
    const CoseKey truncated = parseCoseKey(ByteSpan(cose).first(length));
    CHECK(truncated.status == CoseKeyStatus::malformed);
    CHECK_FALSE(truncated.publicKey);
  }
  Bytes trailing = cose;
  trailing.push_back(0x00);
  CHECK(parseCoseKey(trailing).status == CoseKeyStatus::malformed);
}

TEST_CASE("COSE keys built with OpenSSL match the key they encode") {
  for (const auto& [type, algorithm] :
       {std::pair{"EC", kEs256}, std::pair{"ED25519", kEdDsa}, std::pair{"RSA", kRs256}}) {
    CAPTURE(algorithm);
    EvpPkeyPtr key = generateKey(type);
    const CoseKey parsed = parseCoseKey(coseKeyFor(key.get(), algorithm));
    REQUIRE(parsed.status == CoseKeyStatus::ok);
    CHECK(parsed.algorithm == algorithm);
    CHECK(samePublicKey(parsed.publicKey.get(), key.get()));
  }
}

TEST_CASE("an ES256 point off the curve is refused") {
  EvpPkeyPtr key = generateKey("EC");
  auto [x, y] = ecPoint(key.get());
  CHECK(parseCoseKey(es256Cose(x, y)).status == CoseKeyStatus::ok);
  y.back() ^= 0x01;
  CHECK(parseCoseKey(es256Cose(x, y)).status == CoseKeyStatus::malformed);
  CHECK(parseCoseKey(es256Cose(Bytes(32, 0), Bytes(32, 0))).status == CoseKeyStatus::malformed);
}

TEST_CASE("keys with wrong, missing, extra or repeated parameters are malformed") {
  EvpPkeyPtr key = generateKey("EC");
  const auto [x, y] = ecPoint(key.get());
  const auto malformed = [](const Bytes& cose) {
    return parseCoseKey(cose).status == CoseKeyStatus::malformed;
  };
  // kty OKP, curve P-384, short x, missing y, extra kid, y as text.
  CHECK(malformed(MapBuilder()
                      .add(1, intItem(1))
                      .add(3, intItem(kEs256))
                      .add(-1, intItem(1))
                      .add(-2, bytesItem(x))
                      .add(-3, bytesItem(y))
                      .encoded()));
  CHECK(malformed(MapBuilder()
                      .add(1, intItem(2))
                      .add(3, intItem(kEs256))
                      .add(-1, intItem(2))
                      .add(-2, bytesItem(x))
                      .add(-3, bytesItem(y))
                      .encoded()));
  CHECK(malformed(es256Cose(Bytes(x.begin(), x.end() - 1), y)));
  CHECK(malformed(MapBuilder()
                      .add(1, intItem(2))
                      .add(3, intItem(kEs256))
                      .add(-1, intItem(1))
                      .add(-2, bytesItem(x))
                      .encoded()));
  CHECK(malformed(MapBuilder()
                      .add(1, intItem(2))
                      .add(2, bytesItem(Bytes{1}))
                      .add(3, intItem(kEs256))
                      .add(-1, intItem(1))
                      .add(-2, bytesItem(x))
                      .add(-3, bytesItem(y))
                      .encoded()));
  CHECK(malformed(MapBuilder()
                      .add(1, intItem(2))
                      .add(3, intItem(kEs256))
                      .add(-1, intItem(1))
                      .add(-2, bytesItem(x))
                      .add(-3, CborPtr(cbor_build_string("y")))
                      .encoded()));
  // The same key twice: the strict decoder refuses the map.
  CHECK(malformed(MapBuilder()
                      .add(1, intItem(2))
                      .add(3, intItem(kEs256))
                      .add(-1, intItem(1))
                      .add(-2, bytesItem(x))
                      .add(-2, bytesItem(y))
                      .encoded()));
  // Not a map; no algorithm.
  CHECK(malformed(Bytes{0x80}));
  CHECK(malformed(MapBuilder().add(1, intItem(2)).encoded()));
}

TEST_CASE("an algorithm other than ES256, EdDSA and RS256 is reported as unsupported") {
  EvpPkeyPtr key = generateKey("EC");
  const auto [x, y] = ecPoint(key.get());
  const Bytes es384 = MapBuilder()
                          .add(1, intItem(2))
                          .add(3, intItem(-35))
                          .add(-1, intItem(2))
                          .add(-2, bytesItem(x))
                          .add(-3, bytesItem(y))
                          .encoded();
  const CoseKey parsed = parseCoseKey(es384);
  CHECK(parsed.status == CoseKeyStatus::unsupportedAlgorithm);
  CHECK_FALSE(parsed.publicKey);
}

TEST_CASE("RSA keys: 2048 to 4096 bits, canonical big-endian integers") {
  EvpPkeyPtr small = generateKey("RSA", 1024);
  CHECK(parseCoseKey(coseKeyFor(small.get(), kRs256)).status == CoseKeyStatus::malformed);
  EvpPkeyPtr key = generateKey("RSA");
  const Bytes n = bnParam(key.get(), "n");
  const Bytes e = bnParam(key.get(), "e");
  const auto rsaCose = [](const Bytes& modulus, const Bytes& exponent) {
    return MapBuilder()
        .add(1, intItem(3))
        .add(3, intItem(kRs256))
        .add(-1, bytesItem(modulus))
        .add(-2, bytesItem(exponent))
        .encoded();
  };
  CHECK(parseCoseKey(rsaCose(n, e)).status == CoseKeyStatus::ok);
  CHECK(parseCoseKey(rsaCose(concat(Bytes{0}, n), e)).status == CoseKeyStatus::malformed);
  Bytes short2047 = n;  // 256 bytes, but the top bit clear: 2047 bits
  short2047[0] = 0x48;
  CHECK(parseCoseKey(rsaCose(short2047, e)).status == CoseKeyStatus::malformed);
  CHECK(parseCoseKey(rsaCose(n, concat(Bytes{0}, e))).status == CoseKeyStatus::malformed);
  CHECK(parseCoseKey(rsaCose(n, Bytes{1})).status == CoseKeyStatus::malformed);
  CHECK(parseCoseKey(rsaCose(n, Bytes{})).status == CoseKeyStatus::malformed);
}

TEST_CASE("EdDSA keys: OKP, Ed25519, 32 bytes") {
  EvpPkeyPtr key = generateKey("ED25519");
  Bytes x(32);
  size_t length = x.size();
  REQUIRE(EVP_PKEY_get_raw_public_key(key.get(), x.data(), &length) == 1);
  const auto eddsaCose = [](int64_t kty, int64_t crv, const Bytes& point) {
    return MapBuilder()
        .add(1, intItem(kty))
        .add(3, intItem(kEdDsa))
        .add(-1, intItem(crv))
        .add(-2, bytesItem(point))
        .encoded();
  };
  CHECK(parseCoseKey(eddsaCose(1, 6, x)).status == CoseKeyStatus::ok);
  CHECK(parseCoseKey(eddsaCose(2, 6, x)).status == CoseKeyStatus::malformed);
  CHECK(parseCoseKey(eddsaCose(1, 7, x)).status == CoseKeyStatus::malformed);  // Ed448
  CHECK(parseCoseKey(eddsaCose(1, 6, concat(x, Bytes{0}))).status == CoseKeyStatus::malformed);
}
