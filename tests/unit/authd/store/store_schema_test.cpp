#include "authd/store/store_schema.h"

#include <doctest/doctest.h>

#include "authd/store/store_sqlite_queries.h"
#include "unit/authd/store/store_test_support.h"

using authd::Migration;
using authd::SqliteDb;
using authd::StoreError;

namespace {

SqliteDb openRaw(const std::string& path) {
  return SqliteDb(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 1000);
}

bool hasTable(SqliteDb& db, const char* name) {
  auto q = db.query("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?");
  q.bind(1, std::string_view(name));
  return q.step() && q.integer(0) == 1;
}

}  // namespace

TEST_CASE("the built-in migrations create every table and set the version") {
  authd::test::TempDir dir;
  SqliteDb db = openRaw(dir.file("s.db"));
  authd::migrateSchema(db);
  CHECK(db.scalar("PRAGMA user_version") == authd::schemaVersion());
  CHECK(hasTable(db, "credentials"));
  CHECK(hasTable(db, "lockout"));
  CHECK(hasTable(db, "audit"));
  CHECK(hasTable(db, "offline_grants"));
  CHECK(hasTable(db, "radius_sessions"));
  // Running again is a no-op.
  authd::migrateSchema(db);
  CHECK(db.scalar("PRAGMA user_version") == authd::schemaVersion());
}

TEST_CASE("migrations run in order and a failing one leaves the previous version") {
  authd::test::TempDir dir;
  SqliteDb db = openRaw(dir.file("s.db"));
  const Migration good[] = {{1, "CREATE TABLE a (x INTEGER)"}, {2, "CREATE TABLE b (x INTEGER)"}};
  authd::migrateSchema(db, good);
  CHECK(db.scalar("PRAGMA user_version") == 2);
  CHECK(hasTable(db, "b"));

  const Migration broken[] = {
      good[0], good[1], {3, "CREATE TABLE c (x INTEGER); SELECT * FROM missing_table"}};
  CHECK_THROWS_AS(authd::migrateSchema(db, broken), StoreError);
  CHECK(db.scalar("PRAGMA user_version") == 2);
  CHECK_FALSE(hasTable(db, "c"));  // rolled back with its migration
  CHECK_FALSE(db.inTransaction());
}

TEST_CASE("migrations out of order are refused") {
  authd::test::TempDir dir;
  SqliteDb db = openRaw(dir.file("s.db"));
  const Migration unordered[] = {{2, "CREATE TABLE a (x INTEGER)"},
                                 {1, "CREATE TABLE b (x INTEGER)"}};
  CHECK_THROWS_AS(authd::migrateSchema(db, unordered), StoreError);
}

TEST_CASE("a database newer than the code is refused untouched") {
  authd::test::TempDir dir;
  SqliteDb db = openRaw(dir.file("s.db"));
  db.exec("PRAGMA user_version = 7");
  const Migration known[] = {{1, "CREATE TABLE a (x INTEGER)"}};
  CHECK_THROWS_WITH_AS(authd::migrateSchema(db, known),
                       doctest::Contains("newer than this authd supports"), StoreError);
  CHECK_THROWS_AS(authd::refuseNewerSchema(db, known), StoreError);
  CHECK(db.scalar("PRAGMA user_version") == 7);
  CHECK_FALSE(hasTable(db, "a"));
}

// Every verify reads the user's credentials: the lookup must use an index, never scan the table
// (a partial owner index once made SQLite scan, 7x slower under load; docs/performance.md).
TEST_CASE("the credentials of an account are found through two indexes, without a sort") {
  authd::test::TempDir dir;
  SqliteDb db = openRaw(dir.file("s.db"));
  authd::migrateSchema(db);
  auto plan =
      db.query((std::string("EXPLAIN QUERY PLAN ") + authd::sql::kCredentialsOfSql).c_str());
  std::string steps;
  while (plan.step()) steps += plan.text(3) + "\n";
  CAPTURE(steps);
  CHECK(steps.find("credentials_owner") != std::string::npos);
  CHECK(steps.find("credentials_user") != std::string::npos);
  CHECK(steps.find("SCAN credentials") == std::string::npos);
  CHECK(steps.find("TEMP B-TREE") == std::string::npos);
}

TEST_CASE("version 4 keeps older lockout rows as counters of the names") {
  authd::test::TempDir dir;
  SqliteDb db = openRaw(dir.file("s.db"));
  const auto all = authd::schemaMigrations();
  REQUIRE(all.size() >= 4);
  authd::migrateSchema(db, all.first(3));
  db.exec("INSERT INTO lockout (user, failures, locked_until) VALUES ('alice', 4, 1700000600)");
  authd::migrateSchema(db, all.first(4));
  CHECK(db.scalar("PRAGMA user_version") == 4);
  const authd::LockState alice = authd::sql::lockState(db, authd::Principal{"alice"});
  CHECK(alice.failures == 4);
  CHECK(alice.lockedUntil == 1700000600);
  CHECK(alice.owner.empty());
  CHECK(authd::sql::failingUsers(db, std::string("alice")).size() == 1);
}

