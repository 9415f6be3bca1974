// RADIUS accounting in the SQLite store: reports that repeat, come out of order or go missing,
// gateway restarts, the admin listing and the retention purge.
#include <doctest/doctest.h>

#include <algorithm>
#include <limits>

#include "authd/store/store_sqlite.h"
#include "unit/authd/store/store_test_support.h"

using authd::AccountingRecord;
using authd::AccountingStatus;
using authd::SessionQuery;
using authd::SessionRecord;
using authd::SqliteOptions;
using authd::SqliteStore;
using authd::Store;
using authd::StoreTxn;
using authd::test::TempDir;
using authd::test::writeAndWait;

namespace {

constexpr std::int64_t kT = 1'700'000'000;

std::unique_ptr<SqliteStore> openStore(const std::string& path) {
  return std::make_unique<SqliteStore>(SqliteOptions{path, 512, 5000, 0});
}

AccountingRecord report(AccountingStatus status, std::int64_t time, const std::string& id = "s1",
                        const std::string& client = "gw1") {
  AccountingRecord r;
  r.client = client;
  r.sessionId = id;
  r.user = "alice";
  r.nasIdentifier = "fw01";
  r.nasIp = "192.0.2.1";
  r.callingStation = "203.0.113.55";
  r.status = status;
  r.time = time;
  return r;
}

AccountingRecord counted(AccountingStatus status, std::int64_t time, std::int64_t sessionTime,
                         std::uint64_t in, std::uint64_t out) {
  AccountingRecord r = report(status, time);
  r.sessionTime = sessionTime;
  r.inputOctets = in;
  r.outputOctets = out;
  return r;
}

void record(Store& store, const AccountingRecord& r) {
  REQUIRE(writeAndWait(store, [r](StoreTxn& txn) { txn.recordAccounting(r); }) == 1);
}

std::vector<SessionRecord> all(Store& store) {
  return store.sessions(SessionQuery{std::nullopt, false, 1000, 0});
}

SessionRecord only(Store& store) {
  auto rows = all(store);
  REQUIRE(rows.size() == 1);
  return rows[0];
}

}  // namespace

TEST_CASE("a start opens a session; a repeated start keeps the one row") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  record(*store, report(AccountingStatus::start, kT));
  record(*store, report(AccountingStatus::start, kT));
  record(*store, report(AccountingStatus::start, kT + 5));
  SessionRecord s = only(*store);
  CHECK(s.client == "gw1");
  CHECK(s.sessionId == "s1");
  CHECK(s.user == "alice");
  CHECK(s.nasIdentifier == "fw01");
  CHECK(s.nasIp == "192.0.2.1");
  CHECK(s.callingStation == "203.0.113.55");
  CHECK(s.started == kT);
  CHECK(s.lastSeen == kT + 5);
  CHECK_FALSE(s.stopped.has_value());
  CHECK_FALSE(s.stopCause.has_value());
  CHECK(store->openSessionCount() == 1);
}

TEST_CASE("the same session id at two gateways is two sessions") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  record(*store, report(AccountingStatus::start, kT, "s1", "gw1"));
  record(*store, report(AccountingStatus::start, kT, "s1", "gw2"));
  CHECK(all(*store).size() == 2);
  CHECK(store->openSessionCount() == 2);
}

TEST_CASE("an interim refreshes an open session; an overtaken one rolls nothing back") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  record(*store, report(AccountingStatus::start, kT));
  AccountingRecord interim = counted(AccountingStatus::interim, kT + 600, 600, 1000, 2000);
  interim.framedIp = "10.8.0.23";
  interim.callingStation.clear();  // not sent again: the stored one stays
  record(*store, interim);
  record(*store, counted(AccountingStatus::interim, kT + 300, 300, 500, 900));
  SessionRecord s = only(*store);
  CHECK(s.started == kT);
  CHECK(s.lastSeen == kT + 600);
  CHECK(s.sessionTime == 600);
  CHECK(s.inputOctets == 1000);
  CHECK(s.outputOctets == 2000);
  CHECK(s.framedIp == "10.8.0.23");
  CHECK(s.callingStation == "203.0.113.55");
  CHECK_FALSE(s.stopped.has_value());
}

