#pragma once
// The at-rest encryption key: a 32-byte file that authd creates with mode 0600 on first start.
// An existing file is used only when it is a regular file owned by authd's user, not a symlink,
// exactly 32 bytes, and has no group or other permission bits.

#include <optional>
#include <string>

#include "authd/base/random.h"
#include "authd/base/secret_bytes.h"

namespace authd {

std::optional<SecretBytes> loadOrCreateKeyFile(const std::string& path, const Random& random,
                                               std::string* error);

}  // namespace authd
