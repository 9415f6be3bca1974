#include "authd/directory/ldap/ldap_entry.h"

#include <algorithm>

namespace authd {

void LdapEntry::add(std::string_view attribute, std::string value) {
  attributes[asciiLower(attribute)].push_back(std::move(value));
}

const std::vector<std::string>* LdapEntry::find(std::string_view attribute) const {
  auto found = attributes.find(asciiLower(attribute));
  if (found == attributes.end() || found->second.empty()) return nullptr;
  return &found->second;
}

std::string LdapEntry::first(std::string_view attribute) const {
  const std::vector<std::string>* values = find(attribute);
  return values == nullptr ? std::string() : values->front();
}

}  // namespace authd
