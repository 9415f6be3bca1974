#include "authd/store/store_sqlite.h"

#include <algorithm>

#include "authd/base/log.h"
#include "authd/store/store_schema.h"
#include "authd/store/store_sqlite_queries.h"

namespace authd {

namespace {

constexpr std::size_t kMaxIdleReaders = 16;

// The writer's view of the open batch. Every operation first checks that the transaction is
// still open: after an error that made SQLite roll back, a statement would otherwise run (and
// commit) on its own.
class SqliteTxn final : public StoreTxn {
 public:
  SqliteTxn(SqliteDb& db, int aggregateSeconds) : db_(db), aggregateSeconds_(aggregateSeconds) {}

  LockState lockState(const Principal& who) override { return sql::lockState(open(), who); }
  void putLockState(const LockState& state) override { sql::putLockState(open(), state); }
  std::int64_t clearLocks(const Principal& who) override { return sql::clearLocks(open(), who); }
  std::int64_t forgetStaleLocks(std::int64_t before, std::int64_t now, int limit) override {
    return sql::forgetStaleLocks(open(), before, now, limit);
  }
  bool claimStep(std::int64_t credentialId, const Principal& user, std::int64_t step,
                 std::int64_t now, const std::vector<unsigned char>& boundSecret) override {
    return sql::claimStep(open(), credentialId, user, step, now, boundSecret);
  }
  bool putSealedSecret(std::int64_t credentialId,
                       const std::vector<unsigned char>& sealed) override {
    return sql::putSealedSecret(open(), credentialId, sealed);
  }
  std::vector<CredentialRecord> legacySealedCredentials() override {
    return sql::legacySealedCredentials(open());
  }
  std::int64_t insertCredential(const CredentialRecord& record) override {
    return sql::insertCredential(open(), record);
  }
  bool activateCredential(std::int64_t credentialId, const Principal& user, std::int64_t step,
                          std::int64_t now) override {
    return sql::activateCredential(open(), credentialId, user, step, now);
  }
  bool revokeCredential(std::int64_t credentialId, const Principal& user) override {
    return sql::revokeCredential(open(), credentialId, user);
  }
  void appendAudit(const AuditEvent& event) override {
    sql::appendAudit(open(), event, aggregateSeconds_);
  }
  std::int64_t purgeAudit(std::int64_t logonBefore, std::int64_t adminBefore, int limit) override {
    return sql::purgeAudit(open(), logonBefore, adminBefore, limit);
  }
  SignCountOutcome advanceSignCount(std::int64_t credentialId, const Principal& user,
                                    std::uint32_t presented, std::int64_t now) override {
    return sql::advanceSignCount(open(), credentialId, user, presented, now);
  }
  bool reinstateCredential(std::int64_t credentialId, const Principal& user) override {
    return sql::reinstateCredential(open(), credentialId, user);
  }
  void raiseSignCount(std::int64_t credentialId, const Principal& user,
                      std::uint32_t count) override {
    sql::raiseSignCount(open(), credentialId, user, count);
  }
  bool fido2IdExists(const std::vector<unsigned char>& credentialId) override {
    return sql::fido2IdExists(open(), credentialId);
  }
  void putOfflineGrant(const OfflineGrant& grant) override { sql::putOfflineGrant(open(), grant); }
  std::int64_t revokeOfflineGrants(const Principal& who,
                                   const std::optional<std::string>& device) override {
    return sql::revokeOfflineGrants(open(), who, device);
  }
  void dropOfflineGrant(const std::string& owner, const std::string& device) override {
    sql::dropOfflineGrant(open(), owner, device);
  }
  void recordAccounting(const AccountingRecord& record) override {
    sql::recordAccounting(open(), record);
  }
  std::int64_t purgeSessions(std::int64_t closedBefore, int limit) override {
    return sql::purgeSessions(open(), closedBefore, limit);
  }

