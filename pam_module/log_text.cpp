#include "log_text.h"

#include "authd/text.h"

namespace authd::pam {

std::string forLog(std::string_view s) {
  if (s.empty()) return "-";
  return escapeUnsafe(truncateUtf8(s, 256));
}

}  // namespace authd::pam
