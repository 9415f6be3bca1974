#include "authd/directory/ldap/ldap_escape.h"

#include <ldap.h>

#include <memory>
#include <stdexcept>

namespace authd {

namespace {

struct LdapMemoryFree {
  void operator()(char* memory) const { ldap_memfree(memory); }
};
using LdapString = std::unique_ptr<char, LdapMemoryFree>;

berval borrowedBerval(std::string_view value) {
  return berval{static_cast<ber_len_t>(value.size()), const_cast<char*>(value.data())};
}

}  // namespace

std::string escapeFilterValue(std::string_view value) {
  berval in = borrowedBerval(value);
  berval out{};
  if (ldap_bv2escaped_filter_value(&in, &out) != 0) throw std::bad_alloc();
  LdapString owner(out.bv_val);
  return out.bv_val == nullptr ? std::string() : std::string(out.bv_val, out.bv_len);
}

std::string escapeDnValue(std::string_view value) {
  // A one-AVA DN "x=VALUE" rendered by libldap; the value is what follows "x=".
  LDAPAVA ava{};
  ava.la_attr = borrowedBerval("x");
  ava.la_value = borrowedBerval(value);
  ava.la_flags = LDAP_AVA_STRING;
  LDAPAVA* rdn[] = {&ava, nullptr};
  LDAPRDN dn[] = {rdn, nullptr};
  char* rendered = nullptr;
  if (ldap_dn2str(dn, &rendered, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS || rendered == nullptr) {
    throw std::invalid_argument("DN attribute value is not UTF-8");
  }
  LdapString owner(rendered);
  return std::string(rendered + 2);
}

}  // namespace authd
