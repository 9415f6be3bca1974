// load_gen: the client side of the TOTP benchmark (bench/run.sh, docs/performance.md).
//   load_gen enroll --socket S --users N --out FILE [--concurrency C]
//     enrols users bench0000.. with active TOTP credentials (caller must be an authd admin) and
//     saves "user base32-secret" lines to FILE (mode 0600).
//   load_gen ping --socket S
//     exits 0 when authd answers a ping.
//   load_gen run --socket S --users-file FILE --epoch E --speedup X --concurrency C --requests R
//     C connections, each with one verify in flight, with codes for the current step of the same
//     warped clock as bench_server; no user is verified twice in one step. Prints one result line.
//     With --rate X the verifies are spread evenly, X per second (a logon storm of given size).
// Single-threaded (Asio coroutines), so the client takes at most one of the machine's cores.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <liboath/oath.h>

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
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "line_connection.h"
#include "warped_clock.h"

namespace asio = boost::asio;
using nlohmann::json;
using stream_protocol = asio::local::stream_protocol;

namespace authd::bench {
namespace {

constexpr std::int64_t kStepSeconds = 30;  // RFC 6238 default, as authd uses
constexpr unsigned kDigits = 6;
const char* const kProgram = "load_gen";

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

// ---- enroll ---------------------------------------------------------------------------------

struct EnrollContext {
  stream_protocol::endpoint endpoint;
  int total = 0;
  int next = 0;
  std::vector<std::string> secrets;  // base32, as authd returned them
  ErrorCounts errors;
};

asio::awaitable<void> enrollWorker(EnrollContext& ctx) {
  try {
    LineConnection conn(co_await asio::this_coro::executor);
    co_await conn.connect(ctx.endpoint);
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
  FILE* file = createPrivateFile(path);
  for (int i = 0; i < ctx.total; ++i) {
    const std::string& secret = ctx.secrets[static_cast<std::size_t>(i)];
    if (!secret.empty())
      std::fprintf(file, "%s %s\n", userName(i, ctx.total).c_str(), secret.c_str());
  }
  if (std::fclose(file) != 0) throw std::runtime_error(path + ": write failed");
}

int enrollMode(const std::string& socketPath, const EnrolOptions& o) {
  EnrollContext ctx;
  ctx.endpoint = stream_protocol::endpoint(socketPath);
  ctx.total = o.users;
  ctx.secrets.resize(static_cast<std::size_t>(o.users));
  const EnrolOutcome outcome = runEnrolment(o.concurrency, [&ctx] { return enrollWorker(ctx); });
  std::int64_t enrolled = 0;
  for (const auto& s : ctx.secrets) enrolled += s.empty() ? 0 : 1;
  writeUsersFile(o.out, ctx);
  for (auto& s : ctx.secrets) explicit_bzero(s.data(), s.size());
  return reportEnrolment(kProgram, enrolled, o.users, outcome, ctx.errors);
}

// ---- ping ---------------------------------------------------------------------------------

asio::awaitable<void> pingOnce(const std::string& socketPath, bool& ok) {
  try {
    LineConnection conn(co_await asio::this_coro::executor);
    co_await conn.connect(stream_protocol::endpoint(socketPath));
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

struct RunContext : LoadTally {
  RunContext(const std::string& socket, WarpedClock warped, std::vector<BenchUser>& benchUsers,
             std::int64_t count)
      : endpoint(socket), clock(warped), users(benchUsers) {
    requests = count;
  }

  stream_protocol::endpoint endpoint;
  WarpedClock clock;
  std::vector<BenchUser>& users;
  std::size_t cursor = 0;
  std::int64_t stepWaits = 0;  // times a client found no usable user: the users, not authd, limit
  double rate = 0;             // verifies per second; 0: as fast as the answers come
  std::int64_t paced = 0;      // verifies given a due time
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

asio::awaitable<void> verifyWorker(RunContext& ctx) {
  auto executor = co_await asio::this_coro::executor;
  try {
    LineConnection conn(executor);
    co_await conn.connect(ctx.endpoint);
    asio::steady_timer nextStep(executor);
    std::int64_t id = 0;
    std::optional<SteadyClock::time_point> due;  // with a rate: when this verify may go
    while (ctx.mayIssue()) {
      if (ctx.rate > 0 && !due) {
        if (ctx.paced == ctx.requests) break;  // every verify has its client
        due = dueAt(ctx.start, ctx.rate, ctx.paced++);
        nextStep.expires_at(std::min(*due, ctx.deadline));
        co_await nextStep.async_wait(asio::use_awaitable);
        continue;
      }
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
      due.reset();
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
      ctx.countAnswer(answer);
    }
  } catch (const std::exception&) {
    ++ctx.errors["connection"];
  }
}

struct RunOptions : LoadOptions {
  double epoch = 0;
  double speedup = 1;
  double rate = 0;
};

int runMode(const RunOptions& o) {
  std::vector<BenchUser> users = readUsersFile(o.usersFile);
  RunContext ctx(o.socket, WarpedClock(o.epoch, o.speedup), users, o.requests);
  ctx.rate = o.rate;
  // An earlier run may have used the current step for any user: start on a fresh one.
  const std::int64_t firstStep = ctx.clock.now() / kStepSeconds + 1;
  for (auto& u : users) u.lastStep = firstStep - 1;
  std::this_thread::sleep_for(ctx.clock.realUntil(firstStep * kStepSeconds));
  const LoadOutcome outcome =
      runLoad(ctx, o.concurrency, o.maxSeconds, [&ctx] { return verifyWorker(ctx); });
  wipeUsers(users);

  const double rate = outcome.seconds > 0 ? static_cast<double>(ctx.accepted) / outcome.seconds : 0;
  const double p50 = ctx.latency.percentileMs(50);
  const double p99 = ctx.latency.percentileMs(99);
  std::printf(
      "concurrency=%d requests=%lld accepted=%lld rejected=%lld locked=%lld errors=%lld "
      "seconds=%.3f verifications_per_s=%.0f p50_ms=%.3f p99_ms=%.3f client_cpu_s=%.2f "
      "step_waits=%lld\n",
      o.concurrency, static_cast<long long>(ctx.latency.count()),
      static_cast<long long>(ctx.accepted), static_cast<long long>(ctx.rejected),
      static_cast<long long>(ctx.locked), static_cast<long long>(ctx.errorCount()), outcome.seconds,
      rate, p50, p99, outcome.cpu, static_cast<long long>(ctx.stepWaits));
  reportLoadProblems(kProgram, ctx, outcome.finished,
                     " fresh codes were not accepted: a bug or clock skew");
  return outcome.finished && ctx.accepted > 0 ? 0 : 1;
}

}  // namespace
}  // namespace authd::bench

int main(int argc, char** argv) {
  using namespace authd::bench;
  CLI::App app{"load_gen: TOTP load generator for authd benchmarks"};
  std::string socket;
  addSocketOption(app, socket);

  auto* enroll = app.add_subcommand("enroll", "enrol bench users and save their secrets");
  EnrolOptions enrolOptions{10000, 64, {}};
  addEnrolOptions(*enroll, enrolOptions, "file for user/secret lines (mode 0600)");

  auto* ping = app.add_subcommand("ping", "exit 0 when authd answers a ping");

  auto* run = app.add_subcommand("run", "verify codes with concurrent connections");
  RunOptions o;
  addLoadOptions(*run, o, "verify");
  run->add_option("--epoch", o.epoch, "same as bench_server's")->required();
  run->add_option("--speedup", o.speedup, "same as bench_server's")
      ->required()
      ->check(CLI::Range(1.0, 100000.0));
  run->add_option("--rate", o.rate, "verifies per second, evenly spaced (0: no pacing)")
      ->check(CLI::Range(0.0, 1e6));
  CLI11_PARSE(app, argc, argv);

  if (oath_init() != OATH_OK) {
    std::cerr << "load_gen: oath_init failed\n";
    return 1;
  }
  int rc = 1;
  try {
    if (*ping) rc = pingMode(socket);
    if (*enroll) rc = enrollMode(socket, enrolOptions);
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
