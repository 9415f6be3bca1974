#pragma once
// Whole-file reads and atomic writes for the soft authenticator's state and attestation files.

#include <sys/types.h>

#include <optional>
#include <string>

#include "fido2/bytes.h"

namespace authd::testing {

// The file's bytes; nullopt when it does not exist. Throws std::runtime_error on other errors,
// or when the file is larger than maxSize.
std::optional<Bytes> readWholeFile(const std::string& path, size_t maxSize);
// Writes "<path>.tmp.<pid>" with `mode`, then renames it over path, so a reader sees the old or
// the new content, never half of it. Throws std::runtime_error on failure.
void writeFileAtomically(const std::string& path, ByteView data, mode_t mode);

}  // namespace authd::testing
