#pragma once
// One directory entry as read from a search: its DN and attribute values, binary-safe.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "authd/base/ascii.h"

namespace authd {

struct LdapEntry {
  std::string dn;
  // Attribute description in lower case (descriptions are case-insensitive) → values.
  std::map<std::string, std::vector<std::string>> attributes;

  void add(std::string_view attribute, std::string value);
  // The values of `attribute` (any case); nullptr when the entry has none.
  const std::vector<std::string>* find(std::string_view attribute) const;
  // Its first value, or an empty string when absent.
  std::string first(std::string_view attribute) const;
};

}  // namespace authd
