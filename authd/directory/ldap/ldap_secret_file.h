#pragma once
// The service account's password file: its first line, read straight into wiped memory.

#include <string>

#include "authd/base/secret_bytes.h"

namespace authd {

// readSecretFirstLine of base/secret_file.h, errors naming the "bind password file": the first
// line of `path` without its line ending (LF or CRLF), refused when the file breaks the
// secret-file rules (regular, root's or authd's, no access for others, at most 64 KiB) or the
// line is empty (an empty simple-bind password is an unauthenticated bind, RFC 4513 §5.1.2).
SecretBytes readSecretFirstLine(const std::string& path);

}  // namespace authd
