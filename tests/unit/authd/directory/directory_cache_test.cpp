#include "authd/directory/directory_cache.h"

#include <doctest/doctest.h>

#include <atomic>

using namespace authd;

namespace {

Account alice() {
  Account a;
  a.name = "alice";
  a.uid = 1000;
  a.id = "nss:1000";
  a.groups = {"staff"};
  return a;
}

// Counts lookups; knows "alice" only (disabled when *disabled); can be told to fail.
class CountingDirectory final : public Directory {
 public:
  CountingDirectory(int* calls, bool* failing, bool* disabled = nullptr)
      : calls_(calls), failing_(failing), disabled_(disabled) {}
  std::optional<Account> findUser(const std::string& name) override {
    ++*calls_;
    if (*failing_) throw DirectoryError("down");
    if (name != "alice") return std::nullopt;
    Account account = alice();
    account.disabled = disabled_ != nullptr && *disabled_;
    return account;
  }
  std::optional<Account> findUid(uid_t uid) override {
    ++*calls_;
    if (uid == 1000) return alice();
    return std::nullopt;
  }
  PasswordCheck checkPassword(const Account&, std::string_view password) override {
    ++*calls_;
    return password == "right" ? PasswordCheck::accepted : PasswordCheck::rejected;
  }

 private:
  int* calls_;
  bool* failing_;
  bool* disabled_;
};

struct Fixture {
  int calls = 0;
  bool failing = false;
  bool disabled = false;
  std::int64_t now = 1000;
  std::unique_ptr<Directory> cache =
      makeCachingDirectory(std::make_unique<CountingDirectory>(&calls, &failing, &disabled),
                           [this] { return now; }, {60, 60, 3});
};

}  // namespace

TEST_CASE("answers are reused until they expire") {
  Fixture f;
  CHECK(f.cache->findUser("alice")->uid == 1000);
  CHECK(f.cache->findUser("alice")->groups == std::vector<std::string>{"staff"});
  CHECK(f.calls == 1);
  f.now += 59;
  CHECK(f.cache->findUser("alice").has_value());
  CHECK(f.calls == 1);
  f.now += 1;
  CHECK(f.cache->findUser("alice").has_value());
  CHECK(f.calls == 2);
}

TEST_CASE("an account disabled in the directory is refused at the latest after the TTL") {
  Fixture f;
  CHECK_FALSE(f.cache->findUser("alice")->disabled);
  f.disabled = true;  // the admin disables alice right after her lookup
  f.now += 59;
  CHECK_FALSE(f.cache->findUser("alice")->disabled);  // still the cached answer
  f.now += 1;
  CHECK(f.cache->findUser("alice")->disabled);  // cache_ttl seconds later: disabled
}

TEST_CASE("unknown accounts are cached like known ones") {
  Fixture f;
  CHECK_FALSE(f.cache->findUser("mallory").has_value());
  CHECK_FALSE(f.cache->findUser("mallory").has_value());
  CHECK(f.calls == 1);
}

TEST_CASE("errors are not cached") {
  Fixture f;
  f.failing = true;
  CHECK_THROWS_AS(f.cache->findUser("alice"), DirectoryError);
  f.failing = false;
  CHECK(f.cache->findUser("alice").has_value());
  CHECK(f.calls == 2);
}

TEST_CASE("uid lookups are cached separately and the cache is bounded") {
  Fixture f;
  CHECK(f.cache->findUid(1000)->name == "alice");
  CHECK(f.cache->findUid(1000).has_value());
  CHECK(f.calls == 1);
  for (const char* n : {"a", "b", "c", "d"}) f.cache->findUser(n);  // exceeds 3 entries
  CHECK(f.calls == 5);
  f.cache->findUser("a");  // the least recently used name made room for "d"
  CHECK(f.calls == 6);
  CHECK(f.cache->findUid(1000).has_value());  // the uid map has its own room
  CHECK(f.calls == 6);
}

