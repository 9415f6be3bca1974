#include "authd/text.h"

#include <doctest/doctest.h>

using authd::escapeUnsafe;
using authd::isSafeText;
using authd::isValidUtf8;

TEST_CASE("isValidUtf8 follows Unicode table 3-7") {
  CHECK(isValidUtf8(""));
  CHECK(isValidUtf8("plain"));
  CHECK(isValidUtf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
  CHECK_FALSE(isValidUtf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(isValidUtf8("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(isValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(isValidUtf8("\xe2\x82"));          // truncated
  CHECK_FALSE(isValidUtf8("\xff"));
}

TEST_CASE("isSafeText refuses controls and bidi formatting, keeps other scripts") {
  CHECK(isSafeText("alice"));
  CHECK(isSafeText("Jos\xc3\xa9 \xd7\x90"));
  for (const char* bad :
       {"\x1b[31m", "a\x7f", "\xc2\x85", "\xc2\x9b", "\xe2\x80\xae", "\xe2\x80\xaa", "\xe2\x81\xa6",
        "\xe2\x81\xa9", "\xe2\x80\x8e", "\xe2\x80\x8f", "\xd8\x9c", "\xff"}) {
    CHECK_FALSE(isSafeText(bad));
  }
}

TEST_CASE("escapeUnsafe makes every unsafe character visible") {
  CHECK(escapeUnsafe("alice") == "alice");
  CHECK(escapeUnsafe("\x1b[2J") == "\\x1b[2J");
  CHECK(escapeUnsafe("a\nb\x7f") == "a\\x0ab\\x7f");
  CHECK(escapeUnsafe("\xc2\x9b") == "\\u009b");
  CHECK(escapeUnsafe("evil\xe2\x80\xaetxt.exe") == "evil\\u202etxt.exe");
  CHECK(escapeUnsafe("\xff\xc3") == "\\xff\\xc3");
  CHECK(escapeUnsafe("Jos\xc3\xa9") == "Jos\xc3\xa9");
  CHECK(escapeUnsafe(escapeUnsafe("\x1b")) == escapeUnsafe("\x1b"));
}
