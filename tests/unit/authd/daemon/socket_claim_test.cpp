#include "authd/daemon/socket_claim.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>

#include "unit/authd/store/store_test_support.h"

using namespace authd;
using authd::test::TempDir;

namespace {

sockaddr_un addressOf(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

// A socket bound at `path` by someone else; listening unless `listen` is false.
UniqueFd foreignSocket(const std::string& path, bool listen) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address = addressOf(path);
  REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  if (listen) REQUIRE(::listen(fd.get(), 4) == 0);
  return fd;
}

bool connects(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address = addressOf(path);
  return ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
}

ino_t inodeOf(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_ino;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

TEST_SUITE("socket claim") {
  TEST_CASE("binds a listening socket with the configured mode and removes it at exit") {
    TempDir dir;
    const std::string path = dir.file("authd.sock");
    for (int mode : {0666, 0660, 0600}) {
      CAPTURE(mode);
      {
        SocketClaim claim(path, mode);
        UniqueFd listening(claim.releaseListeningSocket());
        struct stat st {};
        REQUIRE(::lstat(path.c_str(), &st) == 0);
        CHECK(S_ISSOCK(st.st_mode));
        CHECK((st.st_mode & 0777) == static_cast<mode_t>(mode));
        CHECK(connects(path));
      }
      CHECK_FALSE(exists(path));
    }
  }

  TEST_CASE("the caller's umask is restored after bind") {
    TempDir dir;
    const mode_t before = ::umask(0027);
    { SocketClaim claim(dir.file("authd.sock"), 0666); }
    CHECK(::umask(before) == 0027);
  }

  TEST_CASE("a second instance on the same socket is refused while the first holds the lock") {
    TempDir dir;
    const std::string path = dir.file("authd.sock");
    SocketClaim first(path, 0666);
    UniqueFd listening(first.releaseListeningSocket());
    const ino_t live = inodeOf(path);
    CHECK_THROWS_WITH_AS(SocketClaim(path, 0666),
                         doctest::Contains("another authd serves this socket"), std::runtime_error);
    CHECK(inodeOf(path) == live);  // the refused instance left the live socket alone
    CHECK(connects(path));
  }

  TEST_CASE("a socket someone answers on is not replaced, even without the lock") {
    TempDir dir;
    const std::string path = dir.file("authd.sock");
    UniqueFd other = foreignSocket(path, true);
    CHECK_THROWS_WITH_AS(SocketClaim(path, 0666), doctest::Contains("another process answers"),
                         std::runtime_error);
    CHECK(connects(path));
  }

  TEST_CASE("a stale socket nobody answers on is replaced") {
    TempDir dir;
    const std::string path = dir.file("authd.sock");
    { UniqueFd crashed = foreignSocket(path, true); }  // closed: the file stays, nobody listens
    REQUIRE(exists(path));
    SocketClaim claim(path, 0666);
    UniqueFd listening(claim.releaseListeningSocket());
    CHECK(connects(path));
  }

  TEST_CASE("a path holding a regular file, a directory or a symlink is refused and kept") {
    TempDir dir;
    const std::string path = dir.file("authd.sock");
    std::ofstream(path) << "not a socket";
    CHECK_THROWS_WITH_AS(SocketClaim(path, 0666), doctest::Contains("is not a socket"),
                         std::runtime_error);
    CHECK(exists(path));
    REQUIRE(::unlink(path.c_str()) == 0);
    REQUIRE(::mkdir(path.c_str(), 0700) == 0);
    CHECK_THROWS_WITH_AS(SocketClaim(path, 0666), doctest::Contains("is not a socket"),
                         std::runtime_error);
    REQUIRE(::rmdir(path.c_str()) == 0);
    REQUIRE(::symlink(dir.file("elsewhere").c_str(), path.c_str()) == 0);
    CHECK_THROWS_WITH_AS(SocketClaim(path, 0666), doctest::Contains("is not a socket"),
                         std::runtime_error);
    CHECK(exists(path));
  }

  TEST_CASE("at exit a socket that replaced ours at the path is left alone") {
    TempDir dir;
    const std::string path = dir.file("authd.sock");
    std::optional<UniqueFd> other;
    {
      SocketClaim claim(path, 0666);
      UniqueFd listening(claim.releaseListeningSocket());
      REQUIRE(::unlink(path.c_str()) == 0);
      other.emplace(foreignSocket(path, true));
    }
    CHECK(exists(path));
    CHECK(connects(path));
  }

  TEST_CASE("a lock file that is a symlink is refused") {
    TempDir dir;
    const std::string path = dir.file("authd.sock");
    const std::string target = dir.file("target");
    REQUIRE(::symlink(target.c_str(), SocketClaim::lockPathFor(path).c_str()) == 0);
    CHECK_THROWS_WITH_AS(SocketClaim(path, 0666), doctest::Contains("cannot open lock file"),
                         std::runtime_error);
    CHECK_FALSE(exists(target));
  }

  TEST_CASE("a path too long for a Unix socket is refused before anything is created") {
    TempDir dir;
    const std::string path = dir.file(std::string(120, 'x'));
    CHECK_THROWS_WITH_AS(SocketClaim(path, 0666), doctest::Contains("1 to 107 bytes"),
                         std::runtime_error);
  }
}
