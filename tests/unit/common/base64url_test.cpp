#include "authd/base64url.h"

#include <doctest/doctest.h>

#include <string>

using authd::base64urlDecode;
using authd::base64urlEncode;
using authd::Bytes;

namespace {

Bytes bytesOf(std::string_view text) { return Bytes(text.begin(), text.end()); }

}  // namespace

TEST_CASE("base64url encodes the RFC 4648 test vectors without padding") {
  CHECK(base64urlEncode(bytesOf("")) == "");
  CHECK(base64urlEncode(bytesOf("f")) == "Zg");
  CHECK(base64urlEncode(bytesOf("fo")) == "Zm8");
  CHECK(base64urlEncode(bytesOf("foo")) == "Zm9v");
  CHECK(base64urlEncode(bytesOf("foob")) == "Zm9vYg");
  CHECK(base64urlEncode(bytesOf("fooba")) == "Zm9vYmE");
  CHECK(base64urlEncode(bytesOf("foobar")) == "Zm9vYmFy");
}

TEST_CASE("base64url uses the URL alphabet") {
  const Bytes data = {0xfb, 0xff, 0xbf};
  CHECK(base64urlEncode(data) == "-_-_");
  CHECK(base64urlDecode("-_-_") == data);
}

TEST_CASE("base64url round-trips every length and byte value") {
  for (std::size_t n = 0; n < 70; ++n) {
    Bytes data(n);
    for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<unsigned char>(i * 37 + n);
    auto text = base64urlEncode(data);
    CHECK(text.size() == authd::base64urlLength(n));
    CHECK(base64urlDecode(text) == data);
  }
}

TEST_CASE("base64url decoding is strict") {
  CHECK_FALSE(base64urlDecode("Zg=="));  // padding
  CHECK_FALSE(base64urlDecode("Zm9v Yg"));
  CHECK_FALSE(base64urlDecode("Zm9v+g"));  // standard alphabet
  CHECK_FALSE(base64urlDecode("Z"));       // impossible length
  CHECK_FALSE(base64urlDecode("Zh"));      // non-zero leftover bits
  CHECK_FALSE(base64urlDecode("Zm9"));
  CHECK(base64urlDecode("Zm8") == bytesOf("fo"));
  CHECK_FALSE(base64urlDecode("Zm9vYmFy", 5));  // longer than allowed
  CHECK(base64urlDecode("Zm9vYmFy", 6) == bytesOf("foobar"));
}
