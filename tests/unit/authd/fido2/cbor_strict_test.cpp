#include "authd/fido2/cbor_strict.h"

#include <doctest/doctest.h>

#include <vector>

using authd::fido2::cborAsBytes;
using authd::fido2::cborAsInt;
using authd::fido2::cborAsText;
using authd::fido2::cborMapGet;
using authd::fido2::decodeStrictCbor;
using authd::fido2::kMaxCborDepth;
using authd::fido2::strictCborItemLength;
using Bytes = std::vector<unsigned char>;

TEST_CASE("a strict map decodes and its fields read back") {
  // {1: 2, 3: -7, -2: h'0102', "fmt": "none", "ok": true}
  const Bytes map = {0xa5, 0x01, 0x02, 0x03, 0x26, 0x21, 0x42, 0x01, 0x02, 0x63, 'f',
                     'm',  't',  0x64, 'n',  'o',  'n',  'e',  0x62, 'o',  'k',  0xf5};
  const auto item = decodeStrictCbor(map);
  REQUIRE(item);
  CHECK(cborAsInt(cborMapGet(item.get(), int64_t{1})) == 2);
  CHECK(cborAsInt(cborMapGet(item.get(), int64_t{3})) == -7);
  REQUIRE(cborAsBytes(cborMapGet(item.get(), int64_t{-2})));
  CHECK(cborAsBytes(cborMapGet(item.get(), int64_t{-2}))->size() == 2);
  CHECK(cborAsText(cborMapGet(item.get(), "fmt")) == "none");
  CHECK(cborMapGet(item.get(), int64_t{2}) == nullptr);
  CHECK_FALSE(cborAsInt(cborMapGet(item.get(), "fmt")));
  CHECK(strictCborItemLength(map) == map.size());
}

TEST_CASE("text strings in valid UTF-8 decode") {
  const Bytes text = {0x6b, 'u', 0xc3, 0xa4, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x94, 0x91, 'x'};
  const auto item = decodeStrictCbor(text);
  REQUIRE(item);
  CHECK(cborAsText(item.get())->size() == 11);
}

TEST_CASE("the item length ignores what follows, the decoder refuses it") {
  const Bytes twoItems = {0x01, 0x02};
  CHECK(strictCborItemLength(twoItems) == 1);
  CHECK_FALSE(decodeStrictCbor(twoItems));
  CHECK_FALSE(decodeStrictCbor(Bytes{}));
}

TEST_CASE("encodings outside the strict subset are refused") {
  const std::vector<Bytes> refused = {
      {0x5f, 0x41, 0x00, 0xff},                                // indefinite byte string
      {0x9f, 0x01, 0xff},                                      // indefinite array
      {0xbf, 0x01, 0x02, 0xff},                                // indefinite map
      {0x18, 0x05},                                            // 5 in two bytes
      {0x19, 0x00, 0xff},                                      // 255 in three bytes
      {0x1a, 0x00, 0x00, 0xff, 0xff},                          // 65535 in five bytes
      {0x38, 0x06},                                            // -7 in two bytes
      {0xc2, 0x41, 0x01},                                      // tag
      {0xf9, 0x3c, 0x00},                                      // half float
      {0xfb, 0, 0, 0, 0, 0, 0, 0, 0},                          // double
      {0xf7},                                                  // undefined
      {0x1c},                                                  // reserved additional information
      {0xa2, 0x01, 0x02, 0x01, 0x03},                          // repeated integer key
      {0xa2, 0x61, 'a', 0x01, 0x61, 'a', 0x02},                // repeated text key
      {0xa1, 0x41, 0x00, 0x01},                                // byte string key
      {0xa1, 0x80, 0x01},                                      // array key
      {0x42, 0x01},                                            // byte string cut short
      {0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},  // absurd array length
      {0xbb, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00},  // absurd map length
      {0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},  // absurd byte string length
  };
  for (const Bytes& encoding : refused) {
    CAPTURE(encoding);
    CHECK_FALSE(strictCborItemLength(encoding));
    CHECK_FALSE(decodeStrictCbor(encoding));
  }
}

TEST_CASE("nesting is limited") {
  Bytes deep(static_cast<size_t>(kMaxCborDepth), 0x81);  // [[[...
  deep.push_back(0x01);
  CHECK(decodeStrictCbor(deep));
  deep.insert(deep.begin(), 0x81);
  CHECK_FALSE(decodeStrictCbor(deep));
}

TEST_CASE("integers beyond int64 are not read as integers") {
  const Bytes big = {0x1b, 0x80, 0, 0, 0, 0, 0, 0, 0};
  const auto item = decodeStrictCbor(big);
  REQUIRE(item);
  CHECK_FALSE(cborAsInt(item.get()));
  const Bytes smallest = {0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  CHECK(cborAsInt(decodeStrictCbor(smallest).get()) == INT64_MIN);
}
