#include "authd/daemon/daemon.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "unit/authd/store/store_test_support.h"

using namespace authd;
using authd::test::TempDir;

namespace {

Config configIn(const std::string& socketDir, const std::string& stateDir) {
  Config config;
  config.server.socket = socketDir + "/authd.sock";
  config.store.database = stateDir + "/authd.db";
  config.store.keyFile = stateDir + "/secret.key";
  return config;
}

// A config with RADIUS on and one client whose secret file holds `secret` with `mode`.
Config radiusConfig(const TempDir& dir, const std::string& secret, mode_t mode) {
  const std::string state = dir.file("state");
  ::mkdir(state.c_str(), 0700);
  Config config = configIn(state, state);
  const std::string secretFile = dir.file("vpn-1.secret");
  std::ofstream(secretFile, std::ios::trunc) << secret << "\n";
  REQUIRE(::chmod(secretFile.c_str(), mode) == 0);
  config.radius.listen = {"127.0.0.1:1812"};
  Config::Radius::Client client;
  client.name = "vpn-1";
  client.address = "192.0.2.10";
  client.secretFile = secretFile;
  config.radius.clients.push_back(client);
  return config;
}

}  // namespace

TEST_SUITE("daemon") {
  TEST_CASE("--check-config refuses a socket, database or key directory others can write") {
    TempDir dir;
    const std::string good = dir.file("good");
    const std::string open = dir.file("open");
    REQUIRE(::mkdir(good.c_str(), 0700) == 0);
    REQUIRE(::mkdir(open.c_str(), 0700) == 0);
    REQUIRE(::chmod(open.c_str(), 0777) == 0);
    CHECK(checkStartupFiles(configIn(good, good)) == "");
    CHECK(checkStartupFiles(configIn(open, good)).find("server.socket " + open) == 0);
    CHECK(checkStartupFiles(configIn(good, open)).find("store.database " + open) == 0);
    Config keyElsewhere = configIn(good, good);
    keyElsewhere.store.keyFile = open + "/secret.key";
    CHECK(checkStartupFiles(keyElsewhere).find("store.key_file " + open) == 0);
  }

  TEST_CASE("--check-config reads the RADIUS clients' secret files when RADIUS is on") {
    TempDir dir;
    const std::string path = dir.file("vpn-1.secret");
    CHECK(checkStartupFiles(radiusConfig(dir, "a-long-shared-secret", 0600)) == "");
    CHECK(checkStartupFiles(radiusConfig(dir, "too-short", 0600)) ==
          "radius.clients vpn-1: shared secret in " + path + " is shorter than 16 characters");
    CHECK(checkStartupFiles(radiusConfig(dir, "a-long-shared-secret", 0644))
              .find("radius.clients vpn-1: secret_file " + path + ": other users may access it") ==
          0);
    Config off = radiusConfig(dir, "too-short", 0644);
    off.radius.listen.clear();
    CHECK(checkStartupFiles(off) == "");  // off: start reads no secret, nor does the check
    off.radius.accountingListen = {"127.0.0.1:1813"};
    CHECK(checkStartupFiles(off) != "");
  }
}
