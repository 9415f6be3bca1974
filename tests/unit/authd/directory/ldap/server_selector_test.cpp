#include "authd/directory/ldap/server_selector.h"

#include <doctest/doctest.h>

#include <ldap.h>

#include <string>
#include <vector>

#include "authd/directory/ldap/ldap_searcher.h"

using namespace authd;

namespace {

using Order = std::vector<std::size_t>;

struct Fixture {
  std::int64_t now = 1000;
  ServerSelector selector{
      {"ldaps://dc1", "ldaps://dc2", "ldaps://dc3"}, 30, [this] { return now; }};
};

}  // namespace

TEST_SUITE("ldap") {
  TEST_CASE("servers are tried in configured order") {
    Fixture f;
    CHECK(f.selector.order() == Order{0, 1, 2});
    CHECK(f.selector.preferred() == 0);
  }

  TEST_CASE("a dead server is skipped for retryAfter seconds, then tried again") {
    Fixture f;
    f.selector.markDead(0);
    CHECK(f.selector.isDead(0));
    CHECK(f.selector.order() == Order{1, 2});
    CHECK(f.selector.preferred() == 1);
    f.now += 29;
    CHECK(f.selector.order() == Order{1, 2});
    f.now += 1;
    CHECK_FALSE(f.selector.isDead(0));
    CHECK(f.selector.order() == Order{0, 1, 2});
  }

  TEST_CASE("when every server is dead all are tried again in order") {
    Fixture f;
    f.selector.markDead(2);
    f.selector.markDead(0);
    f.selector.markDead(1);
    CHECK(f.selector.order() == Order{0, 1, 2});
  }

  TEST_CASE("a server that answers is alive again at once") {
    Fixture f;
    f.selector.markDead(0);
    f.selector.markAlive(0);
    CHECK(f.selector.order() == Order{0, 1, 2});
  }

  TEST_CASE("tryInOrder: the first server that answers; failed ones are marked dead") {
    Fixture f;
    std::vector<std::size_t> tried;
    std::size_t answered = f.selector.tryInOrder([&](std::size_t server) {
      tried.push_back(server);
      if (server == 0) throw LdapFailure(LDAP_SERVER_DOWN, "Can't contact LDAP server");
    });
    CHECK(answered == 1);
    CHECK(tried == Order{0, 1});
    CHECK(f.selector.isDead(0));
    CHECK_FALSE(f.selector.isDead(1));

    tried.clear();
    f.selector.tryInOrder([&](std::size_t server) { tried.push_back(server); });
    CHECK(tried == Order{1});  // the dead one is skipped on the next call
  }

  TEST_CASE("tryInOrder: nothing answers -> DirectoryError naming every server, never empty") {
    Fixture f;
    std::vector<std::size_t> tried;
    auto none = [&](std::size_t server) {
      tried.push_back(server);
      throw LdapFailure(LDAP_TIMEOUT, "Timed out");
    };
    CHECK_THROWS_WITH_AS(f.selector.tryInOrder(none),
                         "no directory server answered: ldaps://dc1: Timed out; ldaps://dc2: "
                         "Timed out; ldaps://dc3: Timed out",
                         DirectoryError);
    CHECK(tried == Order{0, 1, 2});
    // All dead now: the next call still asks every server, in order.
    tried.clear();
    CHECK_THROWS_AS(f.selector.tryInOrder(none), DirectoryError);
    CHECK(tried == Order{0, 1, 2});
  }

  TEST_CASE("tryInOrder: other errors propagate and mark nothing") {
    Fixture f;
    CHECK_THROWS_AS(f.selector.tryInOrder([](std::size_t) { throw std::logic_error("bug"); }),
                    std::logic_error);
    CHECK(f.selector.order() == Order{0, 1, 2});
  }

  TEST_CASE("a selector needs at least one server") {
    CHECK_THROWS_AS(ServerSelector({}, 30, [] { return std::int64_t{0}; }), std::invalid_argument);
  }
}
