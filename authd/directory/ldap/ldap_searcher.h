#pragma once
// What the directory logic needs from a connection: subtree searches. LdapConnection implements
// it over libldap; tests hand in fakes.

#include <string>
#include <vector>

#include "authd/directory/directory.h"
#include "authd/directory/ldap/ldap_entry.h"

namespace authd {

struct SearchRequest {
  std::string base;
  std::string filter;
  std::vector<std::string> attributes;
  int sizeLimit = 0;  // entries at most; more set SearchResult::truncated
};

struct SearchResult {
  std::vector<LdapEntry> entries;
  bool truncated = false;  // the server stopped at the size limit: more entries matched
};

// An LDAP operation failed with result code `code` (libldap's LDAP_* values).
class LdapFailure : public DirectoryError {
 public:
  LdapFailure(int code, const std::string& message) : DirectoryError(message), code_(code) {}
  int code() const { return code_; }
  // The server did not answer (down, unreachable, timed out, busy): another server may.
  bool serverFailure() const;
  // The connection broke (LDAP_SERVER_DOWN): the server may be down or closed an idle connection.
  bool connectionLost() const;

 private:
  int code_;
};

bool isServerFailureCode(int code);

class LdapSearcher {
 public:
  virtual ~LdapSearcher() = default;
  // Subtree search; throws LdapFailure.
  virtual SearchResult search(const SearchRequest& request) = 0;
};

}  // namespace authd
