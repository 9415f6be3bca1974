#pragma once
// authd holds the sealing key, enrolment secrets and the directory's service password: a core
// dump (or a ptrace attach by a process of the same uid) would write them out. The systemd unit
// also sets LimitCORE=0.

#include <string>

namespace authd {

// Marks the process not dumpable (PR_SET_DUMPABLE 0). False with *error set when that fails.
bool forbidCoreDumps(std::string* error);

}  // namespace authd
