#pragma once
// One libldap session (RAII over LDAP*): TLS as the URI and options demand, simple bind,
// subtree searches. Blocking, bounded by the timeouts. One thread at a time per connection.

#include <ldap.h>

#include <memory>
#include <string>
#include <string_view>

#include "authd/directory/ldap/ldap_searcher.h"
#include "authd/directory/ldap/ldap_socket_deadline.h"

namespace authd {

struct LdapConnectionOptions {
  std::string caFile;       // PEM CA certificates; empty = the system's
  bool allowPlain = false;  // ldap:// without StartTLS
  int connectTimeoutMs = 3000;
  int timeoutMs = 5000;  // each operation
};

class LdapConnection final : public LdapSearcher {
 public:
  // Connects to `uri`: ldaps:// with TLS from the start, ldap:// with StartTLS (plain only when
  // options.allowPlain). The certificate must verify against options.caFile (or the system's CAs)
  // and name the host. TLS settings live on this handle only. Throws LdapFailure.
  static std::unique_ptr<LdapConnection> open(const std::string& uri,
                                              const LdapConnectionOptions& options);
  ~LdapConnection() override;
  LdapConnection(const LdapConnection&) = delete;
  LdapConnection& operator=(const LdapConnection&) = delete;

  // Simple bind; returns the LDAP result code (LDAP_SUCCESS = 0). The password is sent from
  // the caller's buffer, never copied here.
  int bindStatus(const std::string& dn, std::string_view password);
  // Simple bind; throws LdapFailure unless it succeeds.
  void bind(const std::string& dn, std::string_view password);
  SearchResult search(const SearchRequest& request) override;

  // "Result text (server diagnostic)" for the last failure with `code`, for messages.
  std::string describe(int code) const;

 private:
  LdapConnection(LDAP* handle, int timeoutMs);
  void configure(const LdapConnectionOptions& options);
  void establish(const std::string& uri, const LdapConnectionOptions& options);
  LdapEntry readEntry(LDAPMessage* message) const;

  LDAP* handle_;
  int timeoutMs_;
  SocketDeadline socketDeadline_;  // libldap points to it: lives as long as the handle
};

}  // namespace authd