TEST_CASE("a stop closes the session with its totals and cause; late reports change nothing") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  record(*store, report(AccountingStatus::start, kT));
  AccountingRecord stop = counted(AccountingStatus::stop, kT + 900, 900, 4000, 8000);
  stop.terminateCause = 1;  // User-Request
  record(*store, stop);
  record(*store, counted(AccountingStatus::interim, kT + 950, 950, 9000, 9000));  // late
  AccountingRecord again = stop;
  again.terminateCause = 4;
  record(*store, again);                                    // a repeated stop
  record(*store, report(AccountingStatus::start, kT + 1));  // a start from before the stop
  SessionRecord s = only(*store);
  REQUIRE(s.stopped.has_value());
  CHECK(*s.stopped == kT + 900);
  CHECK(s.stopCause == 1);
  CHECK(s.started == kT);
  CHECK(s.sessionTime == 900);
  CHECK(s.inputOctets == 4000);
  CHECK(s.outputOctets == 8000);
  CHECK(store->openSessionCount() == 0);
}

TEST_CASE("a start after the stop reopens the row as the gateway's new session of that id") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  record(*store, report(AccountingStatus::start, kT));
  record(*store, counted(AccountingStatus::stop, kT + 900, 900, 4000, 8000));
  AccountingRecord reused = report(AccountingStatus::start, kT + 5000);
  reused.user = "bob";
  record(*store, reused);
  SessionRecord s = only(*store);
  CHECK(s.user == "bob");
  CHECK(s.started == kT + 5000);
  CHECK_FALSE(s.stopped.has_value());
  CHECK(s.sessionTime == 0);
  CHECK(s.inputOctets == 0);
  CHECK(store->openSessionCount() == 1);
}

TEST_CASE("a session whose start was lost is created by its interim or its stop") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  SUBCASE("interim: open, started Acct-Session-Time before") {
    record(*store, counted(AccountingStatus::interim, kT + 600, 600, 10, 20));
    SessionRecord s = only(*store);
    CHECK(s.started == kT);
    CHECK(s.lastSeen == kT + 600);
    CHECK_FALSE(s.stopped.has_value());
    CHECK(store->openSessionCount() == 1);
    // The start arrives late: still one row, still open, its start time exact.
    record(*store, report(AccountingStatus::start, kT));
    CHECK(only(*store).started == kT);
  }
  SUBCASE("stop: closed at once, and its late start does not reopen it") {
    AccountingRecord stop = counted(AccountingStatus::stop, kT + 60, 60, 10, 20);
    stop.terminateCause = 2;
    record(*store, stop);
    record(*store, report(AccountingStatus::start, kT));
    SessionRecord s = only(*store);
    CHECK(s.started == kT);
    CHECK(s.stopped == kT + 60);
    CHECK(s.stopCause == 2);
    CHECK(store->openSessionCount() == 0);
  }
}

TEST_CASE("Accounting-On and -Off close every open session of that gateway only") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  record(*store, report(AccountingStatus::start, kT, "a", "gw1"));
  record(*store, report(AccountingStatus::start, kT + 1, "b", "gw1"));
  record(*store, report(AccountingStatus::start, kT + 2, "c", "gw2"));
  AccountingRecord stopped = report(AccountingStatus::stop, kT + 3, "d", "gw1");
  stopped.terminateCause = 1;
  record(*store, stopped);
  AccountingStatus status = AccountingStatus::accountingOn;
  SUBCASE("on") { status = AccountingStatus::accountingOn; }
  SUBCASE("off") { status = AccountingStatus::accountingOff; }
  AccountingRecord restart = report(status, kT + 100, "", "gw1");
  restart.user.clear();
  record(*store, restart);
  CHECK(store->openSessionCount() == 1);
  for (const SessionRecord& s : all(*store)) {
    CAPTURE(s.sessionId);
    if (s.client == "gw2") {
      CHECK_FALSE(s.stopped.has_value());
    } else if (s.sessionId == "d") {
      CHECK(s.stopped == kT + 3);
      CHECK(s.stopCause == 1);
    } else {
      CHECK(s.stopped == kT + 100);
      CHECK(s.stopCause == authd::kTerminateNasReboot);
    }
  }
}

