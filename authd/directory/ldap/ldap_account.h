#pragma once
// Directory entry → Account: every mapping rule of the ldap backend as pure functions, so they
// are tested without a server.

#include <string>
#include <string_view>
#include <vector>

#include "authd/base/config.h"
#include "authd/directory/directory.h"
#include "authd/directory/ldap/ldap_entry.h"

namespace authd {

// The attributes a user search asks for: login, id, display name, mail, memberOf (member_of
// mode) and the disabled marker(s).
std::vector<std::string> userAttributes(const Config::Ldap& options);

// AD's objectGUID (16 bytes) as the canonical string: the first three fields are little-endian,
// so bytes 33 22 11 00 55 44 77 66 88 99 aa bb cc dd ee ff read
// "00112233-4455-6677-8899-aabbccddeeff". Lower-case.
std::string formatGuid(std::string_view sixteenBytes);

// The stable account id: "ldap:" + the id value. Printable ASCII (entryUUID) is kept as it is;
// 16 binary bytes, or any 16-byte objectGUID, are formatted as a GUID; other binary values
// become lower-case hex, so the id is always printable text.
std::string ldapAccountId(std::string_view idAttribute, std::string_view value);

// The directory's disabled rule: disabledAttribute present (and, when disabledValues is not
// empty, holding one of them, ASCII case-insensitive), or disabledFlagAttribute's integer value
// & disabledFlagMask != 0. An unreadable flag value counts as disabled (fail secure).
bool isDisabled(const LdapEntry& entry, const Config::Ldap& options);

// member_of mode: the groupNameAttribute value of each memberOf DN's first RDN; DNs named by
// another attribute type, and with groupBase set DNs not under groupBase, are skipped. Throws
// DirectoryError when the server sent the values in ranges (AD, very large groups): a partial list
// could hide a group a policy relies on.
std::vector<std::string> groupsFromMemberOf(const LdapEntry& entry, const Config::Ldap& options);

// Maps a user entry. `login` is the name looked up: when the login attribute has several
// values, the one matching it is the account's name. Groups are filled in member_of mode only.
// Throws DirectoryError (naming the attribute) when the entry has no login or id value: a
// misconfiguration, and an account without a stable id must never log on.
Account accountFromEntry(const LdapEntry& entry, const Config::Ldap& options,
                         std::string_view login);

}  // namespace authd
