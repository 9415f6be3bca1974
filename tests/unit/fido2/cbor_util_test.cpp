#include "fido2/cbor_util.h"

#include <doctest/doctest.h>

using namespace authd::testing;

TEST_CASE("decodeCbor accepts one definite map") {
  const Bytes map = {0xa2, 0x01, 0x02, 0x03, 0x41, 0xff};  // {1: 2, 3: h'ff'}
  CborPtr item = decodeCbor(map);
  REQUIRE(item);
  CHECK(asInt(mapFind(item.get(), 1)) == 2);
  CHECK(asBytes(mapFind(item.get(), 3))->size() == 1);
}

TEST_CASE("decodeCbor rejects trailing bytes, truncation and empty input") {
  CHECK_FALSE(decodeCbor(Bytes{0xa1, 0x01, 0x02, 0x00}));
  CHECK_FALSE(decodeCbor(Bytes{0xa1, 0x01}));
  CHECK_FALSE(decodeCbor(Bytes{}));
}

TEST_CASE("decodeCbor rejects indefinite lengths, tags, floats and repeated keys") {
  CHECK_FALSE(decodeCbor(Bytes{0xbf, 0x01, 0x02, 0xff}));        // indefinite map
  CHECK_FALSE(decodeCbor(Bytes{0x5f, 0x41, 0x00, 0xff}));        // indefinite bytes
  CHECK_FALSE(decodeCbor(Bytes{0xc1, 0x01}));                    // tag 1
  CHECK_FALSE(decodeCbor(Bytes{0xf9, 0x3c, 0x00}));              // half float
  CHECK_FALSE(decodeCbor(Bytes{0xa2, 0x01, 0x02, 0x01, 0x03}));  // key 1 twice
  CHECK(decodeCbor(Bytes{0xa2, 0x01, 0xf5, 0x02, 0xf6}));        // true, null are fine
}

TEST_CASE("decodeCbor rejects container sizes the input cannot hold, and deep nesting") {
  CHECK_FALSE(decodeCbor(Bytes{0x9a, 0x10, 0x00, 0x00, 0x00}));  // array of 2^28 items
  CHECK_FALSE(decodeCbor(Bytes{0xba, 0x10, 0x00, 0x00, 0x00}));  // map of 2^28 pairs
  Bytes deep(kMaxCborDepth + 1, 0x81);
  deep.push_back(0x01);
  CHECK_FALSE(decodeCbor(deep));
  Bytes shallow(kMaxCborDepth - 1, 0x81);
  shallow.push_back(0x01);
  CHECK(decodeCbor(shallow));
}

TEST_CASE("CanonicalMap sorts keys the CTAP2 way whatever the insertion order") {
  CborPtr map = CanonicalMap()
                    .add(-3, cborInt(0))
                    .add("displayName", cborInt(0))
                    .add(3, cborInt(0))
                    .add("id", cborInt(0))
                    .add(-1, cborInt(0))
                    .add(1, cborInt(0))
                    .build();
  REQUIRE(map);
  const Bytes encoded = encodeCbor(map.get());
  // 1, 3, -1, -3, "id", "displayName"
  const Bytes expected = {0xa6, 0x01, 0x00, 0x03, 0x00, 0x20, 0x00, 0x22, 0x00,
                          0x62, 'i',  'd',  0x00, 0x6b, 'd',  'i',  's',  'p',
                          'l',  'a',  'y',  'N',  'a',  'm',  'e',  0x00};
  CHECK(encoded == expected);
  CHECK_FALSE(CanonicalMap().add(1, cborInt(0)).add(1, cborInt(1)).build());
}

TEST_CASE("cborInt uses the shortest encoding") {
  CHECK(encodeCbor(cborInt(23).get()) == Bytes{0x17});
  CHECK(encodeCbor(cborInt(24).get()) == Bytes{0x18, 0x18});
  CHECK(encodeCbor(cborInt(-7).get()) == Bytes{0x26});
  CHECK(encodeCbor(cborInt(-257).get()) == Bytes{0x39, 0x01, 0x00});
  CHECK(encodeCbor(cborInt(1200).get()) == Bytes{0x19, 0x04, 0xb0});
}
