#include "authd/base/atomic_file.h"

#include <fcntl.h>
#include <libgen.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "authd/base/unique_fd.h"

namespace authd {

namespace {

bool fail(std::string* error, const std::string& what) {
  *error = what + ": " + std::strerror(errno);
  return false;
}

bool writeAll(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

bool writeFileAtomically(const std::string& path, std::string_view content, std::string* error) {
  const std::string temporary = path + ".tmp";
  ::unlink(temporary.c_str());  // a leftover of a crash
  {
    UniqueFd fd(
        ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd.get() < 0) return fail(error, "cannot create " + temporary);
    if (!writeAll(fd.get(), content) || ::fsync(fd.get()) != 0) {
      const bool failed = fail(error, "cannot write " + temporary);
      ::unlink(temporary.c_str());
      return failed;
    }
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const bool failed = fail(error, "cannot rename " + temporary + " to " + path);
    ::unlink(temporary.c_str());
    return failed;
  }
  std::string copy = path;
  UniqueFd dir(::open(::dirname(copy.data()), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || ::fsync(dir.get()) != 0)
    return fail(error, "cannot sync the directory of " + path);
  return true;
}

}  // namespace authd
