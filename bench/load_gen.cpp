// load_gen: the client side of the TOTP benchmark (bench/run.sh, docs/performance.md).
//   load_gen enroll --socket S --users N --out FILE [--concurrency C]
//     enrols users bench0000.. with active TOTP credentials (caller must be an authd admin) and
//     saves "user base32-secret" lines to FILE (mode 0600).
//   load_gen ping --socket S
//     exits 0 when authd answers a ping.
//   load_gen run --socket S --users-file FILE --epoch E --speedup X --concurrency C --requests R
//     C connections, each with one verify in flight, with codes for the current step of the same
//     warped clock as bench_server; no user is verified twice in one step. Prints one result line.
// Single-threaded (Asio coroutines), so the client takes at most one of the machine's cores.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <fcntl.h>
#include <liboath/oath.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "latency_stats.h"
#include "line_connection.h"
#include "warped_clock.h"

namespace asio = boost::asio;
using nlohmann::json;
using stream_protocol = asio::local::stream_protocol;
using SteadyClock = std::chrono::steady_clock;

namespace authd::bench {
namespace {

constexpr std::int64_t kStepSeconds = 30;  // RFC 6238 default, as authd uses
constexpr unsigned kDigits = 6;
constexpr auto kGraceAfterDeadline = std::chrono::seconds(30);

struct BenchUser {
  std::string name;
  std::vector<unsigned char> secret;
  std::int64_t lastStep = -1;  // the last step this run used, so no step is used twice
  bool inFlight = false;       // a verify is out: a later one could commit first and turn it
                               // into a replay
};

void wipeUsers(std::vector<BenchUser>& users) {
  for (auto& u : users) explicit_bzero(u.secret.data(), u.secret.size());
}

std::string userName(int index, int total) {
  int width = std::max(4, static_cast<int>(std::to_string(std::max(total - 1, 0)).size()));
  std::string digits = std::to_string(index);
  return "bench" + std::string(static_cast<std::size_t>(width) - digits.size(), '0') + digits;
}

// Counts a failed exchange under a coarse kind; exception texts may quote answer bytes.
void noteError(std::map<std::string, std::int64_t>& kinds, const json& answer) {
  std::string kind = "malformed answer";
  if (answer.is_object() && answer.contains("error") && answer["error"].is_string()) {
    kind = answer["error"].get<std::string>();
  }
  ++kinds[kind];
}

void printErrors(const std::map<std::string, std::int64_t>& kinds) {
  for (const auto& [kind, count] : kinds)
    std::cerr << "load_gen:   " << kind << ": " << count << "\n";
}

// Runs the coroutines until done, bounded by `limit`; false when the limit struck first.
bool runBounded(asio::io_context& io, std::chrono::steady_clock::duration limit) {
  io.run_for(limit);
  if (io.stopped()) return true;
  io.stop();
  return false;
}

// ---- enroll ---------------------------------------------------------------------------------

struct EnrollContext {
  stream_protocol::endpoint endpoint;
  int total = 0;
  int next = 0;
  std::vector<std::string> secrets;  // base32, as authd returned them
  std::map<std::string, std::int64_t> errors;
};

asio::awaitable<void> enrollWorker(EnrollContext& ctx) {
  try {
    stream_protocol::socket socket(co_await asio::this_coro::executor);
    co_await socket.async_connect(ctx.endpoint, asio::use_awaitable);
    LineConnection conn(std::move(socket));
    while (ctx.next < ctx.total) {
      const int i = ctx.next++;
      json request = {{"v", 1},
                      {"id", i},
                      {"op", "enroll_totp"},
                      {"user", userName(i, ctx.total)},
                      {"confirm", false},
                      {"digits", kDigits},
                      {"algorithm", "sha1"}};
      json answer = co_await conn.call(request);
      if (answer.value("ok", false) && answer.value("state", "") == "active" &&
          answer.contains("secret") && answer["secret"].is_string()) {
        ctx.secrets[static_cast<std::size_t>(i)] = answer["secret"].get<std::string>();
        auto& s = answer["secret"].get_ref<std::string&>();
        explicit_bzero(s.data(), s.size());
      } else {
        noteError(ctx.errors, answer);
      }
    }
  } catch (const std::exception&) {
    ++ctx.errors["connection"];
  }
}

void writeUsersFile(const std::string& path, const EnrollContext& ctx) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error(path + ": " + std::strerror(errno));
  FILE* file = ::fdopen(fd, "w");
  if (file == nullptr) {
    ::close(fd);
    throw std::runtime_error(path + ": fdopen failed");
  }
  for (int i = 0; i < ctx.total; ++i) {
    const std::string& secret = ctx.secrets[static_cast<std::size_t>(i)];
    if (!secret.empty())
      std::fprintf(file, "%s %s\n", userName(i, ctx.total).c_str(), secret.c_str());
  }
  if (std::fclose(file) != 0) throw std::runtime_error(path + ": write failed");
}

int enrollMode(const std::string& socketPath, int users, int concurrency, const std::string& out) {
  EnrollContext ctx;
  ctx.endpoint = stream_protocol::endpoint(socketPath);
  ctx.total = users;
  ctx.secrets.resize(static_cast<std::size_t>(users));
  asio::io_context io(1);
  for (int c = 0; c < concurrency; ++c) asio::co_spawn(io, enrollWorker(ctx), asio::detached);
  const auto start = SteadyClock::now();
  bool finished = runBounded(io, std::chrono::minutes(10));
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  std::int64_t enrolled = 0;
  for (const auto& s : ctx.secrets) enrolled += s.empty() ? 0 : 1;
  writeUsersFile(out, ctx);
  for (auto& s : ctx.secrets) explicit_bzero(s.data(), s.size());
  std::cout << "enrolled=" << enrolled << " seconds=" << seconds
            << " enrolments_per_s=" << static_cast<double>(enrolled) / seconds << "\n";
  if (!finished) std::cerr << "load_gen: enrolment did not finish within 10 minutes\n";
  if (enrolled != users) {
    std::cerr << "load_gen: " << (users - enrolled) << " enrolments failed:\n";
    printErrors(ctx.errors);
    return 1;
  }
  return finished ? 0 : 1;
}

// ---- ping ---------------------------------------------------------------------------------

asio::awaitable<void> pingOnce(const std::string& socketPath, bool& ok) {
  try {
    stream_protocol::socket socket(co_await asio::this_coro::executor);
    co_await socket.async_connect(stream_protocol::endpoint(socketPath), asio::use_awaitable);
    LineConnection conn(std::move(socket));
    const json request = {{"v", 1}, {"id", 1}, {"op", "ping"}};
    json answer = co_await conn.call(request);
    ok = answer.value("ok", false);
  } catch (const std::exception&) {
    ok = false;
  }
}

// Exit status 0 when authd answers a ping within 5 seconds: lets run.sh wait for the server.
int pingMode(const std::string& socketPath) {
  bool ok = false;
  asio::io_context io(1);
  asio::co_spawn(io, pingOnce(socketPath, ok), asio::detached);
  return runBounded(io, std::chrono::seconds(5)) && ok ? 0 : 1;
}

// ---- run ------------------------------------------------------------------------------------

std::vector<BenchUser> readUsersFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::vector<BenchUser> users;
  std::string line;
  while (std::getline(in, line)) {
    const auto space = line.find(' ');
    if (space == 0 || space == std::string::npos || space > protocol::kMaxUserBytes ||
        line.find(' ', space + 1) != std::string::npos) {
      throw std::runtime_error(path + ": malformed line " + std::to_string(users.size() + 1));
    }
    char* raw = nullptr;
    std::size_t rawLength = 0;
    const char* encoded = line.c_str() + space + 1;
    int rc = oath_base32_decode(encoded, line.size() - space - 1, &raw, &rawLength);
    if (rc != OATH_OK || raw == nullptr) {
      throw std::runtime_error(path + ": bad secret on line " + std::to_string(users.size() + 1));
    }
    BenchUser user{line.substr(0, space), {raw, raw + rawLength}};
    explicit_bzero(raw, rawLength);
    std::free(raw);
    explicit_bzero(line.data(), line.size());
    users.push_back(std::move(user));
  }
  if (users.empty()) throw std::runtime_error(path + ": no users");
  return users;
}

