#include "authd/daemon/core_dumps.h"

#include <sys/prctl.h>

#include <cerrno>
#include <cstring>

namespace authd {

bool forbidCoreDumps(std::string* error) {
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0) return true;
  *error = std::string("prctl(PR_SET_DUMPABLE, 0): ") + std::strerror(errno);
  return false;
}

}  // namespace authd