TEST_CASE("counters beyond what SQLite holds are kept at the largest value") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  record(*store, counted(AccountingStatus::interim, kT, 0,
                         std::numeric_limits<std::uint64_t>::max(), std::uint64_t{1} << 40));
  SessionRecord s = only(*store);
  CHECK(s.inputOctets == std::numeric_limits<std::int64_t>::max());
  CHECK(s.outputOctets == std::int64_t{1} << 40);
}

TEST_CASE("sessions are listed newest first, by user, open only, bounded, stale ones marked") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  for (int i = 0; i < 5; ++i) {
    AccountingRecord r = report(AccountingStatus::start, kT + i * 100, "s" + std::to_string(i));
    r.user = i % 2 ? "bob" : "alice";
    record(*store, r);
  }
  record(*store, report(AccountingStatus::stop, kT + 450, "s4"));
  record(*store, report(AccountingStatus::interim, kT + 500, "s2"));
  auto ids = [&](const SessionQuery& q) {
    std::vector<std::string> out;
    for (const auto& s : store->sessions(q)) out.push_back(s.sessionId);
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(ids({std::nullopt, false, 1000, 0}) == V{"s4", "s3", "s2", "s1", "s0"});
  CHECK(ids({std::nullopt, true, 1000, 0}) == V{"s3", "s2", "s1", "s0"});
  CHECK(ids({std::string("alice"), true, 1000, 0}) == V{"s2", "s0"});
  CHECK(ids({std::string("alice"), false, 1000, 0}) == V{"s4", "s2", "s0"});
  CHECK(ids({std::nullopt, false, 2, 0}) == V{"s4", "s3"});
  CHECK(ids({std::nullopt, false, 0, 0}).empty());
  CHECK(ids({std::string("carol"), false, 1000, 0}).empty());

  // Open sessions not heard of since kT + 250 are stale; closed ones never are.
  std::vector<std::string> stale;
  for (const auto& s : store->sessions({std::nullopt, false, 1000, kT + 250})) {
    if (s.stale) stale.push_back(s.sessionId);
  }
  CHECK(stale == V{"s1", "s0"});
  CHECK(store->openSessionCount() == 4);
}

TEST_CASE("the purge removes closed sessions older than the cut-off, a bounded number per call") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  for (int i = 0; i < 5; ++i) {
    const std::string id = "old" + std::to_string(i);
    record(*store, report(AccountingStatus::start, 100 + i, id));
    record(*store, report(AccountingStatus::stop, 200 + i, id));
  }
  record(*store, report(AccountingStatus::start, 100, "ancient-but-open"));
  record(*store, report(AccountingStatus::start, 100, "recent"));
  record(*store, report(AccountingStatus::stop, 5000, "recent"));
  std::int64_t deleted = -1;
  auto purge = [&](std::int64_t before, int limit) {
    REQUIRE(writeAndWait(*store,
                         [&](StoreTxn& txn) { deleted = txn.purgeSessions(before, limit); }) == 1);
    return deleted;
  };
  CHECK(purge(1000, 3) == 3);
  CHECK(purge(1000, 3) == 2);
  CHECK(purge(1000, 3) == 0);
  std::vector<std::string> left;
  for (const auto& s : all(*store)) left.push_back(s.sessionId);
  std::sort(left.begin(), left.end());
  CHECK(left == std::vector<std::string>{"ancient-but-open", "recent"});
}
