// Fuzzes what authd reads out of a directory entry (authd/directory/ldap/ldap_account.h,
// ldap_dn.h): the attribute values come from the LDAP server, so they are outside bytes. An account
// comes out only with a printable "ldap:" id and a name the entry holds; DN parsing never crashes.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>

#include "authd/directory/directory.h"
#include "authd/directory/ldap/ldap_account.h"
#include "authd/directory/ldap/ldap_dn.h"

using namespace authd;

namespace {

Config::Ldap options(FuzzedDataProvider& in) {
  Config::Ldap o;
  o.idAttribute = in.ConsumeBool() ? "objectGUID" : "entryUUID";
  o.disabledAttribute = in.ConsumeBool() ? "pwdAccountLockedTime" : "";
  if (in.ConsumeBool()) o.disabledValues = {"TRUE", "locked"};
  if (in.ConsumeBool()) {
    o.disabledFlagAttribute = "userAccountControl";
    o.disabledFlagMask = 2;
  }
  return o;
}

bool printableAscii(const std::string& text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const Config::Ldap o = options(in);
  static const char* const kAttributes[] = {
      "uid",         "entryUUID", "objectGUID",         "memberOf",
      "displayName", "mail",      "userAccountControl", "pwdAccountLockedTime"};
  LdapEntry entry;
  entry.dn = in.ConsumeRandomLengthString(256);
  const int values = in.ConsumeIntegralInRange(0, 12);
  for (int i = 0; i < values; ++i) {
    const char* attribute = kAttributes[in.ConsumeIntegralInRange<size_t>(0, 7)];
    entry.add(attribute, in.ConsumeRandomLengthString(128));
  }
  const std::string login = in.ConsumeRemainingBytesAsString();

  (void)firstRdnValue(entry.dn, "cn");
  try {
    Account account = accountFromEntry(entry, o, login);
    if (account.id.rfind("ldap:", 0) != 0 || !printableAscii(account.id)) __builtin_trap();
    const auto* names = entry.find("uid");
    if (names == nullptr) __builtin_trap();
    bool held = false;
    for (const auto& n : *names) held = held || n == account.name;
    if (!held) __builtin_trap();
    (void)groupsFromMemberOf(entry, o);
  } catch (const DirectoryError&) {
    // A refused entry (no id, no login, ranged memberOf) is a clear error, not a crash.
  }
  return 0;
}
