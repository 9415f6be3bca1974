#include "authd/client.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "authd/json_reader.h"
#include "authd/protocol.h"
#include "authd/wipe.h"

namespace authd {

namespace {

using Clock = std::chrono::steady_clock;

int remainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

bool setError(ClientError* error, ClientError::Kind kind, std::string message) {
  if (error != nullptr) *error = ClientError{kind, std::move(message)};
  return false;
}

// Waits until fd is ready for `events` or the deadline passes.
bool waitFor(int fd, short events, Clock::time_point deadline, ClientError* error) {
  for (;;) {
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, remainingMs(deadline));
    if (n > 0) return true;
    if (n == 0) return setError(error, ClientError::Kind::timeout, "authd did not answer in time");
    if (errno != EINTR) return setError(error, ClientError::Kind::io, std::strerror(errno));
  }
}

// The request as one protocol line; takeLine appends the newline without leaving a copy behind.
std::string serialise(nlohmann::json& request) {
  std::string body = request.dump();
  wipeSecretFields(request);
  return takeLine(body);
}

}  // namespace

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
  for (;;) {
    auto newline = pending_.find('\n');
    if (newline != std::string::npos) {
      std::string line = pending_.substr(0, newline);
      // Responses may carry an enrolment secret: clear the consumed bytes before dropping them.
      std::fill(pending_.begin(), pending_.begin() + static_cast<long>(newline) + 1, '\0');
      pending_.erase(0, newline + 1);
      return line;
    }
    if (pending_.size() >= protocol::kMaxLineBytes) {
      setError(error, ClientError::Kind::protocol, "response line too long");
      return std::nullopt;
    }
    char chunk[4096];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n > 0) {
      pending_.append(chunk, static_cast<std::size_t>(n));
    } else if (n == 0) {
      setError(error, ClientError::Kind::io, "authd closed the connection");
      return std::nullopt;
    } else if (errno == EAGAIN || errno == EINTR) {
      if (!waitFor(fd_, POLLIN, deadline, error)) return std::nullopt;
    } else {
      setError(error, ClientError::Kind::io, std::string("recv: ") + std::strerror(errno));
      return std::nullopt;
    }
  }
}

std::optional<nlohmann::json> Client::call(nlohmann::json request, ClientError* error) {
  const auto deadline = Clock::now() + timeout_;
  const std::uint64_t id = nextId_++;
  request["v"] = protocol::kVersion;
  request["id"] = id;
  std::string line = serialise(request);
  if (line.size() > protocol::kMaxLineBytes) {
    setError(error, ClientError::Kind::protocol, "request too large");
    return std::nullopt;
  }
  bool sent = connectBy(deadline, error) && sendAll(line, deadline, error);
  // The request may carry a secret: wipe our serialised copy whatever happened.
  wipeString(line);
  if (!sent) {
    disconnect();
    return std::nullopt;
  }
  auto answer = receiveLine(deadline, error);
  if (!answer) {
    disconnect();
    return std::nullopt;
  }
  std::string why;
  auto response = parseProtocolLine(*answer, &why);
  wipeString(*answer);
  bool envelopeOk = response && response->contains("v") && (*response)["v"] == protocol::kVersion &&
                    response->contains("id") && (*response)["id"] == id &&
                    response->contains("ok") && (*response)["ok"].is_boolean();
  if (!envelopeOk) {
    disconnect();
    setError(error, ClientError::Kind::protocol,
             why.empty() ? "malformed response envelope" : "malformed response: " + why);
    return std::nullopt;
  }
  return response;
}

}  // namespace authd
