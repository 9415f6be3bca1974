#include "authd/agent/offline_cache.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "authd/daemon/offline_key.h"

using namespace authd;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;

struct CacheDir {
  CacheDir() {
    char tmpl[] = "/tmp/authd-offline-cache-XXXXXX";
    path = ::mkdtemp(tmpl);
    std::ofstream(path + "/authd.pub") << offlinePublicKeyPem(key.get());
  }
  ~CacheDir() { std::filesystem::remove_all(path); }
  OfflineCache open(const std::string& device = "nb-017") {
    return OfflineCache(path + "/offline", path + "/authd.pub", device);
  }
  std::string sign(offline::OfflineEntry e) { return offline::signEntry(e, key.get()).value(); }

  std::string path;
  OfflineSigningKey key{EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")};
};

offline::OfflineEntry entryOf(const std::string& user, const std::string& device = "nb-017") {
  offline::OfflineEntry e;
  e.user = user;
  e.owner = "nss:" + user;
  e.device = device;
  e.rpId = "mfa.example.org";
  e.issuedAt = kNow - 60;
  e.expiresAt = kNow + 86400;
  e.keys.push_back({{1, 2, 3}, {0xa5, 1, 2}, -7, 10, 4});
  return e;
}

int modeOf(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return static_cast<int>(st.st_mode & 0777);
}

}  // namespace

TEST_CASE("offline cache: keeps a valid entry privately and reads it back") {
  CacheDir dir;
  OfflineCache cache = dir.open();
  std::string why;
  REQUIRE_MESSAGE(cache.keep(dir.sign(entryOf("alice")), kNow, &why), why);
  CHECK(modeOf(dir.path + "/offline") == 0700);
  for (const auto& file : std::filesystem::directory_iterator(dir.path + "/offline")) {
    CHECK(modeOf(file.path().string()) == 0600);
  }
  auto check = cache.entryOf("alice", kNow);
  REQUIRE(check);
  REQUIRE(check->entry);
  CHECK(check->entry->keys[0].credentialRow == 4);
  CHECK_FALSE(cache.entryOf("bob", kNow).has_value());
  CHECK(cache.entryOf("alice", kNow + 86400)->refusal == offline::Refusal::expired);
}

TEST_CASE("offline cache: refuses what this device may not keep") {
  CacheDir dir;
  OfflineCache cache = dir.open();
  std::string why;
  CHECK_FALSE(cache.keep(dir.sign(entryOf("alice", "nb-018")), kNow, &why));
  CHECK(why == "offline_entry_other_device");
  CHECK_FALSE(cache.keep(dir.sign(entryOf("alice")), kNow + 86400, &why));
  CHECK(why == "offline_entry_expired");
  CacheDir stranger;
  CHECK_FALSE(cache.keep(stranger.sign(entryOf("alice")), kNow, &why));
  CHECK(why == "offline_entry_bad_signature");
  CHECK(cache.held().empty());
}

TEST_CASE("offline cache: counters only rise, logons wait to be reported") {
  CacheDir dir;
  OfflineCache cache = dir.open();
  std::string why;
  const offline::OfflineEntry e = entryOf("alice");
  REQUIRE(cache.keep(dir.sign(e), kNow, &why));
  CHECK(cache.knownCount("alice", e.keys[0]) == 10);
  REQUIRE(cache.recordLogon("alice", {kNow, e.keys[0].credentialId, 12}));
  CHECK(cache.knownCount("alice", e.keys[0]) == 12);
  REQUIRE(cache.recordLogon("alice", {kNow + 1, e.keys[0].credentialId, 11}));
  CHECK(cache.knownCount("alice", e.keys[0]) == 12);  // a lower one never lowers it
  auto pending = cache.unreported();
  REQUIRE(pending.size() == 2);
  CHECK(pending[0].user == "alice");
  cache.forgetReported({pending[0]});
  REQUIRE(cache.unreported().size() == 1);
  CHECK(cache.unreported()[0].logon.count == 11);
  // A new entry from authd with an older counter keeps what the device has seen.
  REQUIRE(cache.keep(dir.sign(e), kNow, &why));
  CHECK(cache.knownCount("alice", e.keys[0]) == 12);
}

TEST_CASE("offline cache: drops an entry only when it is the one authd withdrew") {
  CacheDir dir;
  OfflineCache cache = dir.open();
  std::string why;
  const offline::OfflineEntry e = entryOf("alice");
  REQUIRE(cache.keep(dir.sign(e), kNow, &why));
  auto held = cache.held();
  REQUIRE(held.size() == 1);
  CHECK(held[0].user == "alice");
  CHECK(held[0].issued == e.issuedAt);
  cache.drop("alice", e.issuedAt - 5);  // replaced since: stays
  CHECK(cache.held().size() == 1);
  cache.drop("alice", e.issuedAt);
  CHECK(cache.held().empty());
  CHECK_FALSE(cache.entryOf("alice", kNow).has_value());
}

TEST_CASE("offline cache: files others could change are not used; a bad key file stops start") {
  CacheDir dir;
  OfflineCache cache = dir.open();
  std::string why;
  REQUIRE(cache.keep(dir.sign(entryOf("alice")), kNow, &why));
  for (const auto& file : std::filesystem::directory_iterator(dir.path + "/offline")) {
    ::chmod(file.path().c_str(), 0644);
  }
  CHECK_FALSE(cache.entryOf("alice", kNow).has_value());
  std::ofstream(dir.path + "/bad.pub") << "not a key";
  CHECK_THROWS_AS(OfflineCache(dir.path + "/offline2", dir.path + "/bad.pub", "nb-017"),
                  std::runtime_error);
}
