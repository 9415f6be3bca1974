#include "authd/tls_client.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "authd/protocol.h"
#include "authd/wipe.h"
#include "tcp_connect.h"
#include "tls_context.h"

namespace authd {

namespace {

using client_io::Clock;
using client_io::setError;

bool isIpAddress(const std::string& host) {
  unsigned char address[16];
  return inet_pton(AF_INET, host.c_str(), address) == 1 ||
         inet_pton(AF_INET6, host.c_str(), address) == 1;
}

// The server's certificate must be issued for the name or address we connect to.
bool expectServerName(SSL* ssl, const std::string& host) {
  if (isIpAddress(host)) {
    return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
  }
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 && SSL_set1_host(ssl, host.c_str()) == 1;
}

// `code` is SSL_get_error's, `syscallErrno` the errno of the failed step.
void tlsFailure(SSL* ssl, int code, int syscallErrno, const std::string& host, ClientError* error) {
  if (code == SSL_ERROR_ZERO_RETURN || (code == SSL_ERROR_SYSCALL && syscallErrno == 0)) {
    ERR_clear_error();
    setError(error, ClientError::Kind::io, "authd closed the connection");
    return;
  }
  if (code == SSL_ERROR_SYSCALL) {
    ERR_clear_error();
    setError(error, ClientError::Kind::io, std::strerror(syscallErrno));
    return;
  }
  const long verified = SSL_get_verify_result(ssl);
  if (verified != X509_V_OK) {
    ERR_clear_error();
    setError(error, ClientError::Kind::connect,
             std::string("the server's certificate was refused: ") +
                 X509_verify_cert_error_string(verified) + " (expected one for " + host +
                 " issued by the CA of --ca)");
    return;
  }
  // Also how the server's refusal of our certificate shows (an alert, in TLS 1.3 only at the
  // first read): a connect error, not a broken connection.
  setError(error, ClientError::Kind::connect, "TLS: " + tls::opensslReason("handshake failed"));
}

// Runs one SSL_* step (>0 when done) until it is done, waiting on the socket as OpenSSL asks.
template <typename Step>
int retryBy(SSL* ssl, int fd, const std::string& host, Step step, Clock::time_point deadline,
            ClientError* error) {
  for (;;) {
    ERR_clear_error();
    errno = 0;
    const int n = step();
    const int stepErrno = errno;
    if (n > 0) return n;
    const int code = SSL_get_error(ssl, n);
    short events = 0;
    if (code == SSL_ERROR_WANT_READ) events = POLLIN;
    if (code == SSL_ERROR_WANT_WRITE) events = POLLOUT;
    if (events == 0) {
      tlsFailure(ssl, code, stepErrno, host, error);
      return -1;
    }
    if (!client_io::waitFor(fd, events, deadline, error)) return -1;
  }
}

}  // namespace

TlsClient::TlsClient(TlsClientOptions options, std::chrono::milliseconds timeout)
    : options_(std::move(options)), timeout_(timeout) {}

TlsClient::~TlsClient() {
  disconnect();
  SSL_CTX_free(ctx_);
}

void TlsClient::disconnect() {
  if (ssl_ != nullptr) {
    (void)SSL_shutdown(ssl_);  // one try at close_notify; the socket is non-blocking
    SSL_free(ssl_);
    ERR_clear_error();
  }
  ssl_ = nullptr;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  wipeString(pending_);
}

// A kept connection the server has closed (idle timeout) or written to unasked is not reused:
// nothing was sent on it yet, so a new connection is safe.
bool TlsClient::stillOpen() const {
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, 0) == 0 && SSL_pending(ssl_) == 0;
}

bool TlsClient::connectBy(Clock::time_point deadline, ClientError* error) {
  if (ssl_ != nullptr && stillOpen()) return true;
  disconnect();
  fd_ = tls::connectTcp(options_.host, options_.port, deadline, error);
  if (fd_ < 0) return false;
  if (!handshakeBy(deadline, error)) {
    disconnect();
    return false;
  }
  return true;
}

bool TlsClient::handshakeBy(Clock::time_point deadline, ClientError* error) {
  ssl_ = SSL_new(ctx_);
  if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1 || !expectServerName(ssl_, options_.host)) {
    return setError(error, ClientError::Kind::connect,
                    "cannot set up TLS for " + options_.host + " (" +
                        tls::opensslReason("unknown error") + ")");
  }
  // A server closing without close_notify is a closed connection, not a TLS error.
  SSL_set_options(ssl_, SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL* ssl = ssl_;
  return retryBy(
             ssl, fd_, options_.host, [ssl] { return SSL_connect(ssl); }, deadline, error) > 0;
}

bool TlsClient::sendAll(const std::string& bytes, Clock::time_point deadline, ClientError* error) {
  SSL* ssl = ssl_;
  const char* data = bytes.data();
  const int size = static_cast<int>(bytes.size());  // at most protocol::kMaxLineBytes
  // SSL_write sends all of it (no partial writes are enabled) or fails.
  return retryBy(
             ssl, fd_, options_.host, [=] { return SSL_write(ssl, data, size); }, deadline, error) >
         0;
}

std::optional<std::string> TlsClient::receiveLine(Clock::time_point deadline, ClientError* error) {
  SSL* ssl = ssl_;
  auto readSome = [&](char* buffer, std::size_t size) -> std::size_t {
    const int n = retryBy(
        ssl, fd_, options_.host, [&] { return SSL_read(ssl, buffer, static_cast<int>(size)); },
        deadline, error);
    return n > 0 ? static_cast<std::size_t>(n) : 0;
  };
  return client_io::receiveLine(pending_, readSome, error);
}

bool TlsClient::loadContext(ClientError* error) {
  if (ctx_ != nullptr) return true;
  std::string why;
  ctx_ = tls::newClientContext(options_, &why);
  return ctx_ != nullptr || setError(error, ClientError::Kind::connect, why);
}

std::optional<nlohmann::json> TlsClient::call(nlohmann::json request, ClientError* error) {
  if (!loadContext(error)) {
    wipeSecretFields(request);
    return std::nullopt;
  }
  return client_io::exchange(*this, request, nextId_++, Clock::now() + timeout_, error);
}

}  // namespace authd
