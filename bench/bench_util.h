#pragma once
// What the two load generators (load_gen.cpp for TOTP, fido2_load_gen.cpp for FIDO2) share: the
// bounded event loop, CPU time, the users file's creation, error counting, the tally of a load
// phase, the drivers of the enrol and load phases with their reports, and the options both take.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "authd/protocol.h"
#include "bench_user.h"
#include "latency_stats.h"

namespace authd::bench {

using SteadyClock = std::chrono::steady_clock;
using ErrorCounts = std::map<std::string, std::int64_t>;  // failed exchanges by kind

constexpr auto kEnrolLimit = std::chrono::minutes(10);
// How long a load phase waits for the answers still out when it stops sending.
constexpr auto kGraceAfterDeadline = std::chrono::seconds(30);

// When request `k` of a run paced at `rate` requests per second from `start` is due.
inline SteadyClock::time_point dueAt(SteadyClock::time_point start, double rate, std::int64_t k) {
  return start + std::chrono::duration_cast<SteadyClock::duration>(
                     std::chrono::duration<double>(static_cast<double>(k) / rate));
}

// Runs the coroutines until done, bounded by `limit`; false when the limit struck first.
inline bool runBounded(boost::asio::io_context& io, SteadyClock::duration limit) {
  io.run_for(limit);
  if (io.stopped()) return true;
  io.stop();
  return false;
}

// User plus system CPU time of this process so far.
inline double cpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Creates or truncates `path` for writing with mode 0600: users files hold secrets.
inline FILE* createPrivateFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error(path + ": " + std::strerror(errno));
  FILE* file = ::fdopen(fd, "w");
  if (file == nullptr) {
    ::close(fd);
    throw std::runtime_error(path + ": fdopen failed");
  }
  return file;
}

// Counts a failed exchange under authd's error code ("<step>: <code>" when a step is named);
// exception texts may quote answer bytes, so nothing else of the answer is kept.
inline void noteError(ErrorCounts& kinds, const nlohmann::json& answer,
                      std::string_view step = {}) {
  std::string kind = "malformed answer";
  if (answer.is_object() && answer.contains("error") && answer["error"].is_string()) {
    kind = answer["error"].get<std::string>();
  }
  ++kinds[step.empty() ? kind : std::string(step) + ": " + kind];
}

inline void printErrors(std::string_view program, const ErrorCounts& kinds) {
  for (const auto& [kind, count] : kinds)
    std::cerr << program << ":   " << kind << ": " << count << "\n";
}

// ---- enrol phase ------------------------------------------------------------------------------

struct EnrolOutcome {
  bool finished = false;  // false when kEnrolLimit struck first
  double seconds = 0;
};

// Runs `concurrency` workers, each the coroutine startWorker() returns, for at most kEnrolLimit.
template <class StartWorker>
EnrolOutcome runEnrolment(int concurrency, StartWorker startWorker) {
  boost::asio::io_context io(1);
  for (int c = 0; c < concurrency; ++c)
    boost::asio::co_spawn(io, startWorker(), boost::asio::detached);
  const auto start = SteadyClock::now();
  const bool finished = runBounded(io, kEnrolLimit);
  return {finished, std::chrono::duration<double>(SteadyClock::now() - start).count()};
}

// Prints the result line "enrolled=N seconds=S enrolments_per_s=R" and what went wrong; returns
// the exit status (0 when every user was enrolled in time).
inline int reportEnrolment(std::string_view program, std::int64_t enrolled, int users,
                           const EnrolOutcome& outcome, const ErrorCounts& errors) {
  std::cout << "enrolled=" << enrolled << " seconds=" << outcome.seconds
            << " enrolments_per_s=" << static_cast<double>(enrolled) / outcome.seconds << "\n";
  if (!outcome.finished) std::cerr << program << ": enrolment did not finish within 10 minutes\n";
  if (enrolled != users) {
    std::cerr << program << ": " << (users - enrolled) << " enrolments failed:\n";
    printErrors(program, errors);
    return 1;
  }
  return outcome.finished ? 0 : 1;
}

// ---- load phase -------------------------------------------------------------------------------

// The shared state of a load phase's workers: how much to send, and what came back.
struct LoadTally {
  std::int64_t requests = 0;         // at most this many requests ...
  SteadyClock::time_point deadline;  // ... and none started after this
  SteadyClock::time_point start;
  std::int64_t issued = 0;
  std::int64_t accepted = 0;
  std::int64_t rejected = 0;
  std::int64_t locked = 0;
  ErrorCounts errors;
  LatencyStats latency;
  SteadyClock::time_point lastAnswer;