std::string totpCode(const BenchUser& user, std::int64_t step) {
  char out[kDigits + 1] = {};
  int rc = oath_totp_generate2(reinterpret_cast<const char*>(user.secret.data()),
                               user.secret.size(), static_cast<time_t>(step * kStepSeconds),
                               static_cast<unsigned>(kStepSeconds), 0, kDigits, 0, out);
  if (rc != OATH_OK) throw std::runtime_error("oath_totp_generate2 failed");
  std::string code(out, kDigits);
  explicit_bzero(out, sizeof out);
  return code;
}

struct RunContext {
  RunContext(const std::string& socket, WarpedClock warped, std::vector<BenchUser>& benchUsers,
             std::int64_t count)
      : endpoint(socket), clock(warped), users(benchUsers), requests(count) {}

  stream_protocol::endpoint endpoint;
  WarpedClock clock;
  std::vector<BenchUser>& users;
  std::int64_t requests = 0;
  SteadyClock::time_point deadline;

  std::size_t cursor = 0;
  std::int64_t issued = 0;
  std::int64_t accepted = 0;
  std::int64_t rejected = 0;
  std::int64_t locked = 0;
  std::int64_t stepWaits = 0;  // times a client found no usable user: the users, not authd, limit
  std::map<std::string, std::int64_t> errors;
  LatencyStats latency;
  SteadyClock::time_point lastAnswer;
};

