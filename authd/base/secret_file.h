#pragma once
// A file that holds a secret (the directory's service password, the TLS listener's private
// key, a RADIUS client's shared secret), read straight into wiped memory. One rule for all of them:
// a regular file (O_NOFOLLOW), owned by root or authd's effective uid (its owner could replace the
// secret), no permission for other users, at most 64 KiB.

#include <string>
#include <string_view>

#include "authd/base/secret_bytes.h"

namespace authd {

// The whole file. Throws std::runtime_error "PURPOSE PATH: why" when it breaks the rule above
// or cannot be read.
SecretBytes readSecretFile(const std::string& path, std::string_view purpose);

// Its first line, without the line ending (LF or CRLF), for secrets an admin types into a file
// (passwords, shared secrets). Throws the same, and also when that line is empty.
SecretBytes readSecretFirstLine(const std::string& path, std::string_view purpose);

}  // namespace authd
