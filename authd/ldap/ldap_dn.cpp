#include "authd/ldap/ldap_dn.h"

#include <ldap.h>

#include <memory>

#include "authd/ldap/ldap_entry.h"

namespace authd {

namespace {

struct DnFree {
  void operator()(LDAPAVA*** dn) const { ldap_dnfree(dn); }
};
using ParsedDn = std::unique_ptr<LDAPAVA**, DnFree>;

std::string_view view(const berval& value) { return {value.bv_val, value.bv_len}; }

}  // namespace

std::optional<std::string> firstRdnValue(std::string_view dn, std::string_view attributeType) {
  berval text{static_cast<ber_len_t>(dn.size()), const_cast<char*>(dn.data())};
  LDAPDN parsed = nullptr;
  if (dn.empty() || ldap_bv2dn(&text, &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS) {
    return std::nullopt;
  }
  ParsedDn owner(parsed);
  if (parsed == nullptr || parsed[0] == nullptr) return std::nullopt;
  for (LDAPAVA** ava = parsed[0]; *ava != nullptr; ++ava) {
    if ((*ava)->la_flags & LDAP_AVA_BINARY) continue;
    if (equalsIgnoringCase(view((*ava)->la_attr), attributeType)) {
      return std::string(view((*ava)->la_value));
    }
  }
  return std::nullopt;
}

}  // namespace authd
