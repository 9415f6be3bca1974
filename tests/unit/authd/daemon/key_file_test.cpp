#include "authd/daemon/key_file.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "authd/base/secret_box.h"

using namespace authd;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/authd-keytest-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string path;
};

Random fixedRandom(unsigned char value) {
  return [value](unsigned char* out, std::size_t n) { std::memset(out, value, n); };
}

}  // namespace

TEST_CASE("creates a 0600 key on first start and reads the same key later") {
  TempDir dir;
  const std::string path = dir.path + "/secret.key";
  std::string error;
  auto first = loadOrCreateKeyFile(path, fixedRandom(0x42), &error);
  REQUIRE_MESSAGE(first.has_value(), error);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(st.st_size == 32);
  auto second = loadOrCreateKeyFile(path, fixedRandom(0x00), &error);
  REQUIRE(second.has_value());
  CHECK(std::memcmp(first->data(), second->data(), 32) == 0);
  CHECK(second->data()[0] == 0x42);
}

TEST_CASE("refuses a group- or world-readable key file") {
  TempDir dir;
  const std::string path = dir.path + "/secret.key";
  std::string error;
  REQUIRE(loadOrCreateKeyFile(path, fixedRandom(1), &error).has_value());
  for (mode_t mode : {0640, 0604, 0660, 0644}) {
    CAPTURE(mode);
    REQUIRE(::chmod(path.c_str(), mode) == 0);
    CHECK_FALSE(loadOrCreateKeyFile(path, fixedRandom(1), &error).has_value());
    CHECK(error.find("group or others") != std::string::npos);
  }
}

TEST_CASE("refuses a key file of the wrong size") {
  TempDir dir;
  const std::string path = dir.path + "/secret.key";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, "short", 5) == 5);
  ::close(fd);
  std::string error;
  CHECK_FALSE(loadOrCreateKeyFile(path, fixedRandom(1), &error).has_value());
  CHECK(error.find("exactly 32 bytes") != std::string::npos);
}

TEST_CASE("refuses a symlink in place of the key file") {
  TempDir dir;
  const std::string real = dir.path + "/real.key";
  const std::string link = dir.path + "/secret.key";
  std::string error;
  REQUIRE(loadOrCreateKeyFile(real, fixedRandom(1), &error).has_value());
  fs::create_symlink(real, link);
  CHECK_FALSE(loadOrCreateKeyFile(link, fixedRandom(1), &error).has_value());
}
