#pragma once
// The `ldap` directory backend: accounts, groups and disabled flags from Active Directory or
// OpenLDAP through libldap, with failover across servers and password checks by user bind.
// Calls block (bounded by the configured timeouts): run them on the worker pool.

#include <memory>

#include "authd/base/config.h"
#include "authd/base/random.h"
#include "authd/directory/directory.h"

namespace authd {

// Whether the [policy] rules name groups. Then an account without groups gets no group's rule
// (maybe no MFA), so "no groups" must be true, not unreadable: until a lookup has returned
// groups on that server, a lookup without any first checks that the server shows memberships at
// all (one search, once per server and directory object) and fails with DirectoryError when it
// does not.
enum class GroupUse { informational, decidesPolicy };

// Reads the service password from options.bindPasswordFile (first line) now; throws
// std::runtime_error with a clear message when the configuration cannot work (no URIs, a URI
// that is not ldap:// or ldaps://, unreadable password or CA file). Does not connect yet;
// ldap:// URIs use StartTLS unless allow_plain is set.
// `localAccounts` answers findUid (socket peers are local processes).
std::unique_ptr<Directory> makeLdapDirectory(const Config::Ldap& options, GroupUse groupUse,
                                             std::unique_ptr<Directory> localAccounts, Clock clock);

}  // namespace authd
