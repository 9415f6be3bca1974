#include "authd/store/store_sqlite.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "authd/store/store_schema.h"
#include "unit/authd/store/store_test_support.h"

using authd::AuditEvent;
using authd::AuditQuery;
using authd::CredentialState;
using authd::LockState;
using authd::SqliteDb;
using authd::SqliteOptions;
using authd::SqliteStore;
using authd::Store;
using authd::StoreError;
using authd::StoreTxn;
using authd::test::addCredential;
using authd::test::nameOf;
using authd::test::Outcomes;
using authd::test::TempDir;
using authd::test::totpCredential;
using authd::test::writeAndWait;
using authd::test::WriterGate;

namespace {

// Every event its own audit row (no aggregation), unless a test asks for it.
std::unique_ptr<SqliteStore> openStore(const std::string& path, int maxBatch = 512,
                                       int aggregateSeconds = 0) {
  return std::make_unique<SqliteStore>(SqliteOptions{path, maxBatch, 5000, aggregateSeconds});
}

std::vector<AuditEvent> auditOf(Store& store, const std::string& user) {
  return store.audit(AuditQuery{user, 0, 1000});
}

void append(Store& store, const AuditEvent& e) {
  REQUIRE(writeAndWait(store, [e](StoreTxn& txn) { txn.appendAudit(e); }) == 1);
}

int fileMode(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return static_cast<int>(st.st_mode & 07777);
}

AuditEvent event(std::int64_t time, const std::string& user, const std::string& reason) {
  return AuditEvent{time,   user,   "verify", "totp", std::nullopt, "reject",
                    reason, "sshd", 0,        42,     "",           ""};
}

}  // namespace

TEST_CASE("a fresh database is migrated, in WAL mode, and reopens with its data") {
  TempDir dir;
  const std::string path = dir.file("authd.db");
  std::int64_t id = 0;
  {
    auto store = authd::openSqliteStore({path});
    id = addCredential(*store, totpCredential("alice", CredentialState::active));
    REQUIRE(id > 0);
  }
  {
    SqliteDb raw(path, SQLITE_OPEN_READONLY, 1000);
    CHECK(raw.scalar("PRAGMA user_version") == authd::schemaVersion());
    auto q = raw.query("PRAGMA journal_mode");
    REQUIRE(q.step());
    CHECK(q.text(0) == "wal");
  }
  auto store = authd::openSqliteStore({path});
  auto found = store->credential(id);
  REQUIRE(found);
  CHECK(found->user == "alice");
}

TEST_CASE("a database written by a newer authd is refused") {
  TempDir dir;
  const std::string path = dir.file("authd.db");
  {
    SqliteDb raw(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 1000);
    raw.exec(("PRAGMA user_version = " + std::to_string(authd::schemaVersion() + 1)).c_str());
  }
  CHECK_THROWS_WITH_AS(authd::openSqliteStore({path}), doctest::Contains("newer"), StoreError);
  SqliteDb raw(path, SQLITE_OPEN_READONLY, 1000);
  auto q = raw.query("PRAGMA journal_mode");
  REQUIRE(q.step());
  CHECK(q.text(0) == "delete");  // not even switched to WAL
}

TEST_CASE("an unusable path is a StoreError") {
  CHECK_THROWS_AS(authd::openSqliteStore({"/nonexistent-dir/authd.db"}), StoreError);
}

TEST_CASE("the database and its WAL files are private") {
  TempDir dir;
  const std::string path = dir.file("authd.db");
  auto store = authd::openSqliteStore({path});
  REQUIRE(addCredential(*store, totpCredential("alice", CredentialState::active)) > 0);
  CHECK(fileMode(path) == 0600);
  CHECK(fileMode(path + "-wal") == 0600);
  CHECK(fileMode(path + "-shm") == 0600);

  SUBCASE("an existing readable file is tightened") {
    const std::string other = dir.file("old.db");
    std::ofstream(other).close();
    REQUIRE(::chmod(other.c_str(), 0644) == 0);
    authd::openSqliteStore({other});
    CHECK(fileMode(other) == 0600);
  }
}

