#include "authd/daemon/key_file.h"

#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "authd/base/secret_box.h"
#include "authd/base/unique_fd.h"

namespace authd {

namespace {

std::string sysError(const std::string& path, const char* what) {
  return path + ": " + what + ": " + std::strerror(errno);
}

bool syncParentDirectory(const std::string& path) {
  std::string copy = path;
  UniqueFd dir(::open(::dirname(copy.data()), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  return dir.get() >= 0 && ::fsync(dir.get()) == 0;
}

std::optional<SecretBytes> createKey(const std::string& path, const Random& random,
                                     std::string* error) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    *error = sysError(path, "cannot create key file");
    return std::nullopt;
  }
  SecretBytes key(SecretBox::kKeyBytes);
  random(key.data(), key.size());
  bool ok = ::write(fd.get(), key.data(), key.size()) == static_cast<ssize_t>(key.size()) &&
            ::fsync(fd.get()) == 0 && syncParentDirectory(path);
  if (!ok) {
    *error = sysError(path, "cannot write key file");
    ::unlink(path.c_str());
    return std::nullopt;
  }
  return key;
}

std::optional<SecretBytes> readKey(const std::string& path, std::string* error) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0) {
    *error = sysError(path, "cannot open key file");
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = path + ": key file is not a regular file";
  } else if ((st.st_mode & 0077) != 0) {
    *error = path + ": key file is accessible by group or others; run chmod 600 " + path;
  } else if (st.st_uid != ::geteuid()) {
    *error = path + ": key file is not owned by authd's user";
  } else if (st.st_size != static_cast<off_t>(SecretBox::kKeyBytes)) {
    *error = path + ": key file must hold exactly 32 bytes";
  }
  if (!error->empty()) return std::nullopt;
  SecretBytes key(SecretBox::kKeyBytes);
  if (::read(fd.get(), key.data(), key.size()) != static_cast<ssize_t>(key.size())) {
    *error = sysError(path, "cannot read key file");
    return std::nullopt;
  }
  return key;
}

}  // namespace

std::optional<SecretBytes> loadOrCreateKeyFile(const std::string& path, const Random& random,
                                               std::string* error) {
  error->clear();
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      *error = sysError(path, "cannot inspect key file");
      return std::nullopt;
    }
    return createKey(path, random, error);
  }
  return readKey(path, error);
}

}  // namespace authd
