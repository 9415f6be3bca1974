#include "authd/directory/ldap/ldap_escape.h"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

using namespace authd;
using namespace std::string_literals;

TEST_SUITE("ldap") {
  TEST_CASE("filter values: the RFC 4515 section 4 examples") {
    CHECK(escapeFilterValue("Parens R Us (for all your parenthetical needs)") ==
          "Parens R Us \\28for all your parenthetical needs\\29");
    CHECK(escapeFilterValue("*") == "\\2A");
    CHECK(escapeFilterValue("C:\\MyFile") == "C:\\5CMyFile");
    CHECK(escapeFilterValue("\0\0\0\4"s) == "\\00\\00\\00\\04");
    CHECK(escapeFilterValue("Lu\xc4\x8di\xc4\x87") == "Lu\\C4\\8Di\\C4\\87");
  }

  TEST_CASE("filter values: an injection attempt stays one literal value") {
    CHECK(escapeFilterValue("*)(uid=*") == "\\2A\\29\\28uid=\\2A");
    CHECK(escapeFilterValue("alice)(|(objectClass=*)") == "alice\\29\\28|\\28objectClass=\\2A\\29");
  }

  TEST_CASE("filter values: NUL, control bytes, DEL and non-ASCII are escaped, the rest kept") {
    CHECK(escapeFilterValue("a\0b"s) == "a\\00b");
    CHECK(escapeFilterValue("\x01\x1f\x7f") == "\\01\\1F\\7F");
    CHECK(escapeFilterValue("\x80\xff") == "\\80\\FF");
    CHECK(escapeFilterValue("M\xc3\xbcller") == "M\\C3\\BCller");
    CHECK(escapeFilterValue("plain.name-1_x@y= ,+") == "plain.name-1_x@y= ,+");
    CHECK(escapeFilterValue("") == "");
  }

  TEST_CASE("DN values: RFC 4514 section 2.4 specials") {
    CHECK(escapeDnValue("Sales, West") == "Sales\\2C West");
    CHECK(escapeDnValue("a+b\"c\\d<e>f;g") == "a\\2Bb\\22c\\5Cd\\3Ce\\3Ef\\3Bg");
    CHECK(escapeDnValue("#hash") == "\\23hash");
    CHECK(escapeDnValue(" lead") == "\\20lead");
    CHECK(escapeDnValue("trail ") == "trail\\20");
    CHECK(escapeDnValue("a\0b"s) == "a\\00b");
    CHECK(escapeDnValue("J\xc3\xb6rg") == "J\\C3\\B6rg");
    CHECK(escapeDnValue("plain") == "plain");
  }

  TEST_CASE("DN values: bytes that are not UTF-8 cannot be put into a DN") {
    CHECK_THROWS_AS(escapeDnValue("\xff\xfe"), std::invalid_argument);
  }
}
