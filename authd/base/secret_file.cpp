#include "authd/base/secret_file.h"

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

struct FileError {
  std::string prefix;
  std::runtime_error operator()(const std::string& what) const {
    return std::runtime_error(prefix + what);
  }
};

SecretBytes readWhole(int fd, std::size_t size, const FileError& error) {
  SecretBytes content(size);
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, content.data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw error(std::strerror(errno));
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  content.resize(done);
  return content;
}

void checkOwnerAndMode(const struct stat& status, const std::string& path, const FileError& error) {
  if (!S_ISREG(status.st_mode)) throw error("not a regular file");
  if (status.st_uid != 0 && status.st_uid != ::geteuid()) {
    throw error("owned by uid " + std::to_string(status.st_uid) +
                ", not by root or authd's user; chown root " + path);
  }
  if ((status.st_mode & S_IRWXO) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(status.st_mode & 07777));
    throw error(std::string("other users may access it (mode ") + mode +
                "); chmod o-rwx, e.g. 0600 owned by root");
  }
  if (static_cast<std::size_t>(status.st_size) > kMaxSecretFileSize) {
    throw error("larger than 64 KiB");
  }
}

}  // namespace

SecretBytes readSecretFile(const std::string& path, std::string_view purpose) {
  const FileError error{std::string(purpose) + " " + path + ": "};
  UniqueFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (file.get() < 0) throw error(std::strerror(errno));
  struct stat status {};
  if (::fstat(file.get(), &status) != 0) throw error(std::strerror(errno));
  checkOwnerAndMode(status, path, error);
  return readWhole(file.get(), static_cast<std::size_t>(status.st_size), error);
}

SecretBytes readSecretFirstLine(const std::string& path, std::string_view purpose) {
  const SecretBytes content = readSecretFile(path, purpose);
  const unsigned char* begin = content.data();
  const unsigned char* end = std::find(begin, begin + content.size(), '\n');
  if (end != begin && end[-1] == '\r') --end;
  if (end == begin) {
    throw std::runtime_error(std::string(purpose) + " " + path + ": the first line is empty");
  }
  return SecretBytes(begin, static_cast<std::size_t>(end - begin));
}

}  // namespace authd