 private:
  SqliteDb& open() {
    if (!db_.inTransaction()) throw StoreError("store transaction is no longer open");
    return db_;
  }
  SqliteDb& db_;
  int aggregateSeconds_;
};

void callDone(const Store::Done& done, bool ok) {
  if (!done) return;
  try {
    done(ok);
  } catch (const std::exception& e) {
    log::error(std::string("store: completion handler threw: ") + e.what());
  } catch (...) {
    log::error("store: completion handler threw");
  }
}

}  // namespace

// A read-only connection borrowed from the pool for one read; opened on demand when none is
// idle, and kept for reuse (with its prepared statements) unless the pool is full.
class SqliteStore::ReadLease {
 public:
  explicit ReadLease(SqliteStore& store) : store_(store) {
    {
      std::lock_guard lock(store_.readersMutex_);
      if (!store_.idleReaders_.empty()) {
        db_ = std::move(store_.idleReaders_.back());
        store_.idleReaders_.pop_back();
      }
    }
    if (!db_) {
      db_ = std::make_unique<SqliteDb>(store_.options_.path, SQLITE_OPEN_READONLY,
                                       store_.options_.busyTimeoutMs);
    }
  }
  ReadLease(const ReadLease&) = delete;
  ReadLease& operator=(const ReadLease&) = delete;
  ~ReadLease() {
    std::lock_guard lock(store_.readersMutex_);
    if (store_.idleReaders_.size() < kMaxIdleReaders) {
      store_.idleReaders_.push_back(std::move(db_));
    }
  }
  SqliteDb& db() { return *db_; }

