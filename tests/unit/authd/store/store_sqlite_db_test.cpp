#include "authd/store/store_sqlite_db.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "unit/authd/store/store_test_support.h"

using namespace authd;
using authd::test::TempDir;

namespace {

std::string contentOf(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_SUITE("store") {
  TEST_CASE("a database path that is a symlink is refused, its target left untouched") {
    TempDir dir;
    const std::string target = dir.file("elsewhere");
    const std::string path = dir.file("authd.db");
    std::ofstream(target) << "someone's file";
    REQUIRE(::chmod(target.c_str(), 0644) == 0);
    REQUIRE(::symlink(target.c_str(), path.c_str()) == 0);
    CHECK_THROWS_WITH_AS(prepareDatabaseFile(path), doctest::Contains("symbolic link"), StoreError);
    struct stat st {};
    REQUIRE(::stat(target.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);  // not tightened through the link
    CHECK_THROWS_AS(SqliteDb(path, SQLITE_OPEN_READWRITE, 100), StoreError);
    CHECK_THROWS_AS(SqliteDb(path, SQLITE_OPEN_READONLY, 100), StoreError);
    CHECK(contentOf(target) == "someone's file");
  }

  TEST_CASE("a dangling symlink is not followed to create a database elsewhere") {
    TempDir dir;
    const std::string target = dir.file("created-elsewhere");
    const std::string path = dir.file("authd.db");
    REQUIRE(::symlink(target.c_str(), path.c_str()) == 0);
    CHECK_THROWS_AS(prepareDatabaseFile(path), StoreError);
    CHECK_THROWS_AS(SqliteDb(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 100), StoreError);
    struct stat st {};
    CHECK(::stat(target.c_str(), &st) != 0);
  }

  TEST_CASE("a database path that is not a regular file is refused") {
    TempDir dir;
    const std::string fifo = dir.file("authd.db");
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK_THROWS_WITH_AS(prepareDatabaseFile(fifo), doctest::Contains("not a regular file"),
                         StoreError);
  }

  TEST_CASE("a regular database file is created private") {
    TempDir dir;
    const std::string path = dir.file("authd.db");
    prepareDatabaseFile(path);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    SqliteDb db(path, SQLITE_OPEN_READWRITE, 100);
    CHECK(db.scalar("PRAGMA user_version") == 0);
  }
}
