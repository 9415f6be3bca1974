#include "authd/logon/challenge_book.h"

#include <doctest/doctest.h>

#include "authd/base/op_error.h"

using authd::Bytes;
using authd::ChallengeBook;
using authd::ChallengeGrant;
using Put = authd::ChallengeBook::Put;

namespace {

Bytes challenge(unsigned char n) { return Bytes(32, n); }

ChallengeGrant grantFor(const std::string& user, std::int64_t expiresAt) {
  ChallengeGrant g;
  g.user = user;
  g.expiresAt = expiresAt;
  return g;
}

}  // namespace

TEST_CASE("a challenge can be taken exactly once") {
  ChallengeBook book;
  CHECK(book.put(challenge(1), grantFor("alice", 160), 100) == Put::stored);
  auto first = book.take(challenge(1), 120);
  REQUIRE(first);
  CHECK(first->user == "alice");
  CHECK_FALSE(book.take(challenge(1), 121));
  CHECK(book.size() == 0);
}

TEST_CASE("an unknown challenge is not found") {
  ChallengeBook book;
  CHECK(book.put(challenge(1), grantFor("alice", 160), 100) == Put::stored);
  CHECK_FALSE(book.take(challenge(2), 120));
  CHECK(book.take(challenge(1), 120));
}

TEST_CASE("an expired challenge is refused and consumed") {
  ChallengeBook book;
  CHECK(book.put(challenge(1), grantFor("alice", 160), 100) == Put::stored);
  CHECK_FALSE(book.take(challenge(1), 160));
  CHECK(book.size() == 0);
  CHECK(book.put(challenge(2), grantFor("alice", 160), 100) == Put::stored);
  CHECK(book.take(challenge(2), 159));
}

TEST_CASE("expired challenges are dropped when new ones arrive") {
  ChallengeBook book;
  for (unsigned char i = 0; i < 10; ++i) {
    CHECK(book.put(challenge(i), grantFor("u" + std::to_string(i), 110), 100) == Put::stored);
  }
  CHECK(book.size() == 10);
  CHECK(book.put(challenge(200), grantFor("u", 300), 200) == Put::stored);
  CHECK(book.size() == 1);
}

TEST_CASE("a full book refuses new challenges and keeps every open one") {
  ChallengeBook book({.capacity = 3});
  for (unsigned char i = 1; i <= 3; ++i) {
    CHECK(book.put(challenge(i), grantFor("u" + std::to_string(i), 1000), 100) == Put::stored);
  }
  CHECK(book.put(challenge(4), grantFor("u4", 1000), 100) == Put::full);
  CHECK(book.size() == 3);
  for (unsigned char i = 1; i <= 3; ++i) CHECK(book.take(challenge(i), 101));
  CHECK_FALSE(book.take(challenge(4), 101));
  // Expired challenges make room again.
  CHECK(book.put(challenge(5), grantFor("u5", 2000), 1000) == Put::stored);
}

TEST_CASE("a new challenge of an account replaces only that account's oldest one") {
  ChallengeBook book({.capacity = 100, .perAccount = 2});
  REQUIRE(book.put(challenge(1), grantFor("victim", 1000), 100) == Put::stored);
  for (unsigned char i = 10; i < 60; ++i) {
    REQUIRE(book.put(challenge(i), grantFor("flooder", 1000), 100) == Put::stored);
  }
  CHECK(book.size() == 3);
  CHECK(book.take(challenge(1), 101));  // the victim's challenge survived the flood
  CHECK_FALSE(book.take(challenge(57), 101));
  CHECK(book.take(challenge(58), 101));
  CHECK(book.take(challenge(59), 101));
}

TEST_CASE("the account quota follows the stable id, not the name typed") {
  ChallengeBook book({.capacity = 100, .perAccount = 1});
  ChallengeGrant upper = grantFor("Alice", 1000);
  upper.owner = "nss:1000";
  ChallengeGrant lower = grantFor("alice", 1000);
  lower.owner = "nss:1000";
  REQUIRE(book.put(challenge(1), upper, 100) == Put::stored);
  REQUIRE(book.put(challenge(2), lower, 100) == Put::stored);
  CHECK_FALSE(book.take(challenge(1), 101));
  CHECK(book.take(challenge(2), 101));
}

TEST_CASE("a caller other than root holds a bounded number of challenges; root is not limited") {
  ChallengeBook book({.capacity = 100, .perAccount = 100, .perCaller = 3});
  auto issuedBy = [](std::int64_t uid, const std::string& user) {
    ChallengeGrant g = grantFor(user, 1000);
    g.issuerUid = uid;
    return g;
  };
  for (unsigned char i = 1; i <= 3; ++i) {
    CHECK(book.put(challenge(i), issuedBy(2000, "u" + std::to_string(i)), 100) == Put::stored);
  }
  CHECK(book.put(challenge(4), issuedBy(2000, "u4"), 100) == Put::callerQuota);
  for (unsigned char i = 10; i < 20; ++i) {
    CHECK(book.put(challenge(i), issuedBy(0, "r" + std::to_string(i)), 100) == Put::stored);
  }
  REQUIRE(book.take(challenge(1), 101));  // a challenge answered frees the caller's slot
  CHECK(book.put(challenge(4), issuedBy(2000, "u4"), 100) == Put::stored);
}

TEST_CASE("issueChallenge turns a refusal into a busy error") {
  ChallengeBook book({.capacity = 1});
  authd::issueChallenge(book, challenge(1), grantFor("a", 1000), 100);
  CHECK_THROWS_AS(authd::issueChallenge(book, challenge(2), grantFor("b", 1000), 100),
                  authd::OpError);
}

TEST_CASE("taken challenges do not let the issue queue grow without bound") {
  ChallengeBook book({.capacity = 4});
  for (int i = 0; i < 1000; ++i) {
    Bytes c(32, 0);
    c[0] = static_cast<unsigned char>(i);
    c[1] = static_cast<unsigned char>(i >> 8);
    REQUIRE(book.put(c, grantFor("u", 5000), 100) == Put::stored);
    CHECK(book.take(c, 101));
  }
  CHECK(book.size() == 0);
  CHECK(book.queuedForTest() <= 8);
}
