#include "authd/directory/ldap/ldap_account.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "authd/directory/ldap/ldap_dn.h"

namespace authd {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void appendHex(std::string& out, unsigned char byte) {
  out += kHexDigits[byte >> 4];
  out += kHexDigits[byte & 0x0f];
}

std::string hex(std::string_view bytes) {
  std::string out;
  for (char byte : bytes) appendHex(out, static_cast<unsigned char>(byte));
  return out;
}

bool isPrintableAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// Attribute descriptions and group names both compare ignoring case in LDAP.
void addUnique(std::vector<std::string>& names, std::string name) {
  if (std::none_of(names.begin(), names.end(),
                   [&](const std::string& n) { return equalsIgnoringCase(n, name); })) {
    names.push_back(std::move(name));
  }
}

bool holdsOneOf(const std::vector<std::string>& values, const std::vector<std::string>& wanted) {
  return std::any_of(values.begin(), values.end(), [&](const std::string& value) {
    return std::any_of(wanted.begin(), wanted.end(),
                       [&](const std::string& w) { return equalsIgnoringCase(value, w); });
  });
}

bool disabledMarkerSet(const LdapEntry& entry, const Config::Ldap& options) {
  if (options.disabledAttribute.empty()) return false;
  const std::vector<std::string>* values = entry.find(options.disabledAttribute);
  if (values == nullptr) return false;
  return options.disabledValues.empty() || holdsOneOf(*values, options.disabledValues);
}

bool disabledFlagSet(const LdapEntry& entry, const Config::Ldap& options) {
  if (options.disabledFlagAttribute.empty() || options.disabledFlagMask == 0) return false;
  const std::vector<std::string>* values = entry.find(options.disabledFlagAttribute);
  if (values == nullptr) return false;
  const std::string& text = values->front();
  std::int64_t flags = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), flags);
  if (error != std::errc() || end != text.data() + text.size()) return true;
  return (flags & static_cast<std::int64_t>(options.disabledFlagMask)) != 0;
}

std::string loginName(const LdapEntry& entry, const Config::Ldap& options, std::string_view login) {
  const std::vector<std::string>* names = entry.find(options.loginAttribute);
  if (names == nullptr) {
    throw DirectoryError("directory entry has no " + options.loginAttribute + " value");
  }
  for (const std::string& name : *names) {
    if (equalsIgnoringCase(name, login)) return name;
  }
  return names->front();
}

}  // namespace

std::vector<std::string> userAttributes(const Config::Ldap& options) {
  std::vector<std::string> wanted;
  auto want = [&](const std::string& attribute) {
    if (!attribute.empty()) addUnique(wanted, attribute);
  };
  want(options.loginAttribute);
  want(options.idAttribute);
  want(options.displayNameAttribute);
  want(options.mailAttribute);
  if (options.groupMode == "member_of") want(options.memberOfAttribute);
  want(options.disabledAttribute);
  want(options.disabledFlagAttribute);
  return wanted;
}

std::string formatGuid(std::string_view bytes) {
  if (bytes.size() != 16) return hex(bytes);
  // Data1 (4 bytes), Data2 and Data3 (2 each) are little-endian; Data4 is a byte string.
  static constexpr int kOrder[] = {3,  2, 1, 0,  -1, 5,  4,  -1, 7,  6,
                                   -1, 8, 9, -1, 10, 11, 12, 13, 14, 15};
  std::string out;
  for (int index : kOrder) {
    if (index < 0) {
      out += '-';
    } else {
      appendHex(out, static_cast<unsigned char>(bytes[static_cast<std::size_t>(index)]));
    }
  }
  return out;
}

std::string ldapAccountId(std::string_view idAttribute, std::string_view value) {
  bool guid = value.size() == 16 &&
              (!isPrintableAscii(value) || equalsIgnoringCase(idAttribute, "objectGUID"));
  if (guid) return "ldap:" + formatGuid(value);
  if (isPrintableAscii(value)) return "ldap:" + std::string(value);
  return "ldap:" + hex(value);
}

bool isDisabled(const LdapEntry& entry, const Config::Ldap& options) {
  return disabledMarkerSet(entry, options) || disabledFlagSet(entry, options);
}

std::vector<std::string> groupsFromMemberOf(const LdapEntry& entry, const Config::Ldap& options) {
  std::string ranged = asciiLower(options.memberOfAttribute) + ";range=";
  for (const auto& [attribute, values] : entry.attributes) {
    if (attribute.rfind(ranged, 0) == 0) {
      throw DirectoryError("the server sent " + options.memberOfAttribute +
                           " in ranges (too many groups); use group_mode = \"search\"");
    }
  }
  std::vector<std::string> groups;
  const std::vector<std::string>* dns = entry.find(options.memberOfAttribute);
  if (dns == nullptr) return groups;
  for (const std::string& dn : *dns) {
    // A group elsewhere (a project's or a user's own group) may share a ruled group's name.
    if (!options.groupBase.empty() && !dnIsUnder(dn, options.groupBase)) continue;
    if (auto name = firstRdnValue(dn, options.groupNameAttribute)) addUnique(groups, *name);
  }
  return groups;
}

Account accountFromEntry(const LdapEntry& entry, const Config::Ldap& options,
                         std::string_view login) {
  const std::vector<std::string>* ids = entry.find(options.idAttribute);
  if (ids == nullptr || ids->front().empty()) {
    throw DirectoryError("directory entry has no " + options.idAttribute + " value");
  }
  Account account;
  account.name = loginName(entry, options, login);
  account.id = ldapAccountId(options.idAttribute, ids->front());
  account.dn = entry.dn;
  account.displayName = entry.first(options.displayNameAttribute);
  account.mail = entry.first(options.mailAttribute);
  account.disabled = isDisabled(entry, options);
  account.groupNamesIgnoreCase = true;  // cn and its kind match ignoring case
  if (options.groupMode == "member_of") account.groups = groupsFromMemberOf(entry, options);
  return account;
}

}  // namespace authd