  bool mayIssue() const { return issued < requests && SteadyClock::now() < deadline; }

  // Counts a verify answer; anything but a result is an error (under `errorStep` if named).
  void countAnswer(const nlohmann::json& answer, std::string_view errorStep = {}) {
    const std::string result = answer.is_object() && answer.value("ok", false)
                                   ? answer.value("result", std::string())
                                   : std::string();
    if (result == protocol::result::kAccept) {
      ++accepted;
    } else if (result == protocol::result::kReject) {
      ++rejected;
    } else if (result == protocol::result::kLocked) {
      ++locked;
    } else {
      noteError(errors, answer, errorStep);
    }
  }

  std::int64_t errorCount() const {
    std::int64_t total = 0;
    for (const auto& [kind, count] : errors) total += count;
    return total;
  }
};

struct LoadOutcome {
  bool finished = false;  // false when the server stopped answering
  double seconds = 0;     // from the start to the last answer
  double cpu = 0;         // this process's CPU seconds meanwhile
};

// Runs `concurrency` workers, each the coroutine startWorker() returns, sending for at most
// `maxSeconds` and then waiting kGraceAfterDeadline at most for the answers still out.
template <class StartWorker>
LoadOutcome runLoad(LoadTally& tally, int concurrency, double maxSeconds, StartWorker startWorker) {
  const auto limit =
      std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(maxSeconds));
  boost::asio::io_context io(1);
  for (int c = 0; c < concurrency; ++c)
    boost::asio::co_spawn(io, startWorker(), boost::asio::detached);
  const double cpuBefore = cpuSeconds();
  const auto start = SteadyClock::now();
  tally.start = start;
  tally.deadline = start + limit;
  tally.lastAnswer = start;
  const bool finished = runBounded(io, limit + kGraceAfterDeadline);
  return {finished, std::chrono::duration<double>(tally.lastAnswer - start).count(),
          cpuSeconds() - cpuBefore};
}

// What went wrong in a load phase, on stderr; `notAccepted` follows the count of fresh requests
// authd rejected or locked out.
inline void reportLoadProblems(std::string_view program, const LoadTally& tally, bool finished,
                               std::string_view notAccepted) {
  if (tally.errorCount() != 0) {
    std::cerr << program << ": errors:\n";
    printErrors(program, tally.errors);
  }
  if (tally.rejected + tally.locked != 0) {
    std::cerr << program << ": " << (tally.rejected + tally.locked) << notAccepted << "\n";
  }
  if (!finished) std::cerr << program << ": the server stopped answering; run abandoned\n";
}

// ---- command line -----------------------------------------------------------------------------

// One subcommand required; --socket may come before or after it.
inline void addSocketOption(CLI::App& app, std::string& socket) {
  app.require_subcommand(1);
  app.fallthrough();  // subcommands inherit the options
  app.add_option("--socket", socket, "authd socket path")->required();
}

struct EnrolOptions {
  int users = 0;
  int concurrency = 0;
  std::string out;
};

// enroll's options; `o` holds the defaults, `outHelp` says what the users file holds.
inline void addEnrolOptions(CLI::App& enroll, EnrolOptions& o, const std::string& outHelp) {
  enroll.add_option("--users", o.users, "how many users")->check(CLI::Range(1, 1000000));
  enroll.add_option("--concurrency", o.concurrency, "connections")->check(CLI::Range(1, 4096));
  enroll.add_option("--out", o.out, outHelp)->required();
}

struct LoadOptions {
  std::string socket;
  std::string usersFile;
  int concurrency = 1;
  std::int64_t requests = 0;
  double maxSeconds = 60;
};

// run's options; `request` names what one request is ("verify", "logon").
inline void addLoadOptions(CLI::App& run, LoadOptions& o, const std::string& request) {
  run.add_option("--users-file", o.usersFile, "file written by enroll")->required();
  run.add_option("--concurrency", o.concurrency, "connections, one " + request + " in flight each")
      ->check(CLI::Range(1, 4096));
  run.add_option("--requests", o.requests, request + " requests to send")
      ->required()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000000}));
  run.add_option("--max-seconds", o.maxSeconds, "stop sending after this long")
      ->check(CLI::Range(0.1, 3600.0));
}

}  // namespace authd::bench
