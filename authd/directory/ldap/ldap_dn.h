#pragma once
// Reading names out of DNs (memberOf values) with libldap's RFC 4514 parser.

#include <optional>
#include <string>
#include <string_view>

namespace authd {

// The value of `attributeType` (case-insensitive) in the DN's first RDN, unescaped:
// "cn=Amt 53\2C Gesundheit,ou=groups,dc=stadt,dc=example" with "CN" → "Amt 53, Gesundheit".
// nullopt when the DN does not parse, its first RDN holds no such attribute, or holds it only as
// a #hex BER value.
std::optional<std::string> firstRdnValue(std::string_view dn, std::string_view attributeType);

// Whether `dn` is `base` or lies below it: its last RDNs equal base's RDNs, attribute types and
// values compared ignoring ASCII case (as dc, ou, cn match), escapes read by the RFC 4514 parser
// ("OU=Groups,DC=Stadt" is under "ou=groups, dc=stadt"). False when either does not parse or
// base is empty.
bool dnIsUnder(std::string_view dn, std::string_view base);

}  // namespace authd
