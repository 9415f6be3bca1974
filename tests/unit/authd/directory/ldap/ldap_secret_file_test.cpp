#include "authd/directory/ldap/ldap_secret_file.h"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

using namespace authd;

namespace {

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/authd-ldap-secret-XXXXXX";
    int fd = ::mkstemp(name);
    REQUIRE(fd >= 0);
    ::close(fd);
    path_ = name;
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string text(const SecretBytes& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

}  // namespace

TEST_SUITE("ldap") {
  TEST_CASE("the password is the first line, without LF or CRLF") {
    CHECK(text(readSecretFirstLine(TempFile("s3cret").path())) == "s3cret");
    CHECK(text(readSecretFirstLine(TempFile("s3cret\n").path())) == "s3cret");
    CHECK(text(readSecretFirstLine(TempFile("s3cret\r\nsecond line\n").path())) == "s3cret");
    CHECK(text(readSecretFirstLine(TempFile(" spaces kept \n").path())) == " spaces kept ");
  }

  TEST_CASE("an empty first line, a missing file or a directory is refused") {
    CHECK_THROWS_AS(readSecretFirstLine(TempFile("").path()), std::runtime_error);
    CHECK_THROWS_AS(readSecretFirstLine(TempFile("\nsecond").path()), std::runtime_error);
    CHECK_THROWS_AS(readSecretFirstLine("/nonexistent/authd/password"), std::runtime_error);
    CHECK_THROWS_AS(readSecretFirstLine("/tmp"), std::runtime_error);
  }

  TEST_CASE("a file other users may read or write is refused, group access is the admin's call") {
    TempFile file("s3cret\n");
    for (mode_t mode : {0604, 0602, 0601, 0644, 0666}) {
      CAPTURE(mode);
      REQUIRE(::chmod(file.path().c_str(), mode) == 0);
      CHECK_THROWS_WITH_AS(readSecretFirstLine(file.path()),
                           doctest::Contains("other users may access it"), std::runtime_error);
    }
    REQUIRE(::chmod(file.path().c_str(), 0640) == 0);
    CHECK(text(readSecretFirstLine(file.path())) == "s3cret");
  }

  TEST_CASE("a file owned by anyone but root or authd's user is refused") {
    if (::geteuid() != 0) {
      MESSAGE("skipped: chown to another uid needs root");
      return;
    }
    TempFile file("s3cret\n");
    REQUIRE(::chmod(file.path().c_str(), 0600) == 0);
    REQUIRE(::chown(file.path().c_str(), 65534, 0) == 0);
    CHECK_THROWS_WITH_AS(readSecretFirstLine(file.path()), doctest::Contains("owned by uid 65534"),
                         std::runtime_error);
    REQUIRE(::chown(file.path().c_str(), 0, 65534) == 0);  // the group is the admin's call
    CHECK(text(readSecretFirstLine(file.path())) == "s3cret");
  }

  TEST_CASE("a huge file is refused") {
    CHECK_THROWS_AS(readSecretFirstLine(TempFile(std::string(70000, 'x')).path()),
                    std::runtime_error);
  }
}
