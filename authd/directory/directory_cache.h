#pragma once
// Remembers directory answers for a short time. NSS's `files` backend scans /etc/passwd on every
// call and LDAP costs a round trip; under a logon storm the lookup would dominate a verify.
// "No such account" is remembered as well, so unknown names answer as fast as known ones (no
// timing oracle). Errors are never remembered.

#include <memory>

#include "authd/base/random.h"
#include "authd/directory/directory.h"

namespace authd {

struct DirectoryCacheOptions {
  int ttlSeconds = 60;              // accounts found; 0: not cached
  int negativeTtlSeconds = 60;      // "no such account"; 0: not cached
  std::size_t maxEntries = 100000;  // per map (names, uids); when full the least recently used goes
};

std::unique_ptr<Directory> makeCachingDirectory(std::unique_ptr<Directory> inner, Clock clock,
                                                DirectoryCacheOptions options);

}  // namespace authd
