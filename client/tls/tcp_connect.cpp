#include "tcp_connect.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace authd::tls {

namespace {

struct AddrinfoFree {
  void operator()(addrinfo* list) const { ::freeaddrinfo(list); }
};

// One address: 0 when connected, else the errno of the failure (ETIMEDOUT past the deadline).
int connectOne(int fd, const addrinfo& address, client_io::Clock::time_point deadline) {
  if (::connect(fd, address.ai_addr, address.ai_addrlen) == 0) return 0;
  if (errno != EINPROGRESS) return errno;
  ClientError waited;
  if (!client_io::waitFor(fd, POLLOUT, deadline, &waited)) {
    return waited.kind == ClientError::Kind::timeout ? ETIMEDOUT : EIO;
  }
  int soError = 0;
  socklen_t len = sizeof(soError);
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len) != 0) return errno;
  return soError;
}

}  // namespace

int connectTcp(const std::string& host, std::uint16_t port, client_io::Clock::time_point deadline,
               ClientError* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  std::unique_ptr<addrinfo, AddrinfoFree> list(found);
  if (rc != 0) {
    client_io::setError(error, ClientError::Kind::connect, ::gai_strerror(rc));
    return -1;
  }
  int lastError = EADDRNOTAVAIL;
  for (const addrinfo* a = list.get(); a != nullptr; a = a->ai_next) {
    const int fd =
        ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) {
      lastError = errno;
      continue;
    }
    lastError = connectOne(fd, *a, deadline);
    if (lastError == 0) return fd;
    ::close(fd);
    if (lastError == ETIMEDOUT) break;
  }
  if (lastError == ETIMEDOUT) {
    client_io::setError(error, ClientError::Kind::timeout, "no connection in time");
  } else {
    client_io::setError(error, ClientError::Kind::connect, std::strerror(lastError));
  }
  return -1;
}

}  // namespace authd::tls
