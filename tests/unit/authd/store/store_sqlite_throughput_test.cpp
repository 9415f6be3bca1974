// Throughput of durable claims with 256 concurrent producers. Not a timed test: it reports
// numbers and checks only that every claim committed. Skipped by default; run with
//   unit_authd --no-skip -sf='*throughput*'

#include <doctest/doctest.h>

#include <chrono>
#include <semaphore>
#include <thread>

#include "authd/store/store_sqlite.h"
#include "unit/authd/store/store_test_support.h"

using authd::AuditEvent;
using authd::CredentialState;
using authd::SqliteOptions;
using authd::SqliteStore;
using authd::StoreTxn;

namespace {

constexpr int kProducers = 256;

struct Fixture {
  authd::test::TempDir dir;
  std::unique_ptr<SqliteStore> store;
  std::vector<std::int64_t> ids;  // one active credential per producer

  Fixture() {
    store = std::make_unique<SqliteStore>(SqliteOptions{dir.file("authd.db"), 512, 5000});
    for (int p = 0; p < kProducers; ++p) {
      ids.push_back(authd::test::addCredential(
          *store,
          authd::test::totpCredential("user" + std::to_string(p), CredentialState::active)));
    }
  }
};

// What the verifier's commit does for an accepted code: read the lock, claim, audit.
authd::Store::TxnWork acceptedAttempt(std::int64_t id, int producer, std::int64_t step) {
  return [id, producer, step](StoreTxn& txn) {
    const std::string user = "user" + std::to_string(producer);
    (void)txn.lockState(user);
    if (!txn.claimStep(id, user, step, step, {})) throw std::logic_error("claim lost");
    txn.appendAudit(
        AuditEvent{step, user, "verify", "totp", id, "accept", "ok", "bench", 0, 0, "", ""});
  };
}

void report(const char* shape, std::int64_t items, std::int64_t commits,
            std::chrono::steady_clock::duration elapsed) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  MESSAGE(std::string(shape) << ": " << items << " claims in " << seconds
                             << " s = " << static_cast<long>(items / seconds) << " claims/s, "
                             << commits << " commits ("
                             << static_cast<double>(items) / static_cast<double>(commits)
                             << " claims per fsync)");
}

}  // namespace

TEST_CASE("throughput: 256 producer threads, one claim in flight each" * doctest::skip()) {
  Fixture f;
  constexpr int kPerProducer = 200;
  std::atomic<int> failed{0};
  const std::int64_t commitsBefore = f.store->commitCountForTest();
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (std::int64_t step = 1; step <= kPerProducer; ++step) {
        if (authd::test::writeAndWait(*f.store, acceptedAttempt(f.ids[p], p, step)) != 1) {
          ++failed;
        }
      }
    });
  }
  for (auto& t : producers) t.join();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(failed.load() == 0);
  report("threads", std::int64_t{kProducers} * kPerProducer,
         f.store->commitCountForTest() - commitsBefore, elapsed);
}

TEST_CASE("throughput: 256 claims in flight from one submitter (like coroutines)" *
          doctest::skip()) {
  Fixture f;
  constexpr int kPerProducer = 400;
  std::counting_semaphore<kProducers> inFlight(kProducers);
  authd::test::Outcomes outcomes(std::size_t{kProducers} * kPerProducer);
  const std::int64_t commitsBefore = f.store->commitCountForTest();
  const auto start = std::chrono::steady_clock::now();
  std::size_t slot = 0;
  for (std::int64_t step = 1; step <= kPerProducer; ++step) {
    for (int p = 0; p < kProducers; ++p) {
      inFlight.acquire();
      auto record = outcomes.slot(slot++);
      f.store->write(acceptedAttempt(f.ids[p], p, step), [&inFlight, record](bool ok) {
        record(ok);
        inFlight.release();
      });
    }
  }
  REQUIRE(outcomes.wait());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(outcomes.committed() == slot);
  report("in-flight", static_cast<std::int64_t>(slot),
         f.store->commitCountForTest() - commitsBefore, elapsed);
}
