#include "authd/base/secret_file.h"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>

using namespace authd;

namespace {

std::string tempFile(const std::string& content) {
  char name[] = "/tmp/authd-secret-file-XXXXXX";
  int fd = ::mkstemp(name);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::ofstream(name, std::ios::binary) << content;
  return name;
}

}  // namespace

TEST_CASE("secret_file: the whole content, with the purpose and path in every refusal") {
  const std::string path = tempFile("-----BEGIN PRIVATE KEY-----\nx\n");
  REQUIRE(::chmod(path.c_str(), 0600) == 0);
  const SecretBytes content = readSecretFile(path, "TLS key file");
  CHECK(std::string(reinterpret_cast<const char*>(content.data()), content.size()) ==
        "-----BEGIN PRIVATE KEY-----\nx\n");
  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  const std::string expected = "TLS key file " + path + ": other users may access it";
  CHECK_THROWS_WITH_AS(readSecretFile(path, "TLS key file"), doctest::Contains(expected.c_str()),
                       std::runtime_error);
  ::unlink(path.c_str());
}

TEST_CASE("secret_file: a symbolic link is refused, not followed") {
  const std::string target = tempFile("s3cret");
  REQUIRE(::chmod(target.c_str(), 0600) == 0);
  const std::string link = target + ".link";
  REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
  CHECK_THROWS_AS(readSecretFile(link, "TLS key file"), std::runtime_error);
  CHECK_NOTHROW(readSecretFile(target, "TLS key file"));
  ::unlink(link.c_str());
  ::unlink(target.c_str());
}

TEST_CASE("secret_file: larger than 64 KiB is refused") {
  const std::string path = tempFile(std::string(64 * 1024 + 1, 'k'));
  REQUIRE(::chmod(path.c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(readSecretFile(path, "TLS key file"),
                       doctest::Contains("larger than 64 KiB"), std::runtime_error);
  ::unlink(path.c_str());
}

TEST_CASE("secret_file: the first line without LF or CRLF, an empty one refused") {
  const std::pair<const char*, const char*> lines[] = {
      {"s3cret", "s3cret"},
      {"s3cret\n", "s3cret"},
      {"s3cret\r\nsecond line\n", "s3cret"},
      {" spaces kept \n", " spaces kept "},
      {"inner\rCR kept\n", "inner\rCR kept"},
  };
  for (const auto& [content, expected] : lines) {
    CAPTURE(content);
    const std::string path = tempFile(content);
    const SecretBytes line = readSecretFirstLine(path, "shared secret");
    CHECK(std::string(reinterpret_cast<const char*>(line.data()), line.size()) == expected);
    ::unlink(path.c_str());
  }
  for (const char* empty : {"", "\n", "\r\n", "\nsecond"}) {
    CAPTURE(empty);
    const std::string path = tempFile(empty);
    const std::string expected = "shared secret " + path + ": the first line is empty";
    CHECK_THROWS_WITH_AS(readSecretFirstLine(path, "shared secret"), expected.c_str(),
                         std::runtime_error);
    ::unlink(path.c_str());
  }
}

TEST_CASE("secret_file: the first line obeys the file rules too") {
  const std::string path = tempFile("s3cret\n");
  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  const std::string expected = "shared secret " + path + ": other users may access it";
  CHECK_THROWS_WITH_AS(readSecretFirstLine(path, "shared secret"),
                       doctest::Contains(expected.c_str()), std::runtime_error);
  ::unlink(path.c_str());
}
