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

}  // namespace authd