TEST_CASE("credentials are inserted, read, listed, activated and revoked") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  auto alice = totpCredential("alice", CredentialState::active, 5);
  alice.lastUsedAt = 1700000100;
  const std::int64_t a1 = addCredential(*store, alice);
  const std::int64_t a2 = addCredential(*store, totpCredential("alice", CredentialState::pending));
  const std::int64_t b1 = addCredential(*store, totpCredential("bob", CredentialState::active));
  REQUIRE(a1 > 0);
  CHECK(a2 > a1);
  CHECK(b1 > a2);

  auto read = store->credential(a1);
  REQUIRE(read);
  CHECK(read->id == a1);
  CHECK(read->user == "alice");
  CHECK(read->factor == "totp");
  CHECK(read->label == "phone of alice");
  CHECK(nameOf(read->state) == "active");
  CHECK(read->algorithm == "sha256");
  CHECK(read->digits == 8);
  CHECK(read->sealedSecret == alice.sealedSecret);
  CHECK(read->lastStep == 5);
  CHECK(read->createdAt == 1700000000);
  CHECK(read->lastUsedAt == 1700000100);
  CHECK_FALSE(store->credential(b1 + 100));

  auto ofAlice = store->credentials("alice");
  REQUIRE(ofAlice.size() == 2);
  CHECK(ofAlice[0].id == a1);
  CHECK(ofAlice[1].id == a2);
  CHECK(store->credentials("carol").empty());

  bool activated = false, wrongUser = true, twice = true;
  REQUIRE(writeAndWait(*store, [&](StoreTxn& txn) {
            wrongUser = txn.activateCredential(a2, "bob", 100, 1700000200);
            activated = txn.activateCredential(a2, "alice", 100, 1700000200);
            twice = txn.activateCredential(a2, "alice", 101, 1700000300);
          }) == 1);
  CHECK_FALSE(wrongUser);
  CHECK(activated);
  CHECK_FALSE(twice);  // only a pending credential is activated
  auto a2Read = store->credential(a2);
  REQUIRE(a2Read);
  CHECK(nameOf(a2Read->state) == "active");
  CHECK(a2Read->lastStep == 100);
  CHECK(a2Read->lastUsedAt == 1700000200);

  bool revoked = false, revokedTwice = true, revokedByOther = true;
  REQUIRE(writeAndWait(*store, [&](StoreTxn& txn) {
            revokedByOther = txn.revokeCredential(a1, "bob");
            revoked = txn.revokeCredential(a1, "alice");
            revokedTwice = txn.revokeCredential(a1, "alice");
          }) == 1);
  CHECK_FALSE(revokedByOther);
  CHECK(revoked);
  CHECK_FALSE(revokedTwice);
  auto gone = store->credential(a1);
  REQUIRE(gone);
  CHECK(nameOf(gone->state) == "revoked");
  CHECK(gone->sealedSecret.empty());

  auto live = store->listCredentials(std::nullopt);
  REQUIRE(live.size() == 2);
  CHECK(live[0].id == a2);  // alice before bob, revoked a1 left out
  CHECK(live[1].id == b1);
  auto liveBob = store->listCredentials(std::string("bob"));
  REQUIRE(liveBob.size() == 1);
  CHECK(liveBob[0].id == b1);
}

TEST_CASE("lock state is stored per user and cleared by a zero state") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  CHECK(store->lockState("alice").failures == 0);
  CHECK(store->lockState("alice").user == "alice");
  REQUIRE(writeAndWait(*store, [](StoreTxn& txn) {
            txn.putLockState(LockState{"alice", 3, 0});
            txn.putLockState(LockState{"bob", 10, 1700000600});
            txn.putLockState(LockState{"alice", 4, 0});  // overwrites
          }) == 1);
  CHECK(store->lockState("alice").failures == 4);
  CHECK(store->lockState("bob").lockedUntil == 1700000600);
  auto locks = store->listLocks(std::nullopt);
  REQUIRE(locks.size() == 2);
  CHECK(locks[0].user == "alice");
  CHECK(locks[1].user == "bob");
  CHECK(store->listLocks(std::string("bob")).size() == 1);

  LockState seenInside;
  REQUIRE(writeAndWait(*store, [&](StoreTxn& txn) {
            txn.putLockState(LockState{"alice", 0, 0});
            seenInside = txn.lockState("bob");
          }) == 1);
  CHECK(seenInside.failures == 10);
  CHECK(store->lockState("alice").failures == 0);
  CHECK(store->listLocks(std::string("alice")).empty());
}

