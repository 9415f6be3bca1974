#pragma once
// The one rule for a typed one-time code, used by the daemon (verify, confirm_totp) and by
// authctl before it sends one: blanks (spaces, tabs) anywhere are dropped, since apps show codes
// as "123 456"; what remains must be 6 or 8 ASCII digits.

#include <optional>
#include <string>
#include <string_view>

namespace authd {

// The code without blanks, or nullopt; nothing of a refused code is left in freed memory.
std::optional<std::string> normalizeCode(std::string_view typed);

}  // namespace authd
