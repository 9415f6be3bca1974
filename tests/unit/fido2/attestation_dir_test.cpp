#include "fido2/attestation_dir.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "fido2/attestation_certs.h"

using namespace authd::testing;

namespace {

struct Dir {
  std::filesystem::path path;
  Dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "soft-pki-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~Dir() { std::filesystem::remove_all(path); }
};

const std::array<uint8_t, 16> kAaguid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

}  // namespace

TEST_CASE("one CA per directory, one attestation certificate per key, reloaded as stored") {
  Dir dir;
  const AttestationIdentity a = loadOrCreateAttestation(dir.path, "a", kAaguid);
  const AttestationIdentity b = loadOrCreateAttestation(dir.path, "b", kAaguid);
  CHECK(a.x5c != b.x5c);
  CHECK(loadOrCreateAttestation(dir.path, "a", kAaguid).x5c == a.x5c);
  std::ifstream caFile(dir.path / "ca.pem");
  const std::string caPem((std::istreambuf_iterator<char>(caFile)), {});
  REQUIRE(certificateDerFromPem(caPem));
  const auto keyPerms = std::filesystem::status(dir.path / "ca.key").permissions();
  CHECK((keyPerms & std::filesystem::perms::others_all) == std::filesystem::perms::none);
}

TEST_CASE("a certificate without its key, or garbage, is an error") {
  Dir dir;
  loadOrCreateAttestation(dir.path, "a", kAaguid);
  std::filesystem::remove(dir.path / "a-attestation.key");
  CHECK_THROWS_AS(loadOrCreateAttestation(dir.path, "a", kAaguid), std::runtime_error);
  std::ofstream(dir.path / "ca.pem") << "garbage";
  CHECK_THROWS_AS(loadOrCreateAttestation(dir.path, "b", kAaguid), std::runtime_error);
}