 private:
  SqliteStore& store_;
  std::unique_ptr<SqliteDb> db_;
};

SqliteStore::SqliteStore(const SqliteOptions& options) : options_(options) {
  prepareDatabaseFile(options_.path);
  // READWRITE without CREATE: SQLite must never create the file with its default mode.
  writer_ =
      std::make_unique<SqliteDb>(options_.path, SQLITE_OPEN_READWRITE, options_.busyTimeoutMs);
  refuseNewerSchema(*writer_);
  configureWriter();
  migrateSchema(*writer_);
  sqlite3_commit_hook(writer_->handle(), &SqliteStore::commitHook, this);
  thread_ = std::thread([this] { writerLoop(); });
}

SqliteStore::~SqliteStore() { close(); }

void SqliteStore::configureWriter() {
  {
    Query q = writer_->query("PRAGMA journal_mode = WAL");
    if (!q.step() || q.text(0) != "wal") {
      throw StoreError("sqlite: cannot switch " + options_.path + " to WAL mode");
    }
  }
  // FULL: in WAL mode every COMMIT syncs the log, so an answer never precedes durable state.
  writer_->exec("PRAGMA synchronous = FULL");
  writer_->exec("PRAGMA foreign_keys = ON");
  // Freed pages (revoked secrets) are overwritten with zeros.
  writer_->exec("PRAGMA secure_delete = ON");
  // Truncate the log back to 64 MiB after checkpoints so a burst does not leave it huge.
  writer_->exec("PRAGMA journal_size_limit = 67108864");
  // Checkpoint every 8192 pages (32 MiB) rather than 1000: a credential page that many logons
  // touch in between is copied into the database once, not once per thousand pages.
  writer_->exec("PRAGMA wal_autocheckpoint = 8192");
}

void SqliteStore::write(TxnWork work, Done done) {
  {
    std::lock_guard lock(queueMutex_);
    if (closing_) throw StoreError("store is closed");
    queue_.push_back(Item{std::move(work), std::move(done)});
  }
  queueReady_.notify_one();
}

void SqliteStore::close() {
  {
    std::lock_guard lock(queueMutex_);
    closing_ = true;
  }
  queueReady_.notify_one();
  std::lock_guard lock(joinMutex_);
  // From a completion handler the writer cannot join itself; the destructor will.
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void SqliteStore::writerLoop() {
  const std::size_t maxBatch = static_cast<std::size_t>(std::max(1, options_.maxBatch));
  std::vector<Item> batch;
  for (;;) {
    batch.clear();
    {
      std::unique_lock lock(queueMutex_);
      queueReady_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing, and everything queued is done
      const std::size_t n = std::min(queue_.size(), maxBatch);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    runBatch(batch);
  }
}

// Optimistic first: the whole batch in one transaction without savepoints (two statements per
// item saved). Only when an item throws is the batch rolled back and run again with a savepoint
// around each item, so that the failing item alone is undone.
void SqliteStore::runBatch(std::vector<Item>& batch) {
  std::vector<char> kept(batch.size(), 0);
  bool committed = false;
  try {
    committed = runWhole(batch);
    if (!committed) {
      rollbackBatch();
      runItemByItem(batch, kept);
      committed = true;
    } else {
      std::fill(kept.begin(), kept.end(), 1);
    }
    commits_.fetch_add(1);
  } catch (const std::exception& e) {
    log::error(std::string("store: batch of ") + std::to_string(batch.size()) +
               " rolled back: " + e.what());
    rollbackBatch();
  }
  for (std::size_t i = 0; i < batch.size(); ++i) callDone(batch[i].done, committed && kept[i]);
}

bool SqliteStore::runWhole(std::vector<Item>& batch) {
  writer_->query("BEGIN IMMEDIATE").run();
  SqliteTxn txn(*writer_, options_.auditAggregateSeconds);
  for (auto& item : batch) {
    try {
      item.work(txn);
    } catch (...) {
      return false;
    }
  }
  writer_->query("COMMIT").run();
  return true;
}

void SqliteStore::runItemByItem(std::vector<Item>& batch, std::vector<char>& kept) {
  writer_->query("BEGIN IMMEDIATE").run();
  SqliteTxn txn(*writer_, options_.auditAggregateSeconds);
  for (std::size_t i = 0; i < batch.size(); ++i) kept[i] = runItem(batch[i].work, txn);
  writer_->query("COMMIT").run();
}

bool SqliteStore::runItem(const TxnWork& work, StoreTxn& txn) {
  writer_->query("SAVEPOINT item").run();
  try {
    work(txn);
  } catch (...) {
    // Undo this item only. If SQLite already dropped the whole transaction, the savepoint is
    // gone and this throws, failing the batch.
    writer_->query("ROLLBACK TO item").run();
    writer_->query("RELEASE item").run();
    return false;
  }
  writer_->query("RELEASE item").run();
  return true;
}

void SqliteStore::rollbackBatch() {
  if (!writer_->inTransaction()) return;  // SQLite rolled back already
  if (sqlite3_exec(writer_->handle(), "ROLLBACK", nullptr, nullptr, nullptr) != SQLITE_OK) {
    log::error(std::string("store: rollback failed: ") + sqlite3_errmsg(writer_->handle()));
  }
}

int SqliteStore::commitHook(void* self) {
  auto& store = *static_cast<SqliteStore*>(self);
  if (store.failCommits_.load() <= 0) return 0;
  store.failCommits_.fetch_sub(1);
  return 1;  // SQLite turns the COMMIT into a rollback
}

std::vector<CredentialRecord> SqliteStore::credentials(const Principal& user) {
  ReadLease lease(*this);
  return sql::credentialsOf(lease.db(), user);
}

std::optional<CredentialRecord> SqliteStore::credential(std::int64_t id) {
  ReadLease lease(*this);
  return sql::credentialById(lease.db(), id);
}

std::vector<CredentialRecord> SqliteStore::listCredentials(const std::optional<std::string>& user) {
  ReadLease lease(*this);
  return sql::liveCredentials(lease.db(), user);
}

LockState SqliteStore::lockState(const Principal& who) {
  ReadLease lease(*this);
  return sql::lockState(lease.db(), who);
}

std::vector<LockState> SqliteStore::listLocks(const std::optional<std::string>& user) {
  ReadLease lease(*this);
  return sql::failingUsers(lease.db(), user);
}

std::vector<AuditEvent> SqliteStore::audit(const AuditQuery& query) {
  ReadLease lease(*this);
  return sql::audit(lease.db(), query);
}

std::vector<OfflineGrant> SqliteStore::offlineGrants(const Principal& who) {
  ReadLease lease(*this);
  return sql::offlineGrants(lease.db(), who);
}

std::vector<SessionRecord> SqliteStore::sessions(const SessionQuery& query) {
  ReadLease lease(*this);
  return sql::sessions(lease.db(), query);
}

std::int64_t SqliteStore::openSessionCount() {
  ReadLease lease(*this);
  return sql::openSessionCount(lease.db());
}

std::unique_ptr<Store> openSqliteStore(const SqliteOptions& options) {
  return std::make_unique<SqliteStore>(options);
}

}  // namespace authd
