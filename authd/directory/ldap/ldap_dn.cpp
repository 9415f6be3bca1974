#include "authd/directory/ldap/ldap_dn.h"

#include <ldap.h>

#include <memory>

#include "authd/directory/ldap/ldap_entry.h"

namespace authd {

namespace {

struct DnFree {
  void operator()(LDAPAVA*** dn) const { ldap_dnfree(dn); }
};
using ParsedDn = std::unique_ptr<LDAPAVA**, DnFree>;

std::string_view view(const berval& value) { return {value.bv_val, value.bv_len}; }

ParsedDn parse(std::string_view dn) {
  berval text{static_cast<ber_len_t>(dn.size()), const_cast<char*>(dn.data())};
  LDAPDN parsed = nullptr;
  if (dn.empty() || ldap_bv2dn(&text, &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS) {
    return nullptr;
  }
  return ParsedDn(parsed);
}

std::size_t rdnCount(LDAPRDN* dn) {
  std::size_t count = 0;
  while (dn[count] != nullptr) ++count;
  return count;
}

bool sameAva(const LDAPAVA& a, const LDAPAVA& b) {
  return ((a.la_flags ^ b.la_flags) & LDAP_AVA_BINARY) == 0 &&
         equalsIgnoringCase(view(a.la_attr), view(b.la_attr)) &&
         equalsIgnoringCase(view(a.la_value), view(b.la_value));
}

// Multi-valued RDNs compare in the order written; directories write them consistently.
bool sameRdn(LDAPAVA** a, LDAPAVA** b) {
  for (; *a != nullptr && *b != nullptr; ++a, ++b) {
    if (!sameAva(**a, **b)) return false;
  }
  return *a == nullptr && *b == nullptr;
}

}  // namespace

std::optional<std::string> firstRdnValue(std::string_view dn, std::string_view attributeType) {
  ParsedDn owner = parse(dn);
  LDAPDN parsed = owner.get();
  if (parsed == nullptr || parsed[0] == nullptr) return std::nullopt;
  for (LDAPAVA** ava = parsed[0]; *ava != nullptr; ++ava) {
    if ((*ava)->la_flags & LDAP_AVA_BINARY) continue;
    if (equalsIgnoringCase(view((*ava)->la_attr), attributeType)) {
      return std::string(view((*ava)->la_value));
    }
  }
  return std::nullopt;
}

bool dnIsUnder(std::string_view dn, std::string_view base) {
  ParsedDn child = parse(dn);
  ParsedDn parent = parse(base);
  if (child == nullptr || parent == nullptr || parent.get()[0] == nullptr) return false;
  std::size_t childRdns = rdnCount(child.get());
  std::size_t parentRdns = rdnCount(parent.get());
  if (childRdns < parentRdns) return false;
  LDAPRDN* tail = child.get() + (childRdns - parentRdns);
  for (std::size_t i = 0; i < parentRdns; ++i) {
    if (!sameRdn(tail[i], parent.get()[i])) return false;
  }
  return true;
}

}  // namespace authd
