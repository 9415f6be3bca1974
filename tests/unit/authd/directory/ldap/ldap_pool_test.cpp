#include "authd/directory/ldap/ldap_pool.h"

#include <doctest/doctest.h>

#include <ldap.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

using namespace authd;

namespace {

// Scripted servers: each connection remembers its server; a test decides per server whether
// connecting or searching fails, and with which code.
struct Network {
  std::vector<int> connectFailure;  // per server: 0 = connects
  std::vector<int> searchFailure;   // per server: 0 = answers
  std::vector<std::size_t> connects;
  std::vector<std::size_t> searches;
  int opened = 0;     // connections opened so far; each gets the next number
  int lostBelow = 0;  // connections numbered below this lost their TCP connection
  std::mutex mutex;
};

class FakeSearcher final : public LdapSearcher {
 public:
  FakeSearcher(Network& network, std::size_t server, int number)
      : network_(network), server_(server), number_(number) {}
  SearchResult search(const SearchRequest&) override {
    std::lock_guard lock(network_.mutex);
    network_.searches.push_back(server_);
    if (number_ < network_.lostBelow) throw LdapFailure(LDAP_SERVER_DOWN, "connection lost");
    if (int code = network_.searchFailure[server_]; code != 0) throw LdapFailure(code, "fails");
    SearchResult result;
    result.entries.emplace_back().dn = "server " + std::to_string(server_);
    return result;
  }

 private:
  Network& network_;
  std::size_t server_;
  int number_;
};

struct Fixture {
  std::int64_t now = 1000;
  Network network;
  ServerSelector selector{{"ldap://a", "ldap://b"}, 30, [this] { return now; }};
  LdapPool pool{selector,
                [this](std::size_t server) -> std::unique_ptr<LdapSearcher> {
                  std::lock_guard lock(network.mutex);
                  network.connects.push_back(server);
                  if (int code = network.connectFailure[server]; code != 0) {
                    throw LdapFailure(code, "cannot connect");
                  }
                  return std::make_unique<FakeSearcher>(network, server, network.opened++);
                },
                1};
  Fixture() {
    network.connectFailure = {0, 0};
    network.searchFailure = {0, 0};
  }
  std::string search() {
    std::string answeredBy;
    pool.run([&](LdapSearcher& searcher, std::size_t server) {
      answeredBy = searcher.search({}).entries.front().dn;
      CHECK(answeredBy == "server " + std::to_string(server));  // the operation knows its server
    });
    return answeredBy;
  }
};

using Servers = std::vector<std::size_t>;

}  // namespace

