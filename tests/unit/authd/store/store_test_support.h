#pragma once
// Helpers shared by the store tests: a private temporary directory, completion tracking that
// fails instead of hanging, and a gate that holds the writer thread inside a work item.

#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "authd/store/store.h"

namespace authd::test {

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/authd-store-XXXXXX";
    if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Generous: only reached when a completion was lost, which fails the test.
inline constexpr auto kLostCompletion = std::chrono::seconds(60);

// Records the outcome of `count` writes; wait() is false when some never completed.
class Outcomes {
 public:
  explicit Outcomes(std::size_t count) : results_(count, -1) {}
  Store::Done slot(std::size_t index) {
    return [this, index](bool ok) {
      std::lock_guard lock(mutex_);
      results_.at(index) = ok ? 1 : 0;
      ++finished_;
      changed_.notify_all();
    };
  }
  bool wait() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kLostCompletion,
                             [this] { return finished_ == results_.size(); });
  }
  // -1 = not completed, 0 = rolled back, 1 = committed.
  int result(std::size_t index) {
    std::lock_guard lock(mutex_);
    return results_.at(index);
  }
  std::size_t committed() {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (int r : results_) n += r == 1;
    return n;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<int> results_;
  std::size_t finished_ = 0;
};

// Runs one write and waits for its completion: 1 committed, 0 rolled back, -1 lost.
inline int writeAndWait(Store& store, Store::TxnWork work) {
  Outcomes outcome(1);
  store.write(std::move(work), outcome.slot(0));
  outcome.wait();
  return outcome.result(0);
}

// Holds the writer thread inside a work item until released, so later writes pile up in the
// queue and form the next batch.
class WriterGate {
 public:
  WriterGate() : released_(release_.get_future().share()) {}
  // Queues the holding item and returns once the writer runs it.
  void close(Store& store, Store::Done done = {}) {
    // Shared: the writer may still be inside set_value() when this function returns.
    auto entered = std::make_shared<std::promise<void>>();
    auto enteredFuture = entered->get_future();
    store.write(
        [entered, released = released_](StoreTxn&) {
          entered->set_value();
          released.wait();
        },
        std::move(done));
    enteredFuture.wait();
  }
  void open() { release_.set_value(); }

 private:
  std::promise<void> release_;
  std::shared_future<void> released_;
};

// doctest stringifies operands with an unqualified toString(), which finds authd::toString() by
// argument-dependent lookup and breaks CHECK(state == other); compare the names instead.
inline std::string nameOf(CredentialState state) { return toString(state); }

inline CredentialRecord totpCredential(const std::string& user, CredentialState state,
                                       std::int64_t lastStep = -1) {
  CredentialRecord r;
  r.user = user;
  r.factor = "totp";
  r.label = "phone of " + user;
  r.state = state;
  r.algorithm = "sha256";
  r.digits = 8;
  r.sealedSecret = {0x01, 0x02, 0x03, 0x00, 0xfe, 0xff};
  r.lastStep = lastStep;
  r.createdAt = 1700000000;
  return r;
}

// Inserts a credential synchronously and returns its id (0 when the write failed).
inline std::int64_t addCredential(Store& store, const CredentialRecord& record) {
  std::int64_t id = 0;
  if (writeAndWait(store, [&](StoreTxn& txn) { id = txn.insertCredential(record); }) != 1) {
    return 0;
  }
  return id;
}

}  // namespace authd::test
