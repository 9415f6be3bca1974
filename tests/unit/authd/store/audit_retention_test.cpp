#include "authd/store/audit_retention.h"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>

#include "authd/store/store_sqlite.h"
#include "unit/authd/store/store_test_support.h"

namespace asio = boost::asio;

TEST_CASE("retention cut-offs: logon events and admin events by their own number of days") {
  authd::Config::Audit audit;
  audit.retentionDays = 30;
  audit.adminRetentionDays = 365;
  const std::int64_t now = 1'700'000'000;
  auto cutoffs = authd::auditCutoffs(audit, now);
  CHECK(cutoffs.logonBefore == now - 30 * 86400);
  CHECK(cutoffs.adminBefore == now - 365 * 86400);
}

TEST_CASE("a retention batch deletes closed VPN sessions through the writer, open ones never") {
  authd::test::TempDir dir;
  authd::SqliteStore store(authd::SqliteOptions{dir.file("authd.db")});
  REQUIRE(authd::test::writeAndWait(store, [](authd::StoreTxn& txn) {
            for (const char* id : {"a", "b", "c"}) {
              authd::AccountingRecord r;
              r.client = "gw1";
              r.sessionId = id;
              r.status = authd::AccountingStatus::stop;
              r.time = 100;
              txn.recordAccounting(r);
            }
            authd::AccountingRecord open;
            open.client = "gw1";
            open.sessionId = "open";
            open.time = 50;
            txn.recordAccounting(open);
          }) == 1);
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  std::thread runner([&io] { io.run(); });
  auto batch = [&](int size) {
    return asio::co_spawn(io, authd::purgeSessionsOnce(store, 1000, size), asio::use_future).get();
  };
  CHECK(batch(2) == 2);
  CHECK(batch(2) == 1);
  CHECK(batch(2) == 0);
  guard.reset();
  runner.join();
  CHECK(store.openSessionCount() == 1);
  CHECK(store.sessions({std::nullopt, false, 10, 0}).size() == 1);
}