// Round robin over the users, skipping any already used in `step` (a replay would be rejected)
// and any with a verify still out.
std::optional<std::size_t> pickUser(RunContext& ctx, std::int64_t step) {
  for (std::size_t tried = 0; tried < ctx.users.size(); ++tried) {
    const std::size_t i = ctx.cursor;
    ctx.cursor = (ctx.cursor + 1) % ctx.users.size();
    if (ctx.users[i].lastStep < step && !ctx.users[i].inFlight) {
      ctx.users[i].lastStep = step;
      ctx.users[i].inFlight = true;
      return i;
    }
  }
  return std::nullopt;
}

void countAnswer(RunContext& ctx, const json& answer) {
  const std::string result = answer.is_object() && answer.value("ok", false)
                                 ? answer.value("result", std::string())
                                 : std::string();
  if (result == protocol::result::kAccept) {
    ++ctx.accepted;
  } else if (result == protocol::result::kReject) {
    ++ctx.rejected;
  } else if (result == protocol::result::kLocked) {
    ++ctx.locked;
  } else {
    noteError(ctx.errors, answer);
  }
}

asio::awaitable<void> verifyWorker(RunContext& ctx) {
  auto executor = co_await asio::this_coro::executor;
  try {
    stream_protocol::socket socket(executor);
    co_await socket.async_connect(ctx.endpoint, asio::use_awaitable);
    LineConnection conn(std::move(socket));
    asio::steady_timer nextStep(executor);
    std::int64_t id = 0;
    while (ctx.issued < ctx.requests && SteadyClock::now() < ctx.deadline) {
      const std::int64_t step = ctx.clock.now() / kStepSeconds;
      auto user = pickUser(ctx, step);
      if (!user) {  // every user is used in this step or busy: wait for the next step
        ++ctx.stepWaits;
        nextStep.expires_after(std::max<std::chrono::nanoseconds>(
            ctx.clock.realUntil((step + 1) * kStepSeconds), std::chrono::microseconds(50)));
        co_await nextStep.async_wait(asio::use_awaitable);
        continue;
      }
      ++ctx.issued;
      BenchUser& u = ctx.users[*user];
      json request = {{"v", 1},
                      {"id", ++id},
                      {"op", "verify"},
                      {"user", u.name},
                      {"factor", "totp"},
                      {"code", totpCode(u, step)},
                      {"service", "bench"}};
      const auto sent = SteadyClock::now();
      json answer = co_await conn.call(request);
      ctx.lastAnswer = SteadyClock::now();
      ctx.latency.add(ctx.lastAnswer - sent);
      u.inFlight = false;
      auto& code = request["code"].get_ref<std::string&>();
      explicit_bzero(code.data(), code.size());
      countAnswer(ctx, answer);
    }
  } catch (const std::exception&) {
    ++ctx.errors["connection"];
  }
}

double cpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct RunOptions {
  std::string socket;
  std::string usersFile;
  double epoch = 0;
  double speedup = 1;
  int concurrency = 1;
  std::int64_t requests = 0;
  double maxSeconds = 60;
};

