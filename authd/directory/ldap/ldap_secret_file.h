#pragma once
// The service account's password file: its first line, read straight into wiped memory.

#include <string>

#include "authd/base/secret_bytes.h"

namespace authd {

// The first line of `path` without its line ending (LF or CRLF). Throws std::runtime_error
// naming the file when it cannot be read, is not a regular file, is owned by anyone but root or
// authd's effective uid, is accessible to other users
// (any of the mode bits 0007), exceeds 64 KiB, or the line is empty (an empty simple-bind
// password is an unauthenticated bind, RFC 4513 §5.1.2).
SecretBytes readSecretFirstLine(const std::string& path);

}  // namespace authd
