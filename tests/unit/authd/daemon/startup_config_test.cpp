#include "authd/daemon/startup_config.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "unit/authd/store/store_test_support.h"

using namespace authd;
using authd::test::TempDir;

namespace {

std::string writeConfig(const std::string& path, const std::string& issuer) {
  std::ofstream(path) << "[totp]\nissuer = \"" << issuer << "\"\n";
  return path;
}

}  // namespace

TEST_SUITE("startup config") {
  TEST_CASE("without --config the default file is read when it exists") {
    TempDir dir;
    const std::string defaultPath = writeConfig(dir.file("authd.toml"), "Stadt");
    std::string error;
    auto startup = loadStartupConfig("", defaultPath, &error);
    REQUIRE_MESSAGE(startup.has_value(), error);
    CHECK(startup->origin == defaultPath);
    CHECK(startup->config.totp.issuer == "Stadt");
  }

  TEST_CASE("without --config and without the default file the built-in defaults run") {
    TempDir dir;
    std::string error;
    auto startup = loadStartupConfig("", dir.file("authd.toml"), &error);
    REQUIRE_MESSAGE(startup.has_value(), error);
    CHECK(startup->origin == "built-in defaults");
    CHECK(startup->config.totp.issuer == Config{}.totp.issuer);
  }

  TEST_CASE("--config wins over the default file and must exist") {
    TempDir dir;
    const std::string defaultPath = writeConfig(dir.file("authd.toml"), "Default");
    const std::string other = writeConfig(dir.file("other.toml"), "Other");
    std::string error;
    auto startup = loadStartupConfig(other, defaultPath, &error);
    REQUIRE_MESSAGE(startup.has_value(), error);
    CHECK(startup->origin == other);
    CHECK(startup->config.totp.issuer == "Other");
    CHECK_FALSE(loadStartupConfig(dir.file("missing.toml"), defaultPath, &error).has_value());
    CHECK(error.find(dir.file("missing.toml") + ": cannot open") == 0);
  }

  TEST_CASE("a broken default file stops the start instead of falling back to the defaults") {
    TempDir dir;
    const std::string defaultPath = dir.file("authd.toml");
    std::ofstream(defaultPath) << "[totp]\nwindow = \"wide\"\n";
    std::string error;
    CHECK_FALSE(loadStartupConfig("", defaultPath, &error).has_value());
    CHECK(error.find(defaultPath) == 0);
    REQUIRE(::unlink(defaultPath.c_str()) == 0);
    REQUIRE(::symlink(dir.file("nowhere").c_str(), defaultPath.c_str()) == 0);  // dangling
    CHECK_FALSE(loadStartupConfig("", defaultPath, &error).has_value());
    CHECK(error.find(defaultPath + ": cannot open") == 0);
  }
}
