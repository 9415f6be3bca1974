#pragma once
// The SQLite Store. One writer thread owns the only write connection and commits queued work in
// batches (group commit: one fsync serves every item of a batch, each item in its own
// savepoint); reads use a pool of read-only connections, which WAL lets run during writes.
// Callers normally see only the Store interface through openSqliteStore().

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "authd/store/store.h"
#include "authd/store/store_sqlite_db.h"

namespace authd {

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const SqliteOptions& options);
  ~SqliteStore() override;

  void write(TxnWork work, Done done) override;
  std::vector<CredentialRecord> credentials(const Principal& user) override;
  std::optional<CredentialRecord> credential(std::int64_t id) override;
  std::vector<CredentialRecord> listCredentials(const std::optional<std::string>& user) override;
  LockState lockState(const Principal& who) override;
  std::vector<LockState> listLocks(const std::optional<std::string>& user) override;
  std::vector<AuditEvent> audit(const AuditQuery& query) override;
  std::vector<OfflineGrant> offlineGrants(const Principal& who) override;
  std::vector<SessionRecord> sessions(const SessionQuery& query) override;
  std::int64_t openSessionCount() override;
  void close() override;

  // Test hooks: the number of batches committed so far, and a way to make the next `count`
  // COMMITs fail through SQLite's commit hook, so the real rollback path runs.
  std::int64_t commitCountForTest() const { return commits_.load(); }
  void failCommitsForTest(int count) { failCommits_.store(count); }

 private:
  struct Item {
    TxnWork work;
    Done done;
  };
  class ReadLease;

  void configureWriter();
  void writerLoop();
  void runBatch(std::vector<Item>& batch);
  bool runWhole(std::vector<Item>& batch);  // false when an item threw (nothing committed)
  void runItemByItem(std::vector<Item>& batch, std::vector<char>& kept);
  bool runItem(const TxnWork& work, StoreTxn& txn);
  void rollbackBatch();
  static int commitHook(void* self);

  const SqliteOptions options_;
  std::unique_ptr<SqliteDb> writer_;  // used only by the writer thread once it runs

  std::mutex readersMutex_;
  std::vector<std::unique_ptr<SqliteDb>> idleReaders_;

  std::mutex queueMutex_;
  std::condition_variable queueReady_;
  std::deque<Item> queue_;
  bool closing_ = false;

  std::mutex joinMutex_;
  std::thread thread_;
  std::atomic<std::int64_t> commits_{0};
  std::atomic<int> failCommits_{0};
};

}  // namespace authd
