// Crash safety: a child process commits claims in a loop and reports each one through a pipe
// once its completion says it is durable; the parent kills it with SIGKILL after a random number
// of reports, then checks that the database is intact and holds every reported claim.

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <semaphore>
#include <set>

#include "authd/store/store_sqlite.h"
#include "unit/authd/store/store_test_support.h"

using authd::AuditQuery;
using authd::CredentialState;
using authd::SqliteDb;
using authd::StoreTxn;

namespace {

constexpr const char* kUser = "alice";

// The child: claims step after step forever, 256 in flight, reporting each committed step.
[[noreturn]] void claimForever(const std::string& path, std::int64_t id, std::int64_t firstStep,
                               int reportFd) {
  try {
    auto store = authd::openSqliteStore({path, 64, 5000});
    std::counting_semaphore<256> inFlight(256);
    for (std::int64_t step = firstStep;; ++step) {
      inFlight.acquire();
      store->write(
          [id, step](StoreTxn& txn) {
            txn.claimStep(id, kUser, step, step, {});
            txn.appendAudit({step, kUser, "verify", "totp", id, "accept",
                             "claim-" + std::to_string(step), "crash-test", 0, 0, "", ""});
          },
          [step, reportFd, &inFlight](bool ok) {
            if (!ok || ::write(reportFd, &step, sizeof step) != sizeof step) _exit(3);
            inFlight.release();
          });
    }
  } catch (...) {
    _exit(2);
  }
}

// Reads the child's reports until `wanted` arrived or the pipe closed.
void readReports(int fd, std::vector<std::int64_t>& steps, std::size_t wanted) {
  while (steps.size() < wanted) {
    std::int64_t step = 0;
    ssize_t n = ::read(fd, &step, sizeof step);  // writes of 8 bytes are atomic in a pipe
    if (n == 0) return;
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof step)) FAIL("bad report from the child");
    steps.push_back(step);
  }
}

std::string integrityCheck(const std::string& path) {
  SqliteDb raw(path, SQLITE_OPEN_READWRITE, 5000);
  auto q = raw.query("PRAGMA integrity_check");
  REQUIRE(q.step());
  return q.text(0);
}

}  // namespace

TEST_CASE("a writer killed with SIGKILL loses nothing it reported as committed") {
  authd::test::TempDir dir;
  const std::string path = dir.file("authd.db");
  std::int64_t id = 0;
  {
    auto store = authd::openSqliteStore({path});
    id = authd::test::addCredential(*store,
                                    authd::test::totpCredential(kUser, CredentialState::active, 0));
    REQUIRE(id > 0);
  }
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<std::size_t> killAfter(1, 400);
  std::int64_t nextStep = 1;
  std::set<std::int64_t> allReported;

  for (int round = 0; round < 5; ++round) {
    CAPTURE(round);
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    const std::size_t wanted = killAfter(rng);
    CAPTURE(wanted);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      ::close(fds[0]);
      claimForever(path, id, nextStep, fds[1]);
    }
    ::close(fds[1]);
    std::vector<std::int64_t> reported;
    readReports(fds[0], reported, wanted);
    ::kill(child, SIGKILL);
    readReports(fds[0], reported, SIZE_MAX);  // whatever it wrote before dying
    ::close(fds[0]);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFSIGNALED(status));  // it never stops on its own
    REQUIRE(reported.size() >= wanted);

    CHECK(integrityCheck(path) == "ok");
    auto store = authd::openSqliteStore({path});
    auto credential = store->credential(id);
    REQUIRE(credential);
    std::set<std::string> reasons;
    std::int64_t highestAudited = 0;
    for (const auto& e : store->audit(AuditQuery{std::string(kUser), 0, 1000000})) {
      reasons.insert(e.reason);
      highestAudited = std::max(highestAudited, e.time);
    }
    int missing = 0;
    for (std::int64_t step : reported) {
      missing += reasons.count("claim-" + std::to_string(step)) == 0;
      allReported.insert(step);
    }
    CHECK(missing == 0);
    // Claim and audit of one item commit together: the credential is exactly as far as the log.
    CHECK(credential->lastStep == highestAudited);
    CHECK(credential->lastStep >= *std::max_element(reported.begin(), reported.end()));
    nextStep = credential->lastStep + 1;
  }
  // Earlier rounds' reports survive later crashes too.
  auto store = authd::openSqliteStore({path});
  std::set<std::string> reasons;
  for (const auto& e : store->audit(AuditQuery{std::string(kUser), 0, 1000000})) {
    reasons.insert(e.reason);
  }
  int missing = 0;
  for (std::int64_t step : allReported)
    missing += reasons.count("claim-" + std::to_string(step)) == 0;
  CHECK(missing == 0);
}
