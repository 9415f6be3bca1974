#include "authd/radius/radius_clients.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "unit/authd/store/store_test_support.h"

using namespace authd;
using namespace authd::radius;
using authd::test::TempDir;

namespace {

constexpr char kSecret[] = "0123456789abcdef";  // exactly kMinSecretLength

// A secret file with `mode`, as an admin creates it.
std::string secretFile(const TempDir& dir, const std::string& name, const std::string& content,
                       mode_t mode = 0600) {
  const std::string path = dir.file(name);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
  ::close(fd);
  REQUIRE(::chmod(path.c_str(), mode) == 0);
  return path;
}

Config::Radius::Client client(const std::string& name, const std::string& address,
                              const std::string& secretPath) {
  Config::Radius::Client out;
  out.name = name;
  out.address = address;
  out.secretFile = secretPath;
  return out;
}

std::string text(const SecretBytes& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

const char* nameAt(const RadiusClients& clients, const std::string& address) {
  const RadiusClient* found = clients.find(address);
  return found != nullptr ? found->name.c_str() : "(none)";
}

}  // namespace

TEST_CASE("radius clients: each client's settings and the first line of its secret file") {
  TempDir dir;
  Config::Radius::Client vpn =
      client("vpn-1", "192.0.2.10", secretFile(dir, "vpn-1", "shared-secret-of-vpn-1\r\nx\n"));
  vpn.mode = "challenge";
  vpn.requireMessageAuthenticator = false;
  vpn.limitProxyState = false;
  const RadiusClients clients = RadiusClients::load({vpn});
  REQUIRE(clients.size() == 1);
  const RadiusClient* found = clients.find("192.0.2.10");
  REQUIRE(found != nullptr);
  CHECK(found->name == "vpn-1");
  CHECK(text(found->secret) == "shared-secret-of-vpn-1");
  // Parenthesized: doctest would print a ClientMode through toString() and fail to build.
  CHECK((found->mode == ClientMode::kChallenge));
  CHECK_FALSE(found->requireMessageAuthenticator);
  CHECK_FALSE(found->limitProxyState);
  CHECK(found->network.prefix == 32);
}

TEST_CASE("radius clients: the modes and their names") {
  TempDir dir;
  const std::string secret = secretFile(dir, "s", kSecret);
  const std::pair<const char*, ClientMode> modes[] = {{"append", ClientMode::kAppend},
                                                      {"challenge", ClientMode::kChallenge},
                                                      {"otp_only", ClientMode::kOtpOnly}};
  for (const auto& [name, mode] : modes) {
    Config::Radius::Client c = client("gw", "192.0.2.1", secret);
    c.mode = name;
    CHECK((RadiusClients::load({c}).find("192.0.2.1")->mode == mode));
    CHECK(std::string(toString(mode)) == name);
  }
  Config::Radius::Client unknown = client("gw", "192.0.2.1", secret);
  unknown.mode = "pap";
  CHECK_THROWS_WITH_AS(RadiusClients::load({unknown}), doctest::Contains("radius.clients gw: mode"),
                       std::runtime_error);
}

TEST_CASE("radius clients: a secret shorter than 16 characters is refused") {
  TempDir dir;
  const std::string path = secretFile(dir, "short", "0123456789abcde\n");  // 15 and the LF
  const std::string expected =
      "radius.clients gw: shared secret in " + path + " is shorter than 16 characters";
  CHECK_THROWS_WITH_AS(RadiusClients::load({client("gw", "192.0.2.1", path)}), expected.c_str(),
                       std::runtime_error);
  const std::string exact = secretFile(dir, "exact", std::string(kSecret) + "\n");
  CHECK(RadiusClients::load({client("gw", "192.0.2.1", exact)}).size() == 1);
}

TEST_CASE("radius clients: a secret file other users may read, or none at all, is refused") {
  TempDir dir;
  const std::string open = secretFile(dir, "open", kSecret, 0644);
  CHECK_THROWS_WITH_AS(
      RadiusClients::load({client("gw", "192.0.2.1", open)}),
      doctest::Contains(
          ("radius.clients gw: secret_file " + open + ": other users may access it").c_str()),
      std::runtime_error);
  CHECK_THROWS_WITH_AS(RadiusClients::load({client("gw", "192.0.2.1", dir.file("missing"))}),
                       doctest::Contains("radius.clients gw: secret_file"), std::runtime_error);
  const std::string empty = secretFile(dir, "empty", "\nsecond line is no secret\n");
  CHECK_THROWS_WITH_AS(RadiusClients::load({client("gw", "192.0.2.1", empty)}),
                       doctest::Contains("the first line is empty"), std::runtime_error);
}

TEST_CASE("radius clients: an address that is no network is refused with the client named") {
  TempDir dir;
  const std::string secret = secretFile(dir, "s", kSecret);
  CHECK_THROWS_WITH_AS(RadiusClients::load({client("gw", "192.0.2.1/24", secret)}),
                       doctest::Contains("radius.clients gw: \"192.0.2.1/24\""),
                       std::runtime_error);
}

TEST_CASE("radius clients: the longest prefix wins, whatever the file order") {
  TempDir dir;
  const std::string secret = secretFile(dir, "s", kSecret);
  const RadiusClients clients = RadiusClients::load({
      client("wide", "10.0.0.0/8", secret),
      client("site", "10.1.0.0/16", secret),
      client("host", "10.1.2.3", secret),
      client("v6-wide", "2001:db8::/32", secret),
      client("v6-host", "2001:db8::7", secret),
  });
  CHECK(clients.size() == 5);
  CHECK(std::string(nameAt(clients, "10.1.2.3")) == "host");
  CHECK(std::string(nameAt(clients, "10.1.2.4")) == "site");
  CHECK(std::string(nameAt(clients, "10.2.0.1")) == "wide");
  CHECK(std::string(nameAt(clients, "2001:db8::7")) == "v6-host");
  CHECK(std::string(nameAt(clients, "2001:db8::8")) == "v6-wide");
}

TEST_CASE("radius clients: an address no client covers, or no address, finds none") {
  TempDir dir;
  const RadiusClients clients =
      RadiusClients::load({client("lan", "192.0.2.0/24", secretFile(dir, "s", kSecret))});
  CHECK(clients.find("192.0.3.1") == nullptr);
  CHECK(clients.find("2001:db8::1") == nullptr);
  CHECK(clients.find("::c000:201") == nullptr);  // IPv4-compatible is not IPv4
  CHECK(clients.find("") == nullptr);
  CHECK(clients.find("gateway.example") == nullptr);
  CHECK(clients.find("192.0.2.1%eth0") == nullptr);
  CHECK(RadiusClients::load({}).find("192.0.2.1") == nullptr);
}

TEST_CASE("radius clients: an IPv4-mapped source matches the IPv4 client") {
  TempDir dir;
  const std::string secret = secretFile(dir, "s", kSecret);
  const RadiusClients clients = RadiusClients::load(
      {client("v4", "192.0.2.0/24", secret), client("mapped", "::ffff:198.51.100.7", secret)});
  CHECK(std::string(nameAt(clients, "::ffff:192.0.2.9")) == "v4");
  CHECK(std::string(nameAt(clients, "198.51.100.7")) == "mapped");
  CHECK(std::string(nameAt(clients, "::ffff:198.51.100.7")) == "mapped");
}
