#include "authd/client_io.h"

#include <poll.h>
#include <string.h>  // explicit_bzero: the PAM module links no libcrypto

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "authd/json_reader.h"
#include "authd/protocol.h"
#include "authd/wipe.h"

namespace authd::client_io {

namespace {

int remainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

bool validEnvelope(const nlohmann::json& response, std::uint64_t id) {
  return response.contains("v") && response["v"] == protocol::kVersion && response.contains("id") &&
         response["id"] == id && response.contains("ok") && response["ok"].is_boolean();
}

}  // namespace

bool setError(ClientError* error, ClientError::Kind kind, std::string message) {
  if (error != nullptr) *error = ClientError{kind, std::move(message)};
  return false;
}

bool waitFor(int fd, short events, Clock::time_point deadline, ClientError* error) {
  for (;;) {
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, remainingMs(deadline));
    if (n > 0) return true;
    if (n == 0) return setError(error, ClientError::Kind::timeout, "authd did not answer in time");
    if (errno != EINTR) return setError(error, ClientError::Kind::io, std::strerror(errno));
  }
}

std::string requestLine(nlohmann::json& request, std::uint64_t id) {
  request["v"] = protocol::kVersion;
  request["id"] = id;
  std::string body = request.dump();
  wipeSecretFields(request);
  // authd::takeLine appends the newline without leaving an unwiped copy behind.
  return authd::takeLine(body);
}

std::optional<std::string> takeLine(std::string& pending) {
  const auto newline = pending.find('\n');
  if (newline == std::string::npos) return std::nullopt;
  std::string line = pending.substr(0, newline);
  std::fill(pending.begin(), pending.begin() + static_cast<long>(newline) + 1, '\0');
  pending.erase(0, newline + 1);
  return line;
}

bool lineTooLong(const std::string& pending) {
  return pending.size() >= protocol::kMaxResponseLineBytes;
}

std::optional<std::string> receiveLine(std::string& pending, const ReadSome& readSome,
                                       ClientError* error) {
  for (;;) {
    if (auto line = takeLine(pending)) return line;
    if (lineTooLong(pending)) {
      setError(error, ClientError::Kind::protocol, "response line too long");
      return std::nullopt;
    }
    char chunk[4096];
    const std::size_t n = readSome(chunk, sizeof(chunk));
    if (n == 0) return std::nullopt;
    pending.append(chunk, n);
    explicit_bzero(chunk, sizeof(chunk));
  }
}

std::optional<nlohmann::json> readResponse(std::string& line, std::uint64_t id,
                                           ClientError* error) {
  std::string why;
  auto response = parseProtocolLine(line, &why, protocol::kMaxResponseLineBytes);
  wipeString(line);
  if (!response || !validEnvelope(*response, id)) {
    setError(error, ClientError::Kind::protocol,
             why.empty() ? "malformed response envelope" : "malformed response: " + why);
    return std::nullopt;
  }
  return response;
}

std::optional<nlohmann::json> exchange(LineLink& link, nlohmann::json& request, std::uint64_t id,
                                       Clock::time_point deadline, ClientError* error) {
  std::string line = requestLine(request, id);
  if (line.size() > protocol::kMaxLineBytes) {
    wipeString(line);
    setError(error, ClientError::Kind::protocol, "request too large");
    return std::nullopt;
  }
  const bool sent = link.connectBy(deadline, error) && link.sendAll(line, deadline, error);
  // The request may carry a secret: wipe our serialised copy whatever happened.
  wipeString(line);
  if (!sent) {
    link.disconnect();
    return std::nullopt;
  }
  auto answer = link.receiveLine(deadline, error);
  if (!answer) {
    link.disconnect();
    return std::nullopt;
  }
  auto response = readResponse(*answer, id, error);
  if (!response) link.disconnect();
  return response;
}

}  // namespace authd::client_io