TEST_SUITE("ldap") {
  TEST_CASE("pool: connects lazily once and reuses the connection") {
    Fixture f;
    CHECK(f.network.connects.empty());
    CHECK(f.search() == "server 0");
    CHECK(f.search() == "server 0");
    CHECK(f.network.connects == Servers{0});
  }

  TEST_CASE("pool: a server that cannot be reached is skipped until retryAfter passes") {
    Fixture f;
    f.network.connectFailure[0] = LDAP_SERVER_DOWN;
    CHECK(f.search() == "server 1");
    CHECK(f.network.connects == Servers{0, 1});
    CHECK(f.search() == "server 1");
    CHECK(f.network.connects == Servers{0, 1});  // the dead one is not tried again

    f.network.connectFailure[0] = 0;  // back, but not asked before retryAfter
    f.now += 29;
    CHECK(f.search() == "server 1");
    f.now += 1;
    CHECK(f.search() == "server 0");  // the preferred server is back: the connection moves
    CHECK(f.network.connects == Servers{0, 1, 0});
  }

  TEST_CASE("pool: a timeout drops the connection and retries once on the next server") {
    Fixture f;
    CHECK(f.search() == "server 0");
    f.network.searchFailure[0] = LDAP_TIMEOUT;
    CHECK(f.search() == "server 1");
    CHECK(f.network.searches == Servers{0, 0, 1});
    CHECK(f.selector.isDead(0));
  }

  TEST_CASE("pool: a lost idle connection reconnects without marking its server dead") {
    Fixture f;
    CHECK(f.search() == "server 0");
    f.network.lostBelow = f.network.opened;  // the server closed the idle connection
    CHECK(f.search() == "server 0");
    CHECK_FALSE(f.selector.isDead(0));
    CHECK(f.network.connects == Servers{0, 0});
    CHECK(f.network.searches == Servers{0, 0, 0});
  }

  TEST_CASE("pool: a server that is really down fails the reconnect and is skipped") {
    Fixture f;
    CHECK(f.search() == "server 0");
    f.network.lostBelow = f.network.opened;
    f.network.connectFailure[0] = LDAP_SERVER_DOWN;
    CHECK(f.search() == "server 1");
    CHECK(f.network.connects == Servers{0, 0, 1});
    CHECK(f.selector.isDead(0));
  }

  TEST_CASE("pool: the retry happens once only") {
    Fixture f;
    f.network.searchFailure = {LDAP_TIMEOUT, LDAP_TIMEOUT};
    CHECK_THROWS_WITH_AS(f.search(),
                         "no directory server answered: ldap://a: fails; ldap://b: fails",
                         DirectoryError);
    CHECK(f.network.searches == Servers{0, 1});
    CHECK(f.selector.isDead(0));
    CHECK(f.selector.isDead(1));
  }

  TEST_CASE("pool: nothing reachable -> DirectoryError; all dead -> all asked again") {
    Fixture f;
    f.network.connectFailure = {LDAP_SERVER_DOWN, LDAP_CONNECT_ERROR};
    CHECK_THROWS_AS(f.search(), DirectoryError);
    CHECK(f.network.connects == Servers{0, 1});
    f.network.connectFailure = {LDAP_SERVER_DOWN, 0};
    CHECK(f.search() == "server 1");
    CHECK(f.network.connects == Servers{0, 1, 0, 1});
  }

  TEST_CASE("pool: a refused search is not a server failure: no retry, connection kept") {
    Fixture f;
    f.network.searchFailure[0] = LDAP_NO_SUCH_OBJECT;
    CHECK_THROWS_AS(f.search(), LdapFailure);
    CHECK(f.network.searches == Servers{0});
    f.network.searchFailure[0] = 0;
    CHECK(f.search() == "server 0");
    CHECK(f.network.connects == Servers{0});
    CHECK_FALSE(f.selector.isDead(0));
  }

  TEST_CASE("pool: an operation's own error keeps the connection") {
    Fixture f;
    CHECK_THROWS_AS(
        f.pool.run([](LdapSearcher&, std::size_t) { throw DirectoryError("ambiguous"); }),
        DirectoryError);
    CHECK(f.search() == "server 0");
    CHECK(f.network.connects == Servers{0});
  }

  TEST_CASE("pool: each connection serves one thread at a time") {
    std::atomic<int> inUse{0};
    std::atomic<int> overlaps{0};
    std::atomic<int> connects{0};
    ServerSelector selector({"ldap://a"}, 30, [] { return std::int64_t{0}; });
    class Exclusive final : public LdapSearcher {
     public:
      Exclusive(std::atomic<int>& inUse, std::atomic<int>& overlaps)
          : inUse_(inUse), overlaps_(overlaps) {}
      SearchResult search(const SearchRequest&) override {
        if (busy_.exchange(true)) ++overlaps_;
        ++inUse_;
        std::this_thread::yield();
        --inUse_;
        busy_ = false;
        return {};
      }

     private:
      std::atomic<bool> busy_{false};
      std::atomic<int>& inUse_;
      std::atomic<int>& overlaps_;
    };
    LdapPool pool(
        selector,
        [&](std::size_t) -> std::unique_ptr<LdapSearcher> {
          ++connects;
          return std::make_unique<Exclusive>(inUse, overlaps);
        },
        3);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 200; ++i) pool.run([](LdapSearcher& s, std::size_t) { s.search({}); });
      });
    }
    for (std::thread& thread : threads) thread.join();
    CHECK(overlaps == 0);
    CHECK(connects <= 3);
    CHECK(connects >= 1);
  }

  TEST_CASE("pool: size 0 is refused") {
    ServerSelector selector({"ldap://a"}, 30, [] { return std::int64_t{0}; });
    CHECK_THROWS_AS(LdapPool(
                        selector, [](std::size_t) { return nullptr; }, 0),
                    std::invalid_argument);
  }
}
