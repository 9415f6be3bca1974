#include "authd/daemon/offline_key.h"

#include <doctest/doctest.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <filesystem>
#include <memory>

#include "authd/offline_entry.h"

using namespace authd;

namespace {

struct TempDir {
  TempDir() {
    char name[] = "/tmp/authd-offline-key-XXXXXX";
    path = ::mkdtemp(name);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string path;
};

OfflineSigningKey publicFromPem(const std::string& pem) {
  std::unique_ptr<BIO, void (*)(BIO*)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free_all);
  return OfflineSigningKey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
}

offline::OfflineEntry entry() {
  offline::OfflineEntry e;
  e.user = "alice";
  e.owner = "nss:20001";
  e.device = "nb-017";
  e.rpId = "authd.example";
  e.issuedAt = 1'800'000'000;
  e.expiresAt = e.issuedAt + 14 * 86400;
  e.keys.push_back({{1, 2, 3}, {0xa5, 1, 2}, -7, 5, 1});
  return e;
}

}  // namespace

TEST_CASE("offline_key: created once with the sealing key's rules, the same key afterwards") {
  TempDir dir;
  const std::string path = dir.path + "/offline.key";
  std::string error;
  auto first = loadOrCreateOfflineKey(path, systemRandom(), &error);
  REQUIRE_MESSAGE(first, error);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(st.st_size == 32);
  auto again = loadOrCreateOfflineKey(path, systemRandom(), &error);
  REQUIRE_MESSAGE(again, error);
  const std::string pem = offlinePublicKeyPem(first->get());
  CHECK(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
  CHECK(offlinePublicKeyPem(again->get()) == pem);
  CHECK(pem.find("PRIVATE") == std::string::npos);
}

TEST_CASE("offline_key: what it signs, the printed public key verifies; another key does not") {
  TempDir dir;
  std::string error;
  auto key = loadOrCreateOfflineKey(dir.path + "/offline.key", systemRandom(), &error);
  REQUIRE_MESSAGE(key, error);
  auto other = loadOrCreateOfflineKey(dir.path + "/other.key", systemRandom(), &error);
  REQUIRE_MESSAGE(other, error);
  const std::string line = offline::signEntry(entry(), key->get()).value();
  const auto verifier = publicFromPem(offlinePublicKeyPem(key->get()));
  const auto stranger = publicFromPem(offlinePublicKeyPem(other->get()));
  CHECK(offline::readEntry(line, verifier.get(), "nb-017", 1'800'000'100).refusal ==
        offline::Refusal::none);
  CHECK(offline::readEntry(line, stranger.get(), "nb-017", 1'800'000'100).refusal ==
        offline::Refusal::badSignature);
}

TEST_CASE("offline_key: a key file others may read is refused") {
  TempDir dir;
  const std::string path = dir.path + "/offline.key";
  std::string error;
  REQUIRE(loadOrCreateOfflineKey(path, systemRandom(), &error));
  REQUIRE(::chmod(path.c_str(), 0640) == 0);
  CHECK_FALSE(loadOrCreateOfflineKey(path, systemRandom(), &error));
  CHECK(error.find("accessible by group or others") != std::string::npos);
}
