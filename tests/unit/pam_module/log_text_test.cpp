#include "log_text.h"

#include <doctest/doctest.h>

#include <string>

using authd::pam::forLog;

TEST_CASE("forLog keeps plain names and marks an empty field") {
  CHECK(forLog("alice") == "alice");
  CHECK(forLog("J\xc3\xbcrgen") == "J\xc3\xbcrgen");
  CHECK(forLog("") == "-");
}

TEST_CASE("forLog escapes C0 and DEL so that one entry stays one line") {
  CHECK(forLog("alice\nroot") == "alice\\x0aroot");
  CHECK(forLog("\x1b[2J") == "\\x1b[2J");
  CHECK(forLog("a\x7f") == "a\\x7f");
}

TEST_CASE("forLog escapes C1 controls, which terminals obey like ESC") {
  CHECK(forLog("a\xc2\x9b"
               "2Jb") == "a\\u009b2Jb");     // CSI
  CHECK(forLog("\xc2\x85x") == "\\u0085x");  // NEL, a line break for some readers
}

TEST_CASE("forLog escapes bidi controls, which reorder what an administrator reads") {
  CHECK(forLog("evil\xe2\x80\xaetxt.exe") == "evil\\u202etxt.exe");
  CHECK(forLog("\xe2\x81\xa6root\xe2\x81\xa9") == "\\u2066root\\u2069");
  CHECK(forLog("a\xd8\x9c") == "a\\u061c");
}

TEST_CASE("forLog escapes bytes that are not UTF-8") {
  CHECK(forLog("a\xff") == "a\\xff");
  CHECK(forLog("\xc0\xaf") == "\\xc0\\xaf");  // overlong '/'
}

TEST_CASE("forLog keeps 256 bytes at most, without splitting a character") {
  CHECK(forLog(std::string(300, 'a')) == std::string(256, 'a'));
  const std::string cut = std::string(255, 'a') + "\xc3\xbc";  // U+00FC across byte 256
  CHECK(forLog(cut) == std::string(255, 'a'));
  // Escaping happens after the cut: a long run of controls stays bounded.
  CHECK(forLog(std::string(1000, '\x01')).size() == 256 * 4);
}
