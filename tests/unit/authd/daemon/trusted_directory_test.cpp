#include "authd/daemon/trusted_directory.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "unit/authd/store/store_test_support.h"

using namespace authd;
using authd::test::TempDir;

namespace {

constexpr uid_t kNobody = 65534;

std::string makeDir(const std::string& path, mode_t mode) {
  REQUIRE(::mkdir(path.c_str(), 0700) == 0);
  REQUIRE(::chmod(path.c_str(), mode) == 0);  // chmod: mkdir's mode passes through the umask
  return path;
}

}  // namespace

TEST_SUITE("trusted directory") {
  TEST_CASE("a private directory of authd's user, under sticky /tmp, is trusted") {
    TempDir dir;  // mkdtemp: 0700, ours, in /tmp (1777)
    CHECK(untrustedParent(dir.file("authd.sock")) == "");
    CHECK(untrustedParent("/run/authd/authd.sock") == "");  // missing: created under /run
  }

  TEST_CASE("a parent writable by group or others is refused, even when sticky") {
    TempDir dir;
    for (mode_t mode : {0770, 0707, 0775, 01777}) {
      CAPTURE(mode);
      const std::string parent = makeDir(dir.file("state"), mode);
      std::string problem = untrustedParent(parent + "/authd.db");
      CHECK(problem.find(parent + ": writable by group or others") == 0);
      REQUIRE(::rmdir(parent.c_str()) == 0);
    }
  }

  TEST_CASE("a missing parent is judged by the directory it would be created in") {
    TempDir dir;
    const std::string shared = makeDir(dir.file("shared"), 01777);
    CHECK(untrustedParent(shared + "/authd-try/authd.sock").find(shared + ": writable") == 0);
    const std::string own = makeDir(dir.file("own"), 0755);
    CHECK(untrustedParent(own + "/a/b/authd.sock") == "");
  }

  TEST_CASE("a directory above the parent that others can write is refused unless sticky") {
    TempDir dir;
    const std::string open = makeDir(dir.file("open"), 0777);
    const std::string parent = makeDir(open + "/state", 0700);
    CHECK(untrustedParent(parent + "/secret.key").find(open + ": writable") == 0);
    REQUIRE(::chmod(open.c_str(), 01777) == 0);
    CHECK(untrustedParent(parent + "/secret.key") == "");
  }

  TEST_CASE("a symlinked parent is judged by where it leads as well") {
    TempDir dir;
    const std::string open = makeDir(dir.file("open"), 0777);
    const std::string target = makeDir(open + "/state", 0700);
    const std::string link = dir.file("link");
    REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
    CHECK(untrustedParent(link + "/authd.db").find(open + ": writable") == 0);
  }

  TEST_CASE("a parent or ancestor owned by another user is refused") {
    if (::geteuid() != 0) {
      MESSAGE("skipped: chown to another uid needs root");
      return;
    }
    TempDir dir;
    const std::string parent = makeDir(dir.file("state"), 0700);
    REQUIRE(::chown(parent.c_str(), kNobody, kNobody) == 0);
    CHECK(untrustedParent(parent + "/authd.db").find(parent + ": owned by uid 65534") == 0);
    const std::string inner = makeDir(parent + "/inner", 0700);
    REQUIRE(::chown(inner.c_str(), 0, 0) == 0);
    CHECK(untrustedParent(inner + "/authd.db").find(parent + ": owned by uid 65534") == 0);
  }

  TEST_CASE("a parent that is not a directory is refused") {
    TempDir dir;
    const std::string file = dir.file("file");
    REQUIRE(::close(::creat(file.c_str(), 0600)) == 0);
    CHECK(untrustedParent(file + "/authd.sock") != "");
  }
}
