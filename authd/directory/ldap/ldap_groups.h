#pragma once
// group_mode = "search": the groups that list the user as a member, and with nested_depth > 0
// the groups that list those groups, level by level.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "authd/base/config.h"
#include "authd/directory/directory.h"
#include "authd/directory/ldap/ldap_searcher.h"

namespace authd {

// More groups than this fail the lookup: a cut-off list could hide a group a policy relies on.
constexpr std::size_t kMaxGroups = 1000;

// ONE search under groupBase (default userBase) for (&groupFilter(memberAttribute=user DN)) —
// the login name for memberUid — then one search per nesting level for the groups that contain
// the groups found on the previous level (new ones only), until nothing new turns up or
// nestedDepth levels are done. memberUid holds user names only, so it is never nested.
// A group's name is its DN's first-RDN value when that RDN is groupNameAttribute (as in
// member_of mode), else its groupNameAttribute values. Throws DirectoryError past kMaxGroups.
std::vector<std::string> searchGroups(LdapSearcher& searcher, const Config::Ldap& options,
                                      const Account& account);

// Whether the service account sees any group membership at all: ONE search, size limit 1, no
// attributes, for an entry of userFilter below userBase carrying memberOfAttribute (member_of),
// or a group of groupFilter below groupBase carrying groupMemberAttribute (search). LDAP returns
// what the account may not read as absent, and a server without the memberof overlay has no
// memberOf: either way every account would look like a member of no group.
bool membershipsVisible(LdapSearcher& searcher, const Config::Ldap& options);

// The directory's spelling of the group `name` as lookups would report it, for the [policy]
// check at start-up: ONE search under groupBase (default userBase), size limit 16, for
// (groupNameAttribute=name) — in search mode within groupFilter. The server matches by its own
// rules (cn: ignoring case), so the answer may be spelled otherwise; one spelled the same up to
// ASCII case comes first. member_of mode counts only entries whose DN's first RDN is
// groupNameAttribute (as groupsFromMemberOf names groups). nullopt when there is none.
std::optional<std::string> findGroupName(LdapSearcher& searcher, const Config::Ldap& options,
                                         const std::string& name);

}  // namespace authd