TEST_CASE("claimStep is a compare-and-set on the last step") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  const std::int64_t active =
      addCredential(*store, totpCredential("alice", CredentialState::active, 10));
  const std::int64_t pending =
      addCredential(*store, totpCredential("alice", CredentialState::pending, 10));
  const std::int64_t revoked =
      addCredential(*store, totpCredential("alice", CredentialState::active, 10));
  REQUIRE(writeAndWait(*store, [&](StoreTxn& txn) { txn.revokeCredential(revoked, "alice"); }) ==
          1);

  auto claim = [&](std::int64_t id, const std::string& user, std::int64_t step) {
    bool advanced = false;
    REQUIRE(writeAndWait(*store, [&](StoreTxn& txn) {
              advanced = txn.claimStep(id, user, step, 1700000500 + step, {});
            }) == 1);
    return advanced;
  };
  CHECK_FALSE(claim(active, "alice", 9));   // lower
  CHECK_FALSE(claim(active, "alice", 10));  // equal: a replay
  CHECK_FALSE(claim(active, "bob", 11));    // someone else's credential
  CHECK_FALSE(claim(pending, "alice", 11));
  CHECK_FALSE(claim(revoked, "alice", 11));
  CHECK_FALSE(claim(active + 1000, "alice", 11));
  CHECK(store->credential(active)->lastStep == 10);
  CHECK(store->credential(active)->lastUsedAt == 0);

  CHECK(claim(active, "alice", 11));  // higher
  CHECK(store->credential(active)->lastStep == 11);
  CHECK(store->credential(active)->lastUsedAt == 1700000511);
  CHECK_FALSE(claim(active, "alice", 11));  // now a replay
  CHECK(claim(active, "alice", 13));

  // Two claims of the same step in one batch: only the first wins.
  WriterGate gate;
  gate.close(*store);
  bool first = false, second = true;
  Outcomes outcomes(2);
  store->write([&](StoreTxn& txn) { first = txn.claimStep(active, "alice", 20, 1, {}); },
               outcomes.slot(0));
  store->write([&](StoreTxn& txn) { second = txn.claimStep(active, "alice", 20, 1, {}); },
               outcomes.slot(1));
  gate.open();
  REQUIRE(outcomes.wait());
  CHECK(first);
  CHECK_FALSE(second);
}

TEST_CASE("a claim that binds a row stores the secret sealed for its new owner, or fails") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  const std::int64_t id = addCredential(*store, totpCredential("alice", CredentialState::active));
  REQUIRE(store->credential(id)->owner.empty());
  const authd::Principal alice{"alice", "test:alice"};
  const std::vector<unsigned char> bound = {0x01, 0xaa, 0xbb};
  auto claim = [&](std::int64_t step, const std::vector<unsigned char>& blob) {
    bool advanced = false;
    REQUIRE(writeAndWait(*store, [&](StoreTxn& txn) {
              advanced = txn.claimStep(id, alice, step, 1, blob);
            }) == 1);
    return advanced;
  };
  CHECK_FALSE(claim(5, {}));  // binding without a re-sealed secret
  CHECK(store->credential(id)->owner.empty());
  CHECK(claim(5, bound));
  CHECK(store->credential(id)->owner == "test:alice");
  CHECK(store->credential(id)->sealedSecret == bound);
  // Bound now: a later claim keeps the secret, whatever blob it carries.
  CHECK(claim(6, {0x01, 0xcc}));
  CHECK(store->credential(id)->sealedSecret == bound);
}

