#include "authd/directory/ldap/ldap_secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "authd/base/unique_fd.h"

namespace authd {

namespace {

constexpr std::size_t kMaxSecretFileSize = 64 * 1024;

std::runtime_error fileError(const std::string& path, const std::string& what) {
  return std::runtime_error("bind password file " + path + ": " + what);
}

SecretBytes readWhole(int fd, std::size_t size, const std::string& path) {
  SecretBytes content(size);
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, content.data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw fileError(path, std::strerror(errno));
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  content.resize(done);
  return content;
}

}  // namespace

SecretBytes readSecretFirstLine(const std::string& path) {
  UniqueFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) throw fileError(path, std::strerror(errno));
  struct stat status {};
  if (::fstat(file.get(), &status) != 0) throw fileError(path, std::strerror(errno));
  if (!S_ISREG(status.st_mode)) throw fileError(path, "not a regular file");
  // Its owner can replace the password, and so redirect authd's binds.
  if (status.st_uid != 0 && status.st_uid != ::geteuid()) {
    throw fileError(path, "owned by uid " + std::to_string(status.st_uid) +
                              ", not by root or authd's user; chown root " + path);
  }
  // Every local user could read the directory's service password (or replace it).
  if ((status.st_mode & S_IRWXO) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(status.st_mode & 07777));
    throw fileError(path, std::string("other users may access it (mode ") + mode +
                              "); chmod o-rwx, e.g. 0600 owned by root");
  }
  if (static_cast<std::size_t>(status.st_size) > kMaxSecretFileSize) {
    throw fileError(path, "larger than 64 KiB");
  }
  SecretBytes content = readWhole(file.get(), static_cast<std::size_t>(status.st_size), path);
  const unsigned char* begin = content.data();
  const unsigned char* end = std::find(begin, begin + content.size(), '\n');
  if (end != begin && end[-1] == '\r') --end;
  if (end == begin) throw fileError(path, "the first line is empty");
  return SecretBytes(begin, static_cast<std::size_t>(end - begin));
}

}  // namespace authd
