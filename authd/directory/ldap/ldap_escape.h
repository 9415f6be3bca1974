#pragma once
// Escaping of untrusted values before they become part of a search filter (RFC 4515) or a DN
// (RFC 4514). Both use libldap's own encoders, which follow the RFCs.

#include <string>
#include <string_view>

namespace authd {

// RFC 4515 §3: `*` `(` `)` `\` NUL, every control byte (< 0x20, 0x7f) and every byte >= 0x80
// become \XX (upper-case hex, which RFC 4515 allows), so a value can only ever match itself.
std::string escapeFilterValue(std::string_view value);

// RFC 4514 §2.4: one attribute value of an RDN (`,` `+` `"` `\` `<` `>` `;` `=`, NUL, a leading
// `#` or space, a trailing space, non-ASCII as \XX). Throws std::invalid_argument when the value
// is not UTF-8 (a DN string cannot hold it).
std::string escapeDnValue(std::string_view value);

}  // namespace authd
