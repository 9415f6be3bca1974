#include "client/fido2/fido2_cbor_bstr.h"

#include <doctest/doctest.h>

using authd::Bytes;
using authd::fido2_detail::unwrapCborByteString;

namespace {

std::optional<Bytes> unwrap(const Bytes& cbor) {
  return unwrapCborByteString(cbor.data(), cbor.size());
}

Bytes withHeader(Bytes header, std::size_t payload) {
  Bytes out = std::move(header);
  for (std::size_t i = 0; i < payload; ++i) out.push_back(static_cast<unsigned char>(i));
  return out;
}

}  // namespace

TEST_CASE("cbor bstr: every definite length form unwraps to its payload") {
  CHECK(unwrap({0x40}) == Bytes{});
  CHECK(unwrap({0x43, 1, 2, 3}) == Bytes{1, 2, 3});
  auto one = unwrap(withHeader({0x58, 37}, 37));
  REQUIRE(one);
  CHECK(one->size() == 37);
  CHECK(one->back() == 36);
  auto two = unwrap(withHeader({0x59, 0x01, 0x00}, 256));
  REQUIRE(two);
  CHECK(two->size() == 256);
  CHECK(unwrap(withHeader({0x5a, 0, 0, 0, 5}, 5)) == Bytes{0, 1, 2, 3, 4});
  CHECK(unwrap(withHeader({0x5b, 0, 0, 0, 0, 0, 0, 0, 2}, 2)) == Bytes{0, 1});
}

TEST_CASE("cbor bstr: anything but exactly one byte string is refused") {
  CHECK_FALSE(unwrapCborByteString(nullptr, 0));
  CHECK_FALSE(unwrap({}));
  CHECK_FALSE(unwrap({0x63, 'a', 'b', 'c'}));  // text string
  CHECK_FALSE(unwrap({0xa0}));                 // map
  CHECK_FALSE(unwrap({0x43, 1, 2}));           // truncated payload
  CHECK_FALSE(unwrap({0x42, 1, 2, 3}));        // trailing byte
  CHECK_FALSE(unwrap({0x58}));                 // truncated length
  CHECK_FALSE(unwrap({0x59, 0x01}));           // truncated length
  CHECK_FALSE(unwrap({0x5f, 0x41, 1, 0xff}));  // indefinite length
  CHECK_FALSE(unwrap({0x5c, 1}));              // reserved additional info
  CHECK_FALSE(unwrap({0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));  // huge length
}
