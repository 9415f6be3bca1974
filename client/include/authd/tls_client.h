#pragma once
// Blocking client for authd's network listener: the protocol of docs/protocol.md over mutual TLS
// (docs/network.md). authctl --server uses it. Same contract as authd::Client; apart from it
// (library authd_client_tls) because it needs libssl, which pam_authd.so must not link.
//
// Writing to a connection the server has closed raises SIGPIPE: callers ignore that signal.

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "authd/client.h"

struct ssl_ctx_st;
struct ssl_st;

namespace authd {

struct TlsClientOptions {
  std::string host;  // DNS name or IP address; the server's certificate must be issued for it
  std::uint16_t port = 0;
  std::string certFile;  // our certificate (chain), PEM; its CN is our name at authd
  std::string keyFile;   // its private key, PEM
  std::string caFile;    // the CA(s) the server's certificate must chain to, PEM
};

class TlsClient final : private LineLink {
 public:
  TlsClient(TlsClientOptions options, std::chrono::milliseconds timeout);
  ~TlsClient();
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  // As Client::call: fills "v" and "id", returns the response once its envelope is valid,
  // nullopt with *error otherwise. The deadline of `timeout` covers connect, TLS handshake, send
  // and receive (not the name lookup, which getaddrinfo does not bound). The certificate files
  // are read at the first call, before its deadline starts; a file that cannot be used is a
  // Kind::connect error.
  std::optional<nlohmann::json> call(nlohmann::json request, ClientError* error);

 private:
  // Reads the certificate files once, before the first deadline starts.
  bool loadContext(ClientError* error);
  bool connectBy(std::chrono::steady_clock::time_point deadline, ClientError* error) override;
  bool handshakeBy(std::chrono::steady_clock::time_point deadline, ClientError* error);
  bool stillOpen() const;
  bool sendAll(const std::string& bytes, std::chrono::steady_clock::time_point deadline,
               ClientError* error) override;
  std::optional<std::string> receiveLine(std::chrono::steady_clock::time_point deadline,
                                         ClientError* error) override;
  void disconnect() override;

  TlsClientOptions options_;
  std::chrono::milliseconds timeout_;
  ssl_ctx_st* ctx_ = nullptr;
  ssl_st* ssl_ = nullptr;
  int fd_ = -1;
  std::uint64_t nextId_ = 1;
  std::string pending_;
};

}  // namespace authd
