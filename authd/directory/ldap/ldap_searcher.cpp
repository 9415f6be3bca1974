#include "authd/directory/ldap/ldap_searcher.h"

#include <ldap.h>

namespace authd {

bool isServerFailureCode(int code) {
  switch (code) {
    case LDAP_SERVER_DOWN:
    case LDAP_CONNECT_ERROR:
    case LDAP_TIMEOUT:
    case LDAP_BUSY:
    case LDAP_UNAVAILABLE:
      return true;
    default:
      return false;
  }
}

bool LdapFailure::serverFailure() const { return isServerFailureCode(code_); }

bool LdapFailure::connectionLost() const { return code_ == LDAP_SERVER_DOWN; }

}  // namespace authd
