#pragma once
// Small state files that must never be torn: written whole under a temporary name, synced,
// renamed over the old file, and the directory synced, so that after a crash the old or the new
// content is there and the new one is durable once the call returned.

#include <string>
#include <string_view>

namespace authd {

// Replaces `path` with `content` (mode 0600). False with *error when any step failed; the old
// file is then untouched.
bool writeFileAtomically(const std::string& path, std::string_view content, std::string* error);

}  // namespace authd