TEST_CASE("sealed secrets are stored for live TOTP rows, and legacy ones are listed") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  const std::int64_t live = addCredential(*store, totpCredential("alice", CredentialState::active));
  const std::int64_t revoked =
      addCredential(*store, totpCredential("alice", CredentialState::active));
  REQUIRE(writeAndWait(*store, [&](StoreTxn& txn) { txn.revokeCredential(revoked, "alice"); }) ==
          1);
  {
    SqliteDb db(dir.file("authd.db"), SQLITE_OPEN_READWRITE, 1000);
    db.exec("UPDATE credentials SET seal_version = 1");
  }
  std::vector<authd::CredentialRecord> legacy;
  bool stored = false, storedRevoked = true;
  REQUIRE(writeAndWait(*store, [&](StoreTxn& txn) {
            legacy = txn.legacySealedCredentials();
            storedRevoked = txn.putSealedSecret(revoked, {0x01, 0x02});
            stored = txn.putSealedSecret(live, {0x01, 0x03});
          }) == 1);
  REQUIRE(legacy.size() == 1);  // revoked rows hold no secret
  CHECK(legacy[0].id == live);
  CHECK(stored);
  CHECK_FALSE(storedRevoked);
  CHECK(store->credential(live)->sealedSecret == std::vector<unsigned char>{0x01, 0x03});
  CHECK(store->credential(revoked)->sealedSecret.empty());
  REQUIRE(writeAndWait(*store, [&](StoreTxn& txn) { legacy = txn.legacySealedCredentials(); }) ==
          1);
  CHECK(legacy.empty());  // marked current
}

namespace {

// Queues 99 writes while the writer is held in a first item: they must share
// ceil(99 / maxBatch) commits.
void checkGroupCommit(int maxBatch) {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"), maxBatch);
  const std::int64_t id = addCredential(*store, totpCredential("alice", CredentialState::active));
  const std::int64_t before = store->commitCountForTest();

  constexpr std::size_t kQueued = 99;
  WriterGate gate;
  Outcomes outcomes(kQueued + 1);
  gate.close(*store, outcomes.slot(kQueued));
  for (std::size_t i = 0; i < kQueued; ++i) {
    store->write(
        [id, i](StoreTxn& txn) {
          txn.claimStep(id, "alice", static_cast<std::int64_t>(i) + 1, 1, {});
          txn.appendAudit(event(1, "alice", "n" + std::to_string(i)));
        },
        outcomes.slot(i));
  }
  gate.open();
  REQUIRE(outcomes.wait());
  CHECK(outcomes.committed() == kQueued + 1);
  const std::int64_t batches = (kQueued + maxBatch - 1) / maxBatch;
  CHECK(store->commitCountForTest() - before == 1 + batches);
  CHECK(store->credential(id)->lastStep == static_cast<std::int64_t>(kQueued));
  CHECK(store->audit(AuditQuery{std::nullopt, 0, 1000}).size() == kQueued);
}

}  // namespace

TEST_CASE("writes queued during a commit share the next one") {
  SUBCASE("in one batch") { checkGroupCommit(512); }
  SUBCASE("in batches of at most maxBatch") { checkGroupCommit(10); }
}

TEST_CASE("a throwing work item is rolled back alone") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  const std::int64_t before = store->commitCountForTest();
  WriterGate gate;
  gate.close(*store);
  Outcomes outcomes(4);
  store->write([](StoreTxn& txn) { txn.putLockState(LockState{"alice", 1, 0}); }, outcomes.slot(0));
  store->write(
      [](StoreTxn& txn) {
        txn.putLockState(LockState{"alice", 99, 99});
        txn.insertCredential(totpCredential("mallory", CredentialState::active));
        throw std::runtime_error("work failed");
      },
      outcomes.slot(1));
  store->write(
      [](StoreTxn& txn) {
        txn.appendAudit(event(5, "bob", "ok"));
        throw 42;  // not even an exception type
      },
      outcomes.slot(2));
  store->write([](StoreTxn& txn) { txn.putLockState(LockState{"bob", 2, 0}); }, outcomes.slot(3));
  gate.open();
  REQUIRE(outcomes.wait());
  CHECK(outcomes.result(0) == 1);
  CHECK(outcomes.result(1) == 0);
  CHECK(outcomes.result(2) == 0);
  CHECK(outcomes.result(3) == 1);
  CHECK(store->commitCountForTest() - before == 2);  // the gate's batch and this one
  CHECK(store->lockState("alice").failures == 1);
  CHECK(store->lockState("bob").failures == 2);
  CHECK(store->credentials("mallory").empty());
  CHECK(store->audit(AuditQuery{}).empty());
}

