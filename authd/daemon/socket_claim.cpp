#include "authd/daemon/socket_claim.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace authd {

namespace {

std::runtime_error claimError(const std::string& path, const std::string& what) {
  return std::runtime_error(path + ": " + what);
}

std::string sysError(const char* call) { return std::string(call) + ": " + std::strerror(errno); }

sockaddr_un addressOf(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address.sun_path)) {
    throw claimError(path, "a socket path must be 1 to 107 bytes long");
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

// The lock is held until the descriptor closes, i.e. for the daemon's lifetime. The lock file is
// never removed: unlinking it would let a third instance lock a new file beside a live one.
UniqueFd takeLock(const std::string& socketPath) {
  const std::string lockPath = SocketClaim::lockPathFor(socketPath);
  UniqueFd fd(::open(lockPath.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600));
  if (fd.get() < 0) throw claimError(lockPath, sysError("cannot open lock file"));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    throw claimError(lockPath, "the lock file is not a regular file");
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) throw claimError(lockPath, sysError("flock"));
    throw claimError(socketPath, "another authd serves this socket (it holds " + lockPath +
                                     "); stop it first, or give this one its own server.socket");
  }
  return fd;
}

// An existing socket is replaced only when nobody accepts connections on it (left by a crash).
void removeStaleSocket(const std::string& path, const sockaddr_un& address) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    throw claimError(path, sysError("lstat"));
  }
  if (!S_ISSOCK(st.st_mode))
    throw claimError(path, "exists and is not a socket; refusing to replace it");
  UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (probe.get() < 0) throw claimError(path, sysError("socket"));
  // Non-blocking: a listener with a full backlog answers EAGAIN instead of making us wait.
  if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 ||
      errno == EAGAIN) {
    throw claimError(path,
                     "another process answers on this socket; stop it first, or give this "
                     "authd its own server.socket");
  }
  if (errno != ECONNREFUSED) throw claimError(path, sysError("cannot probe the existing socket"));
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    throw claimError(path, sysError("cannot remove the stale socket"));
  }
}

UniqueFd bindListening(const std::string& path, const sockaddr_un& address, int mode) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) throw claimError(path, sysError("socket"));
  // The socket file is created with its final mode: a chmod by path after bind could hit a file
  // swapped in between. Linux creates it as 0777 & ~umask.
  const mode_t previous = ::umask(static_cast<mode_t>(~mode) & 0777);
  const int rc = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
  const int bindErrno = errno;
  ::umask(previous);
  if (rc != 0) {
    errno = bindErrno;
    throw claimError(path, sysError("bind"));
  }
  if (::listen(fd.get(), SOMAXCONN) != 0) throw claimError(path, sysError("listen"));
  return fd;
}

}  // namespace

SocketClaim::SocketClaim(std::string path, int mode)
    : path_(std::move(path)), lock_(-1), socket_(-1) {
  const sockaddr_un address = addressOf(path_);
  lock_ = takeLock(path_);
  removeStaleSocket(path_, address);
  UniqueFd bound = bindListening(path_, address, mode);
  struct stat st {};
  if (::lstat(path_.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) {
    throw claimError(path_, "the socket vanished right after bind");
  }
  device_ = st.st_dev;
  inode_ = st.st_ino;
  socket_ = std::move(bound);
}

SocketClaim::~SocketClaim() {
  // Another socket at the path (or any other file) is not ours to remove.
  struct stat st {};
  if (::lstat(path_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == device_ &&
      st.st_ino == inode_) {
    ::unlink(path_.c_str());
  }
}

}  // namespace authd
