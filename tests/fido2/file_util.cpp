#include "fido2/file_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace authd::testing {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw std::runtime_error(path + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

std::optional<Bytes> readWholeFile(const std::string& path, size_t maxSize) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    fail("open", path);
  }
  Bytes data;
  uint8_t buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0 && data.size() <= maxSize) {
    data.insert(data.end(), buffer, buffer + n);
  }
  const int readErrno = errno;
  ::close(fd);
  errno = readErrno;
  if (n < 0) fail("read", path);
  if (data.size() > maxSize) {
    errno = EFBIG;
    fail("too large", path);
  }
  return data;
}

void writeFileAtomically(const std::string& path, ByteView data, mode_t mode) {
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) fail("create", temp);
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  const bool written = done == data.size();
  ::close(fd);
  if (!written || ::rename(temp.c_str(), path.c_str()) != 0) {
    const int writeErrno = errno;
    ::unlink(temp.c_str());
    errno = writeErrno;
    fail("write", path);
  }
}

}  // namespace authd::testing
