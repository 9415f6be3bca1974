#include "authd/store/store_sqlite_db.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace authd {

void throwSqlite(sqlite3* db, const char* what) {
  std::string message = std::string("sqlite: ") + what + ": ";
  message += db ? sqlite3_errmsg(db) : "out of memory";
  throw StoreError(message);
}

void prepareDatabaseFile(const std::string& path) {
  // O_NOFOLLOW: a symlink in place of the database is refused, never followed.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) {
    std::string why = errno == ELOOP ? "it is a symbolic link" : std::strerror(errno);
    throw StoreError("cannot open database " + path + ": " + why);
  }
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0;
  if (ok && !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw StoreError("cannot open database " + path + ": not a regular file");
  }
  if (ok && (st.st_mode & 0077) != 0) ok = ::fchmod(fd, S_IRUSR | S_IWUSR) == 0;
  int savedErrno = errno;
  ::close(fd);
  if (!ok) {
    throw StoreError("cannot make database " + path + " private: " + std::strerror(savedErrno));
  }
}

Query::~Query() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Query::check(int rc, const char* what) const {
  if (rc != SQLITE_OK) throwSqlite(db_, what);
}

Query& Query::bind(int index, std::int64_t value) {
  check(sqlite3_bind_int64(stmt_, index, value), "bind");
  return *this;
}

Query& Query::bind(int index, std::string_view value) {
  // A null pointer would bind NULL; an empty string must stay an (empty) string.
  const char* data = value.data() == nullptr ? "" : value.data();
  check(sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
        "bind");
  return *this;
}

Query& Query::bind(int index, std::span<const unsigned char> value) {
  // A null pointer would bind NULL; an empty blob must stay an (empty) blob.
  static const unsigned char empty = 0;
  const unsigned char* data = value.empty() ? &empty : value.data();
  check(sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_TRANSIENT), "bind");
  return *this;
}

Query& Query::bind(int index, const std::optional<std::int64_t>& value) {
  if (value) return bind(index, *value);
  check(sqlite3_bind_null(stmt_, index), "bind");
  return *this;
}

bool Query::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throwSqlite(db_, "step");
}

void Query::run() {
  if (step()) throw StoreError("sqlite: statement returned a row unexpectedly");
}

bool Query::isNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::int64_t Query::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Query::text(int column) const {
  const unsigned char* data = sqlite3_column_text(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  if (!data) {
    if (sqlite3_errcode(db_) == SQLITE_NOMEM) throwSqlite(db_, "column");
    return {};
  }
  return std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size));
}

std::vector<unsigned char> Query::blob(int column) const {
  const auto* data = static_cast<const unsigned char*>(sqlite3_column_blob(stmt_, column));
  int size = sqlite3_column_bytes(stmt_, column);
  if (!data) {
    if (sqlite3_errcode(db_) == SQLITE_NOMEM) throwSqlite(db_, "column");
    return {};
  }
  return std::vector<unsigned char>(data, data + size);
}

namespace {

// Before the library initialises: without memory statistics every allocation SQLite makes takes
// one process-wide mutex, which the I/O threads, the workers and the writer all contend for.
// Each connection is used by one thread at a time (SQLITE_OPEN_NOMUTEX below).
void configureLibraryOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    // SQLITE_MISUSE when something initialised SQLite first: it then keeps its defaults.
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  });
}

}  // namespace

SqliteDb::SqliteDb(const std::string& path, int flags, int busyTimeoutMs) {
  configureLibraryOnce();
  // NOFOLLOW: SQLite refuses a database path that is a symbolic link.
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "sqlite: open " + path + ": ";
    message += db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw StoreError(message);
  }
  if (sqlite3_extended_result_codes(db_, 1) != SQLITE_OK ||
      sqlite3_busy_timeout(db_, busyTimeoutMs) != SQLITE_OK) {
    std::string message = std::string("sqlite: configure: ") + sqlite3_errmsg(db_);
    sqlite3_close_v2(db_);
    throw StoreError(message);
  }
}

SqliteDb::~SqliteDb() {
  statements_.clear();  // finalize before closing
  sqlite3_close_v2(db_);
}

void SqliteDb::exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) throwSqlite(db_, sql);
}

std::int64_t SqliteDb::scalar(const char* sql) {
  Query q = query(sql);
  if (!q.step()) throw StoreError(std::string("sqlite: no result: ") + sql);
  return q.integer(0);
}

Query SqliteDb::query(const char* sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      throwSqlite(db_, "prepare");
    }
    found = statements_.emplace(sql, std::unique_ptr<sqlite3_stmt, StmtDeleter>(stmt)).first;
  }
  return Query(db_, found->second.get());
}

}  // namespace authd
