#include "authd/otp_code.h"

#include "authd/wipe.h"

namespace authd {

std::optional<std::string> normalizeCode(std::string_view typed) {
  std::string code;
  code.reserve(typed.size());  // no reallocation: one buffer to wipe
  bool digitsOnly = true;
  for (char c : typed) {
    if (c == ' ' || c == '\t') continue;
    if (c < '0' || c > '9') digitsOnly = false;
    code.push_back(c);
  }
  if (!digitsOnly || (code.size() != 6 && code.size() != 8)) {
    wipeString(code);
    return std::nullopt;
  }
  return code;
}

}  // namespace authd
