#pragma once
// A TCP listener on 127.0.0.1 for the failure modes a healthy slapd cannot show:
//  - silent: accepts TCP connections (kernel backlog) and never answers: timeouts;
//  - refuseStartTls: answers a StartTLS request with protocolError, and records whether the
//    client then sent any other request than an unbind (a bind or search in plain text).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace authd::testing {

class FakeLdapServer {
 public:
  enum class Mode { silent, refuseStartTls };

  explicit FakeLdapServer(Mode mode) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        ::listen(listener_, 64) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      throw std::runtime_error("fake LDAP server: cannot listen");
    }
    port_ = ntohs(address.sin_port);
    if (mode == Mode::refuseStartTls) thread_ = std::thread([this] { serve(); });
  }

  ~FakeLdapServer() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);  // wakes accept()
    int client = client_.load();
    if (client >= 0) ::shutdown(client, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
  }

  FakeLdapServer(const FakeLdapServer&) = delete;
  FakeLdapServer& operator=(const FakeLdapServer&) = delete;

  std::string uri() const { return "ldap://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_; }
  int startTlsRequests() const { return startTlsRequests_; }
  bool plainRequestSeen() const { return plainRequests_ > 0; }

 private:
  static constexpr unsigned char kExtendedRequest = 0x77;  // [APPLICATION 23], constructed
  static constexpr unsigned char kUnbindRequest = 0x42;    // [APPLICATION 2], primitive

  void serve() {
    while (!stopping_) {
      int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) return;
      ++connections_;
      client_ = client;
      converse(client);
      client_ = -1;
      ::close(client);
    }
  }

  void converse(int client) {
    std::vector<unsigned char> message;
    while (readMessage(client, message)) {
      std::vector<unsigned char> id;
      unsigned char operation = 0;
      if (!parse(message, id, operation)) return;
      if (operation == kUnbindRequest) return;  // carries nothing: the client hangs up
      if (operation != kExtendedRequest) {
        ++plainRequests_;
        continue;
      }
      ++startTlsRequests_;
      reply(client, id);
    }
  }

  static bool readAll(int fd, unsigned char* out, std::size_t size) {
    while (size > 0) {
      ssize_t n = ::read(fd, out, size);
      if (n <= 0) return false;
      out += n;
      size -= static_cast<std::size_t>(n);
    }
    return true;
  }

  // One BER-encoded LDAPMessage (SEQUENCE, definite length) without its tag and length.
  static bool readMessage(int fd, std::vector<unsigned char>& body) {
    unsigned char head[2];
    if (!readAll(fd, head, 2) || head[0] != 0x30) return false;
    std::size_t length = head[1];
    if (head[1] & 0x80) {
      unsigned char bytes[4];
      std::size_t count = head[1] & 0x7f;
      if (count == 0 || count > 4 || !readAll(fd, bytes, count)) return false;
      length = 0;
      for (std::size_t i = 0; i < count; ++i) length = (length << 8) | bytes[i];
    }
    if (length > 65536) return false;
    body.resize(length);
    return readAll(fd, body.data(), length);
  }

  static bool parse(const std::vector<unsigned char>& body, std::vector<unsigned char>& id,
                    unsigned char& operation) {
    if (body.size() < 3 || body[0] != 0x02 || body[1] == 0 || body[1] > 4) return false;
    std::size_t idLength = body[1];
    if (body.size() < 2 + idLength + 1) return false;
    id.assign(body.begin() + 2, body.begin() + 2 + static_cast<long>(idLength));
    operation = body[2 + idLength];
    return true;
  }

  // ExtendedResponse { resultCode protocolError (2), matchedDN "", diagnosticMessage "" }.
  static void reply(int client, const std::vector<unsigned char>& id) {
    std::vector<unsigned char> response = {0x02, static_cast<unsigned char>(id.size())};
    response.insert(response.end(), id.begin(), id.end());
    for (unsigned char byte : {0x78, 0x07, 0x0a, 0x01, 0x02, 0x04, 0x00, 0x04, 0x00}) {
      response.push_back(byte);
    }
    response.insert(response.begin(), {0x30, static_cast<unsigned char>(response.size())});
    (void)::send(client, response.data(), response.size(), MSG_NOSIGNAL);
  }

  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> client_{-1};
  std::atomic<int> connections_{0};
  std::atomic<int> startTlsRequests_{0};
  std::atomic<int> plainRequests_{0};
};

// ldap://127.0.0.1:PORT where nothing listens (a port bound and closed again): connections are
// refused at once.
inline std::string refusedLdapUri() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    throw std::runtime_error("cannot pick a free port");
  }
  ::close(fd);
  return "ldap://127.0.0.1:" + std::to_string(ntohs(address.sin_port));
}

}  // namespace authd::testing
