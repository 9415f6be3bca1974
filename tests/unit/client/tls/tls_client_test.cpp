#include "authd/tls_client.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "authd/protocol.h"

using authd::ClientError;
using authd::TlsClient;
using authd::TlsClientOptions;

namespace {

constexpr std::chrono::milliseconds kTimeout{300};

// The repository root: AUTHD_SOURCE_DIR, else derived from this file's path.
std::string sourceDirectory() {
  if (const char* dir = std::getenv("AUTHD_SOURCE_DIR")) return dir;
  std::string here = __FILE__;
  return here.substr(0, here.rfind("/tests/unit/client/tls/"));
}

// Certificates and keys made by tests/tls/test_ca.sh in a private directory.
struct TestCa {
  TestCa() {
    char dir[] = "/tmp/authd-tls-client-XXXXXX";
    if (::mkdtemp(dir) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = dir;
    issue("admin-frank");
  }
  ~TestCa() { std::filesystem::remove_all(path); }
  void issue(const std::string& name) const {
    const std::string command =
        "bash " + sourceDirectory() + "/tests/tls/test_ca.sh " + path + " " + name + " >/dev/null";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("test_ca.sh failed");
  }
  TlsClientOptions options(std::uint16_t port) const {
    return {"127.0.0.1", port, path + "/admin-frank.pem", path + "/admin-frank.key",
            path + "/ca.pem"};
  }
  std::string path;
};

// A TCP socket on a free loopback port; listening (connections wait in the backlog, nobody
// accepts) or not (connections are refused).
struct LoopbackPort {
  explicit LoopbackPort(bool listening) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        (listening && ::listen(fd, 4) != 0)) {
      throw std::runtime_error("cannot bind a loopback port");
    }
    port = ntohs(addr.sin_port);
  }
  ~LoopbackPort() { ::close(fd); }
  int fd = -1;
  std::uint16_t port = 0;
};

nlohmann::json list() { return {{"op", "list"}}; }

}  // namespace

TEST_CASE("tls_client: nothing listening is a connect error") {
  TestCa ca;
  LoopbackPort closed(false);
  TlsClient client(ca.options(closed.port), kTimeout);
  ClientError error;
  CHECK_FALSE(client.call(list(), &error));
  CHECK(error.kind == ClientError::Kind::connect);
  CHECK(error.message == "Connection refused");
}

TEST_CASE("tls_client: the deadline covers the handshake") {
  TestCa ca;
  LoopbackPort silent(true);
  TlsClient client(ca.options(silent.port), kTimeout);
  ClientError error;
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(client.call(list(), &error));
  CHECK(error.kind == ClientError::Kind::timeout);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("tls_client: a file that cannot be used is a connect error naming it") {
  TestCa ca;
  LoopbackPort silent(true);
  TlsClientOptions options = ca.options(silent.port);
  SUBCASE("certificate") { options.certFile = ca.path + "/missing.pem"; }
  SUBCASE("key of another certificate") {
    ca.issue("other");
    options.keyFile = ca.path + "/other.key";
  }
  SUBCASE("CA") { options.caFile = ca.path + "/admin-frank.key"; }
  TlsClient client(options, kTimeout);
  ClientError error;
  CHECK_FALSE(client.call(list(), &error));
  CHECK(error.kind == ClientError::Kind::connect);
  CHECK(error.message.find(ca.path) != std::string::npos);
}

TEST_CASE("tls_client: a request longer than a protocol line is not sent") {
  TestCa ca;
  LoopbackPort closed(false);
  TlsClient client(ca.options(closed.port), kTimeout);
  ClientError error;
  nlohmann::json request = {{"op", "ping"},
                            {"pad", std::string(authd::protocol::kMaxLineBytes, 'x')}};
  CHECK_FALSE(client.call(request, &error));
  CHECK(error.kind == ClientError::Kind::protocol);
  CHECK(error.message == "request too large");
}