// Every write that counts an unknown name's failure removes stale ones: through an index.
TEST_CASE("stale counters of unknown names are found through an index") {
  authd::test::TempDir dir;
  SqliteDb db = openRaw(dir.file("s.db"));
  authd::migrateSchema(db);
  auto plan = db.query(
      "EXPLAIN QUERY PLAN SELECT key FROM lockout WHERE owner = '' AND updated_at < 1 "
      "AND locked_until <= 1 ORDER BY updated_at LIMIT 8");
  std::string steps;
  while (plan.step()) steps += plan.text(3) + "\n";
  CAPTURE(steps);
  CHECK(steps.find("lockout_unknown_age") != std::string::npos);
}

TEST_CASE("version 6 marks live TOTP rows of older versions for re-sealing, new rows current") {
  authd::test::TempDir dir;
  SqliteDb db = openRaw(dir.file("s.db"));
  const auto all = authd::schemaMigrations();
  REQUIRE(all.size() >= 6);
  authd::migrateSchema(db, all.first(5));
  auto row = authd::test::totpCredential("alice", authd::CredentialState::active);
  const std::int64_t old = authd::sql::insertCredential(db, row);
  row.state = authd::CredentialState::revoked;
  authd::sql::insertCredential(db, row);
  authd::migrateSchema(db, all.first(6));
  row.state = authd::CredentialState::active;
  authd::sql::insertCredential(db, row);
  const auto legacy = authd::sql::legacySealedCredentials(db);
  REQUIRE(legacy.size() == 1);
  CHECK(legacy[0].id == old);
  auto plan = db.query(
      "EXPLAIN QUERY PLAN SELECT id FROM credentials WHERE seal_version = 1 AND factor = 'totp' "
      "AND state != 'revoked' ORDER BY id");
  std::string steps;
  while (plan.step()) steps += plan.text(3) + "\n";
  CAPTURE(steps);
  CHECK(steps.find("credentials_legacy_seal") != std::string::npos);
}

namespace {

// Prepared directly: SqliteDb caches statements under a view of their text (meant for literals),
// which a temporary string would leave dangling.
std::string planOf(SqliteDb& db, const std::string& sql) {
  const std::string explain = "EXPLAIN QUERY PLAN " + sql;
  sqlite3_stmt* raw = nullptr;
  REQUIRE(sqlite3_prepare_v2(db.handle(), explain.c_str(), -1, &raw, nullptr) == SQLITE_OK);
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> plan(raw, sqlite3_finalize);
  std::string steps;
  while (sqlite3_step(plan.get()) == SQLITE_ROW) {
    steps += reinterpret_cast<const char*>(sqlite3_column_text(plan.get(), 3));
    steps += "\n";
  }
  return steps;
}

}  // namespace

// The listener counts open sessions after every start, and the retention purge runs hourly: both
// through an index, never a scan of every session kept for retention_days.
TEST_CASE("version 9: open sessions, the purge and one user's sessions are found through indexes") {
  authd::test::TempDir dir;
  SqliteDb db = openRaw(dir.file("s.db"));
  authd::migrateSchema(db);
  const std::string order = "ORDER BY started DESC, client DESC, session_id DESC LIMIT 8";
  const std::string open = planOf(db, "SELECT count(*) FROM radius_sessions WHERE stopped IS NULL");
  CAPTURE(open);
  CHECK(open.find("radius_sessions_stopped") != std::string::npos);
  const std::string purge =
      planOf(db,
             "SELECT client, session_id FROM radius_sessions WHERE stopped < 1 ORDER BY stopped "
             "LIMIT 8");
  CAPTURE(purge);
  CHECK(purge.find("radius_sessions_stopped") != std::string::npos);
  CHECK(purge.find("TEMP B-TREE") == std::string::npos);
  const std::string user =
      planOf(db, "SELECT * FROM radius_sessions WHERE user = 'alice' " + order);
  CAPTURE(user);
  CHECK(user.find("radius_sessions_user") != std::string::npos);
  CHECK(user.find("TEMP B-TREE") == std::string::npos);
  const std::string newest = planOf(db, "SELECT * FROM radius_sessions " + order);
  CAPTURE(newest);
  CHECK(newest.find("radius_sessions_started") != std::string::npos);
  CHECK(newest.find("TEMP B-TREE") == std::string::npos);
}
