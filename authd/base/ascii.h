#pragma once
// ASCII case folding, for names the outside world compares ignoring case: LDAP attribute
// descriptions, disabled markers, type names, and LDAP group names in [policy]. Bytes outside
// A-Z (UTF-8 included) are compared as they are.

#include <algorithm>
#include <string>
#include <string_view>

namespace authd {

inline char asciiLowerChar(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string asciiLower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return asciiLowerChar(c); });
  return lower;
}

inline bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return asciiLowerChar(x) == asciiLowerChar(y);
         });
}

}  // namespace authd
