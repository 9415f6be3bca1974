#include "authd/client.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "authd/client_io.h"
#include "authd/protocol.h"
#include "authd/wipe.h"

namespace authd {

using client_io::Clock;
using client_io::setError;
using client_io::waitFor;

std::string defaultSocketPath() {
  const char* env = std::getenv(std::string(protocol::kSocketEnv).c_str());
  if (env != nullptr && *env != '\0') return env;
  return std::string(protocol::kDefaultSocketPath);
}

Client::Client(std::string socketPath, std::chrono::milliseconds timeout)
    : socketPath_(std::move(socketPath)), timeout_(timeout) {}

Client::~Client() { disconnect(); }

void Client::disconnect() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  wipeString(pending_);
}

bool Client::connectBy(Clock::time_point deadline, ClientError* error) {
  if (fd_ >= 0) return true;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socketPath_.empty() || socketPath_.size() >= sizeof(addr.sun_path)) {
    return setError(error, ClientError::Kind::connect, "socket path is empty or too long");
  }
  std::memcpy(addr.sun_path, socketPath_.c_str(), socketPath_.size() + 1);
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) return setError(error, ClientError::Kind::connect, std::strerror(errno));
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) return true;
  if (errno != EINPROGRESS && errno != EAGAIN) {
    std::string why = "cannot connect to " + socketPath_ + ": " + std::strerror(errno);
    disconnect();
    return setError(error, ClientError::Kind::connect, why);
  }
  if (!waitFor(fd_, POLLOUT, deadline, error)) {
    disconnect();
    return false;
  }
  int soError = 0;
  socklen_t len = sizeof(soError);
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &soError, &len) != 0 || soError != 0) {
    std::string why = "cannot connect to " + socketPath_ + ": " + std::strerror(soError);
    disconnect();
    return setError(error, ClientError::Kind::connect, why);
  }
  return true;
}

bool Client::sendAll(const std::string& bytes, Clock::time_point deadline, ClientError* error) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!waitFor(fd_, POLLOUT, deadline, error)) return false;
    } else {
      return setError(error, ClientError::Kind::io, std::string("send: ") + std::strerror(errno));
    }
  }
  return true;
}

std::optional<std::string> Client::receiveLine(Clock::time_point deadline, ClientError* error) {
  auto readSome = [&](char* buffer, std::size_t size) -> std::size_t {
    for (;;) {
      const ssize_t n = ::recv(fd_, buffer, size, 0);
      if (n > 0) return static_cast<std::size_t>(n);
      if (n == 0) {
        setError(error, ClientError::Kind::io, "authd closed the connection");
        return 0;
      }
      if (errno != EAGAIN && errno != EINTR) {
        setError(error, ClientError::Kind::io, std::string("recv: ") + std::strerror(errno));
        return 0;
      }
      if (!waitFor(fd_, POLLIN, deadline, error)) return 0;
    }
  };
  return client_io::receiveLine(pending_, readSome, error);
}

std::optional<nlohmann::json> Client::call(nlohmann::json request, ClientError* error) {
  return client_io::exchange(*this, request, nextId_++, Clock::now() + timeout_, error);
}

}  // namespace authd