TEST_CASE("a failed commit rolls back every item of the batch") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  WriterGate gate;
  Outcomes outcomes(4);
  gate.close(*store, outcomes.slot(3));
  for (std::size_t i = 0; i < 3; ++i) {
    store->write(
        [i](StoreTxn& txn) {
          txn.putLockState(LockState{"user" + std::to_string(i), 1, 0});
        },
        outcomes.slot(i));
  }
  // The gate's batch is still open: its COMMIT and the next one fail.
  store->failCommitsForTest(2);
  gate.open();
  REQUIRE(outcomes.wait());
  CHECK(outcomes.committed() == 0);
  CHECK(store->listLocks(std::nullopt).empty());
  // The writer goes on with the next batch.
  CHECK(writeAndWait(*store, [](StoreTxn& txn) { txn.putLockState(LockState{"bob", 1, 0}); }) == 1);
  CHECK(store->lockState("bob").failures == 1);
}

TEST_CASE("a throwing completion handler does not stop the writer") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  Outcomes outcomes(1);
  store->write([](StoreTxn&) {}, [](bool) { throw std::runtime_error("handler failed"); });
  store->write([](StoreTxn& txn) { txn.putLockState(LockState{"bob", 1, 0}); }, outcomes.slot(0));
  REQUIRE(outcomes.wait());
  CHECK(outcomes.result(0) == 1);
}

TEST_CASE("close drains the queue, and committed work survives a reopen") {
  TempDir dir;
  const std::string path = dir.file("authd.db");
  constexpr std::size_t kItems = 200;
  Outcomes outcomes(kItems);
  {
    auto store = openStore(path, 16);
    for (std::size_t i = 0; i < kItems; ++i) {
      store->write(
          [i](StoreTxn& txn) {
            txn.appendAudit(event(static_cast<std::int64_t>(i), "alice", "drain"));
          },
          outcomes.slot(i));
    }
    store->close();
    CHECK(outcomes.committed() == kItems);  // every completion already ran
    CHECK_THROWS_AS(store->write([](StoreTxn&) {}, [](bool) {}), StoreError);
    store->close();  // idempotent
  }
  auto reopened = openStore(path);
  CHECK(reopened->audit(AuditQuery{std::string("alice"), 0, 1000}).size() == kItems);
}

TEST_CASE("audit is read newest first and filtered by user, time and limit") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  AuditEvent full{100,       "alice",   "enroll", "totp", 7,          "ok",
                  "created", "authctl", 1000,     4242,   "10.0.0.7", "pts/3"};
  REQUIRE(writeAndWait(*store, [&](StoreTxn& txn) {
            txn.appendAudit(full);
            txn.appendAudit(event(200, "bob", "b200"));
            txn.appendAudit(event(300, "alice", "a300"));
            txn.appendAudit(event(300, "alice", "a300-later"));
            txn.appendAudit(event(400, "bob", "b400"));
          }) == 1);

  auto all = store->audit(AuditQuery{});
  REQUIRE(all.size() == 5);
  CHECK(all[0].reason == "b400");
  CHECK(all[1].reason == "a300-later");  // same second: insertion order decides
  CHECK(all[2].reason == "a300");
  CHECK(all[4].reason == "created");
  const AuditEvent& oldest = all[4];
  CHECK(oldest.time == 100);
  CHECK(oldest.user == "alice");
  CHECK(oldest.op == "enroll");
  CHECK(oldest.factor == "totp");
  REQUIRE(oldest.credentialId);
  CHECK(*oldest.credentialId == 7);
  CHECK(oldest.result == "ok");
  CHECK(oldest.service == "authctl");
  CHECK(oldest.peerUid == 1000);
  CHECK(oldest.peerPid == 4242);
  CHECK(oldest.rhost == "10.0.0.7");
  CHECK(oldest.tty == "pts/3");
  CHECK_FALSE(all[0].credentialId);

  auto alice = store->audit(AuditQuery{std::string("alice"), 0, 100});
  REQUIRE(alice.size() == 3);
  for (const auto& e : alice) CHECK(e.user == "alice");

  auto recent = store->audit(AuditQuery{std::nullopt, 300, 100});
  REQUIRE(recent.size() == 3);  // since is inclusive
  CHECK(recent[2].time == 300);

  auto aliceRecent = store->audit(AuditQuery{std::string("alice"), 301, 100});
  CHECK(aliceRecent.empty());

  auto two = store->audit(AuditQuery{std::nullopt, 0, 2});
  REQUIRE(two.size() == 2);
  CHECK(two[1].reason == "a300-later");

  CHECK(store->audit(AuditQuery{std::nullopt, 0, 0}).empty());
  CHECK(store->audit(AuditQuery{std::nullopt, 0, -1}).empty());
}

