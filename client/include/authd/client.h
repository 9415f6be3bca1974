#pragma once
// Blocking client for authd's local socket (docs/protocol.md). Used by pam_authd.so and authctl,
// reusable by any other client: it knows framing, envelopes and time-outs, nothing about PAM.

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace authd {

struct ClientError {
  enum class Kind { none, connect, timeout, io, protocol };
  Kind kind = Kind::none;
  std::string message;
};

// $AUTHD_SOCKET when set and non-empty, otherwise the compiled-in default.
std::string defaultSocketPath();

// A blocking connection that carries one request line and its answer line at a time: what
// Client and TlsClient implement, and client_io::exchange() drives through one call sequence.
class LineLink {
 public:
  virtual ~LineLink() = default;
  virtual bool connectBy(std::chrono::steady_clock::time_point deadline, ClientError* error) = 0;
  virtual bool sendAll(const std::string& bytes, std::chrono::steady_clock::time_point deadline,
                       ClientError* error) = 0;
  virtual std::optional<std::string> receiveLine(std::chrono::steady_clock::time_point deadline,
                                                 ClientError* error) = 0;
  virtual void disconnect() = 0;
};

class Client final : private LineLink {
 public:
  Client(std::string socketPath, std::chrono::milliseconds timeout);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends one request; "v" and "id" are filled in. Returns the whole response object once its
  // envelope is valid (version, matching id, boolean "ok"); nullopt with *error otherwise.
  // Each call has its own deadline of `timeout` covering connect, send and receive.
  std::optional<nlohmann::json> call(nlohmann::json request, ClientError* error);

 private:
  bool connectBy(std::chrono::steady_clock::time_point deadline, ClientError* error) override;
  bool sendAll(const std::string& bytes, std::chrono::steady_clock::time_point deadline,
               ClientError* error) override;
  std::optional<std::string> receiveLine(std::chrono::steady_clock::time_point deadline,
                                         ClientError* error) override;
  void disconnect() override;

  std::string socketPath_;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
  std::uint64_t nextId_ = 1;
  std::string pending_;
};

}  // namespace authd
