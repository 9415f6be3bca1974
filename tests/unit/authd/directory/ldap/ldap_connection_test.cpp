// LdapConnection without a directory server: TLS settings stay on the handle, failures to
// connect are server failures. Connections to a real slapd: ldap_directory_slapd_test.cpp.

#include "authd/directory/ldap/ldap_connection.h"

#include <doctest/doctest.h>

#include <fstream>
#include <memory>
#include <string>

#include "fake_ldap_server.h"

using namespace authd;
using authd::testing::FakeLdapServer;

namespace {

struct GlobalTlsOptions {
  int requireCert = -1;
  std::string caFile;
  static GlobalTlsOptions now() {
    GlobalTlsOptions options;
    ldap_get_option(nullptr, LDAP_OPT_X_TLS_REQUIRE_CERT, &options.requireCert);
    char* file = nullptr;
    ldap_get_option(nullptr, LDAP_OPT_X_TLS_CACERTFILE, &file);
    if (file != nullptr) {
      options.caFile = file;
      ldap_memfree(file);
    }
    return options;
  }
};

LdapConnectionOptions fastOptions() {
  LdapConnectionOptions options;
  options.connectTimeoutMs = 300;
  options.timeoutMs = 500;
  return options;
}

}  // namespace

TEST_SUITE("ldap") {
  TEST_CASE("connection: TLS settings stay on the handle, never in libldap's global defaults") {
    std::string path = "/tmp/authd-ldap-not-a-ca-" + std::to_string(::getpid()) + ".pem";
    std::ofstream(path) << "not a certificate\n";
    GlobalTlsOptions before = GlobalTlsOptions::now();
    LdapConnectionOptions options = fastOptions();
    options.caFile = path;
    FakeLdapServer server(FakeLdapServer::Mode::refuseStartTls);
    CHECK_THROWS_AS(LdapConnection::open(server.uri(), options), LdapFailure);
    GlobalTlsOptions after = GlobalTlsOptions::now();
    CHECK(after.requireCert == before.requireCert);
    CHECK(after.caFile == before.caFile);
    ::unlink(path.c_str());
  }

  TEST_CASE("connection: nothing listening, or no TLS, is a server failure") {
    for (bool plain : {false, true}) {
      LdapConnectionOptions options = fastOptions();
      options.allowPlain = plain;
      try {
        LdapConnection::open(authd::testing::refusedLdapUri(), options);
        FAIL("connected to a closed port");
      } catch (const LdapFailure& failure) {
        CHECK(failure.serverFailure());
      }
    }
    FakeLdapServer silent(FakeLdapServer::Mode::silent);
    std::string port = silent.uri().substr(silent.uri().rfind(':') + 1);
    try {
      LdapConnection::open("ldaps://127.0.0.1:" + port, fastOptions());
      FAIL("a TLS handshake with a silent server succeeded");
    } catch (const LdapFailure& failure) {
      CHECK(failure.serverFailure());
    }
  }
}
