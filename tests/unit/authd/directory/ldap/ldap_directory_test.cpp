// makeLdapDirectory without a directory server: configuration checks, and the failure modes a
// fake server shows (a server that never answers, one that refuses StartTLS).

#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "authd/directory/ldap/ldap_directory.h"
#include "fake_ldap_server.h"

using namespace authd;
using authd::testing::FakeLdapServer;

namespace {

class NoLocalAccounts final : public Directory {
 public:
  std::optional<Account> findUser(const std::string&) override { return std::nullopt; }
  std::optional<Account> findUid(uid_t uid) override {
    if (uid != 1000) return std::nullopt;
    Account local;
    local.name = "admin";
    local.uid = 1000;
    return local;
  }
  PasswordCheck checkPassword(const Account&, std::string_view) override {
    return PasswordCheck::unsupported;
  }
};

Config::Ldap validOptions() {
  Config::Ldap options;
  options.uris = {"ldaps://dc1.stadt.example", "ldap://dc2.stadt.example:389"};
  options.userBase = "ou=people,dc=stadt,dc=example";
  return options;
}

std::unique_ptr<Directory> make(const Config::Ldap& options) {
  return makeLdapDirectory(options, GroupUse::informational, std::make_unique<NoLocalAccounts>(),
                           [] { return std::int64_t{1000}; });
}

Account someone() {
  Account account;
  account.name = "alice";
  account.dn = "uid=alice,ou=people,dc=stadt,dc=example";
  return account;
}

using Steady = std::chrono::steady_clock;

long long millisecondsSince(Steady::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - start).count();
}

}  // namespace

TEST_SUITE("ldap") {
  TEST_CASE("a valid configuration makes a directory without connecting") {
    CHECK(make(validOptions()));
  }

  TEST_CASE("configurations that cannot work are refused with a clear message") {
    auto refused = [](auto change, const char* message) {
      Config::Ldap options = validOptions();
      change(options);
      CAPTURE(message);
      CHECK_THROWS_WITH_AS(make(options), doctest::Contains(message), std::runtime_error);
    };
    refused([](Config::Ldap& o) { o.uris.clear(); }, "no server");
    refused([](Config::Ldap& o) { o.uris = {"http://dc1"}; }, "not an LDAP URI");
    refused([](Config::Ldap& o) { o.uris = {"ldapi:///run/slapd.sock"}; }, "ldaps:// or ldap://");
    refused([](Config::Ldap& o) { o.uris = {"ldaps://a ldaps://b"}; }, "one URI per entry");
    refused([](Config::Ldap& o) { o.uris = {"not a uri"}; }, "URI");
    refused([](Config::Ldap& o) { o.userBase.clear(); }, "user_base");
    refused([](Config::Ldap& o) { o.groupMode = "nested"; }, "group_mode");
    refused([](Config::Ldap& o) { o.timeoutMs = 0; }, "timeouts");
    refused([](Config::Ldap& o) { o.connectTimeoutMs = -1; }, "timeouts");
    refused([](Config::Ldap& o) { o.poolSize = 0; }, "pool_size");
    refused([](Config::Ldap& o) { o.nestedDepth = -1; }, "nested_depth");
    refused([](Config::Ldap& o) { o.disabledFlagAttribute = "userAccountControl"; },
            "disabled_flag_mask");
    refused([](Config::Ldap& o) { o.bindDn = "cn=authd,dc=x"; }, "bind_password_file");
    refused(
        [](Config::Ldap& o) {
          o.bindDn = "cn=authd,dc=x";
          o.bindPasswordFile = "/nonexistent/password";
        },
        "/nonexistent/password");
    refused([](Config::Ldap& o) { o.caFile = "/nonexistent/ca.pem"; }, "ca_file");
  }

  TEST_CASE("findUid answers from the local accounts") {
    auto ldap = make(validOptions());
    REQUIRE(ldap->findUid(1000));
    CHECK(ldap->findUid(1000)->name == "admin");
    CHECK_FALSE(ldap->findUid(1001));
  }

  TEST_CASE("an empty password is rejected without any network traffic") {
    FakeLdapServer server(FakeLdapServer::Mode::refuseStartTls);
    Config::Ldap options = validOptions();
    options.uris = {server.uri()};
    auto ldap = make(options);
    CHECK(ldap->checkPassword(someone(), "") == PasswordCheck::rejected);
    Account withoutDn = someone();
    withoutDn.dn.clear();
    CHECK(ldap->checkPassword(withoutDn, "secret") == PasswordCheck::rejected);
    CHECK(server.connections() == 0);
  }

  TEST_CASE("ldap:// without allow_plain never talks plain when StartTLS is refused") {
    FakeLdapServer server(FakeLdapServer::Mode::refuseStartTls);
    Config::Ldap options = validOptions();
    options.uris = {server.uri()};
    auto ldap = make(options);
    CHECK_THROWS_WITH_AS(ldap->findUser("alice"), doctest::Contains("no directory server answered"),
                         DirectoryError);
    CHECK_THROWS_AS(ldap->checkPassword(someone(), "secret"), DirectoryError);
    CHECK(server.startTlsRequests() >= 2);
    CHECK_FALSE(server.plainRequestSeen());
  }

  TEST_CASE("a server that never answers fails within the timeouts (StartTLS and ldaps)") {
    FakeLdapServer silent(FakeLdapServer::Mode::silent);
    std::string port = silent.uri().substr(silent.uri().rfind(':') + 1);
    for (const std::string& uri : {silent.uri(), "ldaps://127.0.0.1:" + port}) {
      CAPTURE(uri);
      Config::Ldap options = validOptions();
      options.uris = {uri};
      options.connectTimeoutMs = 300;
      options.timeoutMs = 500;
      auto ldap = make(options);
      auto start = Steady::now();
      CHECK_THROWS_AS(ldap->findUser("alice"), DirectoryError);
      CHECK_THROWS_AS(ldap->checkPassword(someone(), "secret"), DirectoryError);
      CHECK(millisecondsSince(start) < 4000);
    }
  }

  TEST_CASE("every server dead: DirectoryError, after asking each in turn") {
    FakeLdapServer silent(FakeLdapServer::Mode::silent);
    FakeLdapServer refusing(FakeLdapServer::Mode::refuseStartTls);
    Config::Ldap options = validOptions();
    options.uris = {refusing.uri(), silent.uri()};
    options.connectTimeoutMs = 300;
    options.timeoutMs = 500;
    auto ldap = make(options);
    auto start = Steady::now();
    std::string expected = refusing.uri() + ": Protocol error; " + silent.uri();
    CHECK_THROWS_WITH_AS(ldap->findUser("alice"), doctest::Contains(expected.c_str()),
                         DirectoryError);
    CHECK(millisecondsSince(start) < 3000);
    // All dead: the next call asks both again rather than giving up unasked.
    CHECK_THROWS_AS(ldap->findUser("alice"), DirectoryError);
    CHECK(refusing.connections() == 2);
  }
}
