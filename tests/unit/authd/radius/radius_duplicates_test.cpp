#include "authd/radius/radius_duplicates.h"

#include <doctest/doctest.h>

using namespace authd::radius;
using Seen = DuplicateCache::Seen;
using Reply = std::vector<unsigned char>;

namespace {

RequestKey key(std::uint8_t identifier, unsigned char authenticator = 1,
               const char* source = "192.0.2.1", std::uint16_t port = 4000) {
  RequestKey out;
  out.source = source;
  out.port = port;
  out.identifier = identifier;
  out.authenticator.fill(authenticator);
  return out;
}

Seen seen(DuplicateCache& cache, const RequestKey& k, std::int64_t now) {
  return cache.begin(k, now).seen;
}

}  // namespace

TEST_CASE("radius duplicates: a retransmission in progress is dropped, once answered replayed") {
  DuplicateCache cache(10, 30);
  CHECK(seen(cache, key(7), 100) == Seen::kFresh);
  CHECK(seen(cache, key(7), 101) == Seen::kInProgress);
  cache.finish(key(7), Reply{2, 7, 0, 20}, 102);
  const DuplicateCache::Lookup again = cache.begin(key(7), 103);
  CHECK(again.seen == Seen::kAnswered);
  CHECK(again.reply == Reply{2, 7, 0, 20});
  CHECK(cache.sizeForTest() == 1);
}

TEST_CASE("radius duplicates: a request dropped on purpose is dropped again") {
  DuplicateCache cache(10, 30);
  REQUIRE(seen(cache, key(7), 100) == Seen::kFresh);
  cache.finish(key(7), Reply{}, 100);
  const DuplicateCache::Lookup again = cache.begin(key(7), 101);
  CHECK(again.seen == Seen::kAnswered);
  CHECK(again.reply.empty());
}

TEST_CASE("radius duplicates: source, port, identifier and authenticator all make the key") {
  DuplicateCache cache(10, 30);
  REQUIRE(seen(cache, key(7), 100) == Seen::kFresh);
  CHECK(seen(cache, key(8), 100) == Seen::kFresh);
  CHECK(seen(cache, key(7, 2), 100) == Seen::kFresh);  // same id, new authenticator: new request
  CHECK(seen(cache, key(7, 1, "192.0.2.2"), 100) == Seen::kFresh);
  CHECK(seen(cache, key(7, 1, "192.0.2.1", 4001), 100) == Seen::kFresh);
  CHECK(cache.sizeForTest() == 5);
}

TEST_CASE("radius duplicates: an answered entry leaves after the window, a pending one never") {
  DuplicateCache cache(10, 30);
  REQUIRE(seen(cache, key(1), 100) == Seen::kFresh);
  REQUIRE(seen(cache, key(2), 100) == Seen::kFresh);
  cache.finish(key(1), Reply{1}, 100);
  CHECK(seen(cache, key(1), 129) == Seen::kAnswered);
  CHECK(seen(cache, key(1), 130) == Seen::kFresh);  // expired: evaluated afresh
  CHECK(seen(cache, key(2), 100000) == Seen::kInProgress);
}

TEST_CASE("radius duplicates: abandon forgets a pending request, not an answered one") {
  DuplicateCache cache(10, 30);
  REQUIRE(seen(cache, key(1), 100) == Seen::kFresh);
  cache.abandon(key(1));
  CHECK(cache.sizeForTest() == 0);
  CHECK(seen(cache, key(1), 101) == Seen::kFresh);
  cache.finish(key(1), Reply{1}, 101);
  cache.abandon(key(1));
  CHECK(seen(cache, key(1), 102) == Seen::kAnswered);
  cache.abandon(key(9));  // unknown: nothing happens
  CHECK(cache.sizeForTest() == 1);
}

TEST_CASE("radius duplicates: finish without begin, or twice, changes nothing") {
  DuplicateCache cache(10, 30);
  cache.finish(key(1), Reply{1}, 100);
  CHECK(cache.sizeForTest() == 0);
  REQUIRE(seen(cache, key(2), 100) == Seen::kFresh);
  cache.finish(key(2), Reply{2}, 100);
  cache.finish(key(2), Reply{3}, 110);
  CHECK(cache.begin(key(2), 129).reply == Reply{2});
  CHECK(seen(cache, key(2), 130) == Seen::kFresh);
}

TEST_CASE("radius duplicates: full, the oldest answered entry makes room") {
  DuplicateCache cache(3, 30);
  for (std::uint8_t id = 1; id <= 3; ++id) REQUIRE(seen(cache, key(id), 100) == Seen::kFresh);
  cache.finish(key(2), Reply{2}, 101);
  cache.finish(key(1), Reply{1}, 102);
  CHECK(seen(cache, key(4), 103) == Seen::kFresh);  // 2 was answered first: it goes
  CHECK(cache.sizeForTest() == 3);
  CHECK(seen(cache, key(1), 103) == Seen::kAnswered);
  CHECK(seen(cache, key(3), 103) == Seen::kInProgress);
  CHECK(seen(cache, key(2), 103) == Seen::kFresh);  // evicted, so new again; 1 goes
  CHECK(cache.sizeForTest() == 3);
}

TEST_CASE("radius duplicates: full of pending requests, a new one is refused") {
  DuplicateCache cache(2, 30);
  REQUIRE(seen(cache, key(1), 100) == Seen::kFresh);
  REQUIRE(seen(cache, key(2), 100) == Seen::kFresh);
  const DuplicateCache::Lookup full = cache.begin(key(3), 100);
  CHECK(full.seen == Seen::kFull);
  CHECK(full.reply.empty());
  CHECK(seen(cache, key(1), 100000) == Seen::kInProgress);  // never evicted, however old
  CHECK(seen(cache, key(3), 100000) == Seen::kFull);
  cache.finish(key(1), Reply{1}, 100000);
  CHECK(seen(cache, key(3), 100001) == Seen::kFresh);  // the answered one made room
  CHECK(seen(cache, key(1), 100001) == Seen::kFull);
  cache.abandon(key(2));
  CHECK(seen(cache, key(4), 100002) == Seen::kFresh);
}

TEST_CASE("radius duplicates: expired entries go before anything is evicted") {
  DuplicateCache cache(2, 30);
  REQUIRE(seen(cache, key(1), 100) == Seen::kFresh);
  REQUIRE(seen(cache, key(2), 100) == Seen::kFresh);
  cache.finish(key(1), Reply{1}, 100);
  cache.finish(key(2), Reply{2}, 110);
  CHECK(seen(cache, key(3), 135) == Seen::kFresh);  // 1 expired at 130
  CHECK(seen(cache, key(2), 135) == Seen::kAnswered);
  CHECK(cache.sizeForTest() == 2);
}
