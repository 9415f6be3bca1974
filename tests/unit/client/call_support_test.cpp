// The protocol string rule of the client: what isWireString accepts must be exactly what
// nlohmann::json can serialise (it throws on invalid UTF-8), since the check no longer copies the
// string into a json value to find out (the string may be a password).
#include "authd/call_support.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

using authd::calls::isWireString;

namespace {

bool nlohmannSerialises(const std::string& s) {
  try {
    (void)nlohmann::json(s).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

std::string hex(const std::string& s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) out += {digits[c >> 4], digits[c & 15], ' '};
  return out;
}

// Whether s holds, as UTF-8 bytes, a C1 control or a bidi formatting character (U+061C,
// U+200E/F, U+202A..E, U+2066..9): the daemon refuses them in every string field.
bool holdsUnsafeSequence(std::string_view s) {
  const auto at = [&s](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    if (at(i) == 0xc2 && at(i + 1) >= 0x80 && at(i + 1) <= 0x9f) return true;
    if (at(i) == 0xd8 && at(i + 1) == 0x9c) return true;
    if (i + 2 >= s.size() || at(i) != 0xe2) continue;
    const unsigned char b = at(i + 1), c = at(i + 2);
    if (b == 0x80 && (c == 0x8e || c == 0x8f || (c >= 0xaa && c <= 0xae))) return true;
    if (b == 0x81 && c >= 0xa6 && c <= 0xa9) return true;
  }
  return false;
}

// Strings (without C0 controls) on which isWireString and "nlohmann::json serialises it and it
// holds no C1 or bidi character" disagree; one CHECK for all of them, which keeps the sweep fast.
struct Disagreements {
  std::vector<std::string> found;
  std::size_t checked = 0;
  std::size_t valid = 0;

  void check(const std::string& s) {
    ++checked;
    const bool expected = nlohmannSerialises(s) && !holdsUnsafeSequence(s);
    valid += expected ? 1 : 0;
    if (isWireString(s, 16) != expected && found.size() < 10) found.push_back(hex(s));
  }
};

std::string describe(const Disagreements& d) {
  std::string out;
  for (const auto& s : d.found) out += "[" + s + "] ";
  return out;
}

}  // namespace

TEST_CASE("isWireString: 1 to maxBytes bytes, no control characters") {
  CHECK(isWireString("a", 1));
  CHECK_FALSE(isWireString("", 1));
  CHECK_FALSE(isWireString("ab", 1));
  CHECK_FALSE(isWireString(std::string("a\0b", 3), 8));
  CHECK_FALSE(isWireString("a\tb", 8));
  CHECK_FALSE(isWireString("a\x7f", 8));
  CHECK_FALSE(isWireString("a\xc2\x85", 8));  // C1 (NEL)
  CHECK_FALSE(
      isWireString("\xe2\x80\xae"
                   "abc",
                   8));  // RIGHT-TO-LEFT OVERRIDE
  CHECK(isWireString("zo\xc3\xab", 8));
}

TEST_CASE("isWireString agrees with nlohmann::json on every one- and two-byte string") {
  Disagreements d;
  for (int a = 0x20; a < 0x100; ++a) {
    if (a == 0x7f) continue;
    d.check(std::string(1, static_cast<char>(a)));
    for (int b = 0x20; b < 0x100; ++b) {
      if (b != 0x7f) d.check({static_cast<char>(a), static_cast<char>(b)});
    }
  }
  CAPTURE(describe(d));
  CHECK(d.found.empty());
  CHECK(d.valid > 1000);  // the sweep did meet valid two-byte characters
}

TEST_CASE("isWireString agrees with nlohmann::json on three- and four-byte sequences") {
  // Every lead and second byte; for the later bytes the values around each boundary.
  const int tails[] = {0x41, 0x7e, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff};
  Disagreements d;
  for (int lead = 0xc0; lead < 0x100; ++lead) {
    for (int second = 0x20; second < 0x100; ++second) {
      if (second == 0x7f) continue;
      for (int third : tails) {
        const std::string three{static_cast<char>(lead), static_cast<char>(second),
                                static_cast<char>(third)};
        d.check(three);
        if (lead < 0xf0) continue;
        for (int fourth : tails) d.check(three + static_cast<char>(fourth));
      }
    }
  }
  CAPTURE(describe(d));
  CHECK(d.found.empty());
  CHECK(d.valid > 1000);
}