TEST_CASE("reads run while the writer holds an open transaction") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  const std::int64_t id =
      addCredential(*store, totpCredential("alice", CredentialState::active, 1));

  // The writer claims step 2 and then waits inside the open transaction.
  std::promise<void> claimed;
  std::promise<void> release;
  auto releasedFuture = release.get_future();
  Outcomes outcomes(1);
  store->write(
      [&](StoreTxn& txn) {
        txn.claimStep(id, "alice", 2, 1, {});
        claimed.set_value();
        releasedFuture.wait();
      },
      outcomes.slot(0));
  claimed.get_future().wait();
  // Not blocked by the writer, and not seeing its uncommitted change.
  CHECK(store->credential(id)->lastStep == 1);
  release.set_value();
  REQUIRE(outcomes.wait());
  CHECK(store->credential(id)->lastStep == 2);
}

TEST_CASE("concurrent readers see a monotonic committed state during writes") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  const std::int64_t id =
      addCredential(*store, totpCredential("alice", CredentialState::active, 0));
  constexpr std::int64_t kSteps = 1000;

  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::atomic<std::int64_t> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      std::int64_t last = 0;
      try {
        while (!done.load()) {
          auto records = store->credentials("alice");
          if (records.size() != 1 || records[0].lastStep < last) ++failures;
          if (!records.empty()) last = records[0].lastStep;
          if (store->lockState("alice").failures != 0) ++failures;
          ++reads;
        }
      } catch (const std::exception&) {
        ++failures;
      }
    });
  }
  Outcomes outcomes(kSteps);
  for (std::int64_t step = 1; step <= kSteps; ++step) {
    store->write([id, step](StoreTxn& txn) { txn.claimStep(id, "alice", step, step, {}); },
                 outcomes.slot(static_cast<std::size_t>(step - 1)));
  }
  const bool finished = outcomes.wait();
  done = true;
  for (auto& t : readers) t.join();
  REQUIRE(finished);
  CHECK(outcomes.committed() == kSteps);
  CHECK(failures.load() == 0);
  CHECK(reads.load() > 0);
  CHECK(store->credential(id)->lastStep == kSteps);
}

TEST_CASE("identical failures within the window are one row with a count") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"), 16, 300);
  for (int i = 0; i < 5; ++i) append(*store, event(1000 + i, "alice", "wrong_code"));
  auto rows = auditOf(*store, "alice");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].count == 5);
  CHECK(rows[0].time == 1000);
  CHECK(rows[0].lastTime == 1004);
  // Past the window, or after another event, a new row starts: the order stays readable.
  append(*store, event(1400, "alice", "wrong_code"));
  append(*store, event(1401, "alice", "replayed"));
  append(*store, event(1402, "alice", "wrong_code"));
  CHECK(auditOf(*store, "alice").size() == 4);
}

TEST_CASE("successes and differing fields are never folded together") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"), 16, 300);
  AuditEvent ok = event(1000, "bob", "ok");
  ok.result = "accept";
  append(*store, ok);
  append(*store, ok);
  AuditEvent other = event(1001, "bob", "wrong_code");
  append(*store, other);
  other.rhost = "10.0.0.7";
  append(*store, other);
  other.peerUid = 7;
  append(*store, other);
  CHECK(auditOf(*store, "bob").size() == 5);
}

TEST_CASE("an untrusted caller's failures fold per caller, whatever free text it sends") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"), 16, 300);
  for (int i = 0; i < 50; ++i) {
    AuditEvent e = event(1000 + i, i % 2 ? "alice" : "nobody", "wrong_code");
    e.peerUid = 65534;
    e.trustedCaller = false;
    e.service = "svc" + std::to_string(i);
    e.rhost = std::string(200, static_cast<char>('a' + i % 26));
    append(*store, e);
  }
  auto rows = store->audit(AuditQuery{std::nullopt, 0, 1000});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].count == 50);
  CHECK(rows[0].service == "svc0");
}

