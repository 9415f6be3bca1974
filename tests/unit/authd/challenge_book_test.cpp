#include "authd/challenge_book.h"

#include <doctest/doctest.h>

using authd::Bytes;
using authd::ChallengeBook;
using authd::ChallengeGrant;

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
  book.put(challenge(1), grantFor("alice", 160), 100);
  auto first = book.take(challenge(1), 120);
  REQUIRE(first);
  CHECK(first->user == "alice");
  CHECK_FALSE(book.take(challenge(1), 121));
  CHECK(book.size() == 0);
}

TEST_CASE("an unknown challenge is not found") {
  ChallengeBook book;
  book.put(challenge(1), grantFor("alice", 160), 100);
  CHECK_FALSE(book.take(challenge(2), 120));
  CHECK(book.take(challenge(1), 120));
}

TEST_CASE("an expired challenge is refused and consumed") {
  ChallengeBook book;
  book.put(challenge(1), grantFor("alice", 160), 100);
  CHECK_FALSE(book.take(challenge(1), 160));
  CHECK(book.size() == 0);
  book.put(challenge(2), grantFor("alice", 160), 100);
  CHECK(book.take(challenge(2), 159));
}

TEST_CASE("expired challenges are dropped when new ones arrive") {
  ChallengeBook book;
  for (unsigned char i = 0; i < 10; ++i) book.put(challenge(i), grantFor("u", 110), 100);
  CHECK(book.size() == 10);
  book.put(challenge(200), grantFor("u", 300), 200);
  CHECK(book.size() == 1);
}

TEST_CASE("a full book evicts the oldest challenge first") {
  ChallengeBook book(3);
  for (unsigned char i = 1; i <= 4; ++i) book.put(challenge(i), grantFor("u", 1000), 100);
  CHECK(book.size() == 3);
  CHECK_FALSE(book.take(challenge(1), 101));
  CHECK(book.take(challenge(2), 101));
  CHECK(book.take(challenge(4), 101));
}

TEST_CASE("taken challenges do not let the issue queue grow without bound") {
  ChallengeBook book(4);
  for (int i = 0; i < 1000; ++i) {
    Bytes c(32, 0);
    c[0] = static_cast<unsigned char>(i);
    c[1] = static_cast<unsigned char>(i >> 8);
    book.put(c, grantFor("u", 5000), 100);
    CHECK(book.take(c, 101));
  }
  CHECK(book.size() == 0);
  CHECK(book.queuedForTest() <= 8);
}