TEST_CASE("a full cache evicts the least recently used entry, not everything") {
  Fixture f;  // room for 3 names
  CHECK(f.cache->findUser("alice"));
  CHECK_FALSE(f.cache->findUser("u1"));
  CHECK_FALSE(f.cache->findUser("u2"));
  CHECK(f.calls == 3);
  f.now += 10;
  CHECK(f.cache->findUser("alice"));  // used again: now the most recent
  CHECK(f.calls == 3);
  // A flood of new names (an enumeration attempt) pushes out the names nobody uses...
  for (const char* n : {"u3", "u4"}) {
    CHECK_FALSE(f.cache->findUser(n));
    CHECK(f.cache->findUser("alice"));  // ...while the one in use stays cached
  }
  CHECK(f.calls == 5);
  CHECK_FALSE(f.cache->findUser("u4"));  // cached
  CHECK(f.calls == 5);
  CHECK_FALSE(f.cache->findUser("u1"));  // evicted first
  CHECK_FALSE(f.cache->findUser("u2"));
  CHECK(f.calls == 7);
  // Expiry still holds for the survivors: alice's entry is from the first lookup at 1000.
  f.now = 1000 + 60;
  CHECK(f.cache->findUser("alice"));
  CHECK(f.calls == 8);
}

TEST_CASE("an expired answer fetched again replaces its entry without evicting another") {
  Fixture f;
  f.cache->findUser("u3");
  f.now += 30;
  f.cache->findUser("u1");
  f.cache->findUser("u2");
  f.now += 30;  // u3 expired, u1 and u2 still fresh
  f.cache->findUser("u3");
  CHECK(f.calls == 4);
  f.cache->findUser("u1");
  f.cache->findUser("u2");
  CHECK(f.calls == 4);
}

TEST_CASE("a ttl of 0 returns the directory itself") {
  int calls = 0;
  bool failing = false;
  auto direct = makeCachingDirectory(std::make_unique<CountingDirectory>(&calls, &failing),
                                     [] { return 0; }, {0, 10});
  direct->findUser("alice");
  direct->findUser("alice");
  CHECK(calls == 2);
}

TEST_CASE("found and unknown accounts expire on their own clocks") {
  int calls = 0;
  bool failing = false;
  std::int64_t now = 1000;
  auto cache = makeCachingDirectory(std::make_unique<CountingDirectory>(&calls, &failing),
                                    [&] { return now; }, {60, 5, 100});
  CHECK(cache->findUser("alice").has_value());
  CHECK_FALSE(cache->findUser("mallory").has_value());
  CHECK(calls == 2);
  now += 5;
  CHECK(cache->findUser("alice").has_value());
  CHECK_FALSE(cache->findUser("mallory").has_value());
  CHECK(calls == 3);  // only the negative answer was asked again
}

TEST_CASE("a zero negative TTL asks again for every unknown name") {
  int calls = 0;
  bool failing = false;
  auto cache = makeCachingDirectory(std::make_unique<CountingDirectory>(&calls, &failing),
                                    [] { return std::int64_t{1000}; }, {60, 0, 100});
  CHECK_FALSE(cache->findUser("mallory").has_value());
  CHECK_FALSE(cache->findUser("mallory").has_value());
  CHECK(calls == 2);
}

TEST_CASE("password checks are never cached") {
  int calls = 0;
  bool failing = false;
  auto cache = makeCachingDirectory(std::make_unique<CountingDirectory>(&calls, &failing),
                                    [] { return std::int64_t{1000}; }, {60, 60, 100});
  Account a = alice();
  CHECK(cache->checkPassword(a, "right") == PasswordCheck::accepted);
  CHECK(cache->checkPassword(a, "wrong") == PasswordCheck::rejected);
  CHECK(cache->checkPassword(a, "right") == PasswordCheck::accepted);
  CHECK(calls == 3);
}

TEST_CASE(
    "an answer is at hand only while it is cached, and asking for it never asks the directory") {
  Fixture f;
  std::optional<Account> found;
  CHECK_FALSE(f.cache->findUserAtHand("alice", found));
  CHECK_FALSE(f.cache->findUidAtHand(1000, found));
  CHECK(f.calls == 0);
  (void)f.cache->findUser("alice");
  (void)f.cache->findUser("nobody");
  (void)f.cache->findUid(1000);
  CHECK(f.calls == 3);
  REQUIRE(f.cache->findUserAtHand("alice", found));
  CHECK(found->id == "nss:1000");
  REQUIRE(f.cache->findUserAtHand("nobody", found));
  CHECK_FALSE(found.has_value());  // "no such account" is an answer too
  REQUIRE(f.cache->findUidAtHand(1000, found));
  CHECK(found->name == "alice");
  f.now += 61;
  CHECK_FALSE(f.cache->findUserAtHand("alice", found));
  CHECK(f.calls == 3);
}
