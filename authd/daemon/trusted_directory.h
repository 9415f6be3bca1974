#pragma once
// The directories holding authd's socket, database and key file must be ones that only root or
// authd's own user can change: whoever can write such a directory can swap the file authd is about
// to open, bind, chmod or unlink for a symlink or a file of their own.

#include <string>

namespace authd {

// "" when the directory of `path` may be trusted, else one line naming the directory and what is
// wrong. The nearest existing directory on the way to `path` (its parent, or the ancestor under
// which start creates the parent) must be owned by root or the effective uid and writable by no
// one else. Every directory above it must be owned the same way and writable by no one else unless
// it is sticky (/tmp: an entry there can be renamed only by its owner). Checked along the path as
// written and along its symlink-free form.
std::string untrustedParent(const std::string& path);

// Creates the missing directories above `path` with exactly `mode`, whatever the umask (clients
// must reach the socket's directory even when authd runs with UMask=0077). Call after
// untrustedParent(path) passed, so nobody can swap them before the chmod. Throws
// std::runtime_error naming the directory that could not be created.
void makeParentDirectory(const std::string& path, unsigned mode);

}  // namespace authd
