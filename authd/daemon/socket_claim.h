#pragma once
// One authd per socket path. A lock file beside the socket (flock, held for the daemon's lifetime)
// keeps a second instance from starting, and a probe connect catches a process that serves the
// socket without holding the lock; only a socket nobody answers on is replaced. The socket gets
// its mode through the umask at bind (never a chmod by path), and at exit it is unlinked only
// while the path still is the socket this instance bound.

#include <sys/types.h>

#include <string>

#include "authd/base/unique_fd.h"

namespace authd {

class SocketClaim {
 public:
  // Locks, binds and listens. The umask is process-wide: construct while the process is still
  // single-threaded. Throws std::runtime_error naming the path when another instance serves it,
  // the path holds anything but a socket, or a system call fails.
  SocketClaim(std::string path, int mode);
  ~SocketClaim();
  SocketClaim(const SocketClaim&) = delete;
  SocketClaim& operator=(const SocketClaim&) = delete;

  // The bound, listening socket; the caller owns it from then on. Call once.
  int releaseListeningSocket() { return socket_.release(); }
  const std::string& path() const { return path_; }
  // The lock file beside the socket.
  static std::string lockPathFor(const std::string& socketPath) { return socketPath + ".lock"; }

 private:
  std::string path_;
  UniqueFd lock_;
  UniqueFd socket_;
  dev_t device_ = 0;
  ino_t inode_ = 0;
};

}  // namespace authd