TEST_CASE("audit retention deletes old logon events sooner than admin events, in batches") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  for (int i = 0; i < 10; ++i) append(*store, event(100 + i, "old", "wrong_code"));
  AuditEvent enrol = event(100, "old", "ok");
  enrol.op = "enroll";
  append(*store, enrol);
  append(*store, event(5000, "new", "wrong_code"));
  std::int64_t deleted = -1;
  auto purge = [&](std::int64_t logonBefore, std::int64_t adminBefore, int limit) {
    REQUIRE(writeAndWait(*store, [&](StoreTxn& txn) {
              deleted = txn.purgeAudit(logonBefore, adminBefore, limit);
            }) == 1);
    return deleted;
  };
  CHECK(purge(1000, 50, 4) == 4);
  CHECK(purge(1000, 50, 100) == 6);
  CHECK(purge(1000, 50, 100) == 0);
  auto old = auditOf(*store, "old");
  REQUIRE(old.size() == 1);
  CHECK(old[0].op == "enroll");
  CHECK(purge(1000, 1000, 100) == 1);
  CHECK(auditOf(*store, "new").size() == 1);
}

TEST_CASE("an account's counter is found by its id whatever name it is shown under") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  REQUIRE(writeAndWait(*store, [](StoreTxn& txn) {
            txn.putLockState(LockState{"alice", 2, 0, "nss:1001", 100});
            txn.putLockState(LockState{"nss:1001", 5, 0, "", 100});  // a typed name, not an id
          }) == 1);
  // The id finds it under another login name, and the row then shows the newest name.
  CHECK(store->lockState(authd::Principal{"a.smith", "nss:1001"}).failures == 2);
  CHECK(store->lockState("nss:1001").failures == 5);
  CHECK(store->lockState("alice").failures == 0);
  REQUIRE(writeAndWait(*store, [](StoreTxn& txn) {
            txn.putLockState(LockState{"a.smith", 3, 0, "nss:1001", 110});
          }) == 1);
  auto shown = store->listLocks(std::string("a.smith"));
  REQUIRE(shown.size() == 1);
  CHECK(shown[0].owner == "nss:1001");
  CHECK(shown[0].updatedAt == 110);
  CHECK(store->listLocks(std::string("alice")).empty());

  std::int64_t cleared = 0;
  REQUIRE(writeAndWait(*store, [&](StoreTxn& txn) {
            cleared = txn.clearLocks(authd::Principal{"alice", "nss:1001"});
          }) == 1);
  CHECK(cleared == 3);
  CHECK(store->listLocks(std::nullopt).size() == 1);  // the typed name "nss:1001" stays
  REQUIRE(writeAndWait(*store, [&](StoreTxn& txn) { cleared = txn.clearLocks("nss:1001"); }) == 1);
  CHECK(cleared == 5);
  CHECK(store->listLocks(std::nullopt).empty());
}

TEST_CASE("stale counters of unknown names are removed, a bounded number per call") {
  TempDir dir;
  auto store = openStore(dir.file("authd.db"));
  REQUIRE(writeAndWait(*store, [](StoreTxn& txn) {
            for (int i = 0; i < 5; ++i) {
              txn.putLockState(LockState{"stale" + std::to_string(i), 1, 0, "", 100 + i});
            }
            txn.putLockState(LockState{"locked", 9, 2000, "", 100});  // still locked at 1000
            txn.putLockState(LockState{"fresh", 1, 0, "", 900});
            txn.putLockState(LockState{"alice", 1, 0, "nss:1001", 100});  // an account's
          }) == 1);
  std::int64_t removed = 0;
  REQUIRE(writeAndWait(*store,
                       [&](StoreTxn& txn) { removed = txn.forgetStaleLocks(500, 1000, 3); }) == 1);
  CHECK(removed == 3);
  REQUIRE(writeAndWait(*store,
                       [&](StoreTxn& txn) { removed = txn.forgetStaleLocks(500, 1000, 3); }) == 1);
  CHECK(removed == 2);
  std::vector<std::string> left;
  for (const auto& l : store->listLocks(std::nullopt)) left.push_back(l.user);
  CHECK(left == std::vector<std::string>{"alice", "fresh", "locked"});
}
