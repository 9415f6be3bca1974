#pragma once
// A thin RAII layer over the sqlite3 C API: one connection with its cached prepared statements,
// and a Query that binds, steps and resets one of them. Every failing return code becomes a
// StoreError carrying SQLite's message (which names no bound value, so never a secret).

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "authd/store/store.h"

namespace authd {

// Creates `path` with mode 0600 when missing and tightens an existing file to 0600, so the -wal
// and -shm files SQLite derives from it get the same mode. Throws StoreError when the path is a
// symbolic link or not a regular file.
void prepareDatabaseFile(const std::string& path);

// A prepared statement in use: bindings are 1-based, columns 0-based. The destructor resets the
// statement and clears its bindings, so no statement stays active across a savepoint rollback.
class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query();

  Query& bind(int index, std::int64_t value);
  Query& bind(int index, std::string_view value);
  Query& bind(int index, std::span<const unsigned char> value);
  Query& bind(int index, const std::optional<std::int64_t>& value);

  // True when a row is available, false when done.
  bool step();
  // Steps a statement that returns no rows.
  void run();

  bool isNull(int column) const;
  std::int64_t integer(int column) const;
  std::string text(int column) const;
  std::vector<unsigned char> blob(int column) const;

 private:
  void check(int rc, const char* what) const;
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class SqliteDb {
 public:
  // flags: SQLITE_OPEN_* (NOMUTEX is added: a connection is used by one thread at a time;
  // NOFOLLOW too: a symlinked database path is refused).
  SqliteDb(const std::string& path, int flags, int busyTimeoutMs);
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  // Runs SQL without parameters (pragmas, schema, transaction control).
  void exec(const char* sql);
  // Runs a single-integer query such as "PRAGMA user_version".
  std::int64_t scalar(const char* sql);
  // The cached statement for `sql` (a string literal: its text is the cache key).
  Query query(const char* sql);

  std::int64_t changes() const { return sqlite3_changes64(db_); }
  std::int64_t lastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  bool inTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
  sqlite3* handle() { return db_; }

 private:
  struct StmtDeleter {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string_view, std::unique_ptr<sqlite3_stmt, StmtDeleter>> statements_;
};

// Throws StoreError("sqlite: <what>: <message of db>").
[[noreturn]] void throwSqlite(sqlite3* db, const char* what);

}  // namespace authd
