#pragma once
// How pam_authd writes outside text (user names, hosts, ttys, error details) into syslog.

#include <string>
#include <string_view>

namespace authd::pam {

// One bounded, printable field of a log line: at most 256 bytes of `s` (not splitting a UTF-8
// sequence), with every unsafe character escaped by the shared text rule (authd/text.h:
// controls, DEL, C1, bidi characters and invalid UTF-8); "-" when empty.
std::string forLog(std::string_view s);

}  // namespace authd::pam