int runMode(const RunOptions& o) {
  std::vector<BenchUser> users = readUsersFile(o.usersFile);
  RunContext ctx(o.socket, WarpedClock(o.epoch, o.speedup), users, o.requests);
  // An earlier run may have used the current step for any user: start on a fresh one.
  const std::int64_t firstStep = ctx.clock.now() / kStepSeconds + 1;
  for (auto& u : users) u.lastStep = firstStep - 1;
  std::this_thread::sleep_for(ctx.clock.realUntil(firstStep * kStepSeconds));
  const auto limit = std::chrono::duration_cast<SteadyClock::duration>(
      std::chrono::duration<double>(o.maxSeconds));
  asio::io_context io(1);
  for (int c = 0; c < o.concurrency; ++c) asio::co_spawn(io, verifyWorker(ctx), asio::detached);
  const double cpuBefore = cpuSeconds();
  const auto start = SteadyClock::now();
  ctx.deadline = start + limit;
  ctx.lastAnswer = start;
  bool finished = runBounded(io, limit + kGraceAfterDeadline);
  wipeUsers(users);

  std::int64_t errors = 0;
  for (const auto& [kind, count] : ctx.errors) errors += count;
  const double seconds = std::chrono::duration<double>(ctx.lastAnswer - start).count();
  const double rate = seconds > 0 ? static_cast<double>(ctx.accepted) / seconds : 0;
  const double p50 = ctx.latency.percentileMs(50);
  const double p99 = ctx.latency.percentileMs(99);
  std::printf(
      "concurrency=%d requests=%lld accepted=%lld rejected=%lld locked=%lld errors=%lld "
      "seconds=%.3f verifications_per_s=%.0f p50_ms=%.3f p99_ms=%.3f client_cpu_s=%.2f "
      "step_waits=%lld\n",
      o.concurrency, static_cast<long long>(ctx.latency.count()),
      static_cast<long long>(ctx.accepted), static_cast<long long>(ctx.rejected),
      static_cast<long long>(ctx.locked), static_cast<long long>(errors), seconds, rate, p50, p99,
      cpuSeconds() - cpuBefore, static_cast<long long>(ctx.stepWaits));
  if (errors != 0) {
    std::cerr << "load_gen: errors:\n";
    printErrors(ctx.errors);
  }
  if (ctx.rejected + ctx.locked != 0) {
    std::cerr << "load_gen: " << (ctx.rejected + ctx.locked)
              << " fresh codes were not accepted: a bug or clock skew\n";
  }
  if (!finished) std::cerr << "load_gen: the server stopped answering; run abandoned\n";
  return finished && ctx.accepted > 0 ? 0 : 1;
}

}  // namespace
}  // namespace authd::bench

int main(int argc, char** argv) {
  using namespace authd::bench;
  CLI::App app{"load_gen: TOTP load generator for authd benchmarks"};
  app.require_subcommand(1);
  app.fallthrough();  // subcommands inherit it: --socket may follow the subcommand name
  std::string socket;
  app.add_option("--socket", socket, "authd socket path")->required();

  auto* enroll = app.add_subcommand("enroll", "enrol bench users and save their secrets");
  int users = 10000;
  int enrollConcurrency = 64;
  std::string out;
  enroll->add_option("--users", users, "how many users")->check(CLI::Range(1, 1000000));
  enroll->add_option("--concurrency", enrollConcurrency, "connections")->check(CLI::Range(1, 4096));
  enroll->add_option("--out", out, "file for user/secret lines (mode 0600)")->required();

  auto* ping = app.add_subcommand("ping", "exit 0 when authd answers a ping");

  auto* run = app.add_subcommand("run", "verify codes with concurrent connections");
  RunOptions o;
  run->add_option("--users-file", o.usersFile, "file written by enroll")->required();
  run->add_option("--epoch", o.epoch, "same as bench_server's")->required();
  run->add_option("--speedup", o.speedup, "same as bench_server's")
      ->required()
      ->check(CLI::Range(1.0, 100000.0));
  run->add_option("--concurrency", o.concurrency, "connections, one verify in flight each")
      ->check(CLI::Range(1, 4096));
  run->add_option("--requests", o.requests, "verifications to send")
      ->required()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000000}));
  run->add_option("--max-seconds", o.maxSeconds, "stop sending after this long")
      ->check(CLI::Range(0.1, 3600.0));
  CLI11_PARSE(app, argc, argv);

  if (oath_init() != OATH_OK) {
    std::cerr << "load_gen: oath_init failed\n";
    return 1;
  }
  int rc = 1;
  try {
    if (*ping) rc = pingMode(socket);
    if (*enroll) rc = enrollMode(socket, users, enrollConcurrency, out);
    if (*run) {
      o.socket = socket;
      rc = runMode(o);
    }
  } catch (const std::exception& e) {
    std::cerr << "load_gen: " << e.what() << "\n";
    rc = 1;
  }
  oath_done();
  return rc;
}
