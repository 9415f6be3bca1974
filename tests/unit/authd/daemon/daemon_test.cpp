#include "authd/daemon/daemon.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

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
}
