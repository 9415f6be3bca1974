#include "authd/otp_code.h"

#include <doctest/doctest.h>

using authd::normalizeCode;

TEST_CASE("normalizeCode drops blanks anywhere and wants 6 or 8 digits") {
  CHECK(normalizeCode("123456") == "123456");
  CHECK(normalizeCode(" 123456\t") == "123456");
  CHECK(normalizeCode("123 456") == "123456");
  CHECK(normalizeCode("1234 5678") == "12345678");
  for (const char* bad : {"", "   ", "12345", "1234567", "123456789", "12345a", "123-456",
                          "１２３４５６", "123456\n"}) {
    CAPTURE(bad);
    CHECK_FALSE(normalizeCode(bad).has_value());
  }
}
