// radius_load_gen: the client side of the RADIUS benchmark (bench/run_radius.sh,
// docs/performance.md), built on authd's own wire code (radius_packet.h, radius_crypto.h).
//   radius_load_gen --server ADDR:PORT --secret-file F --users-file FILE --requests R
//                   [--in-flight N] [--sockets S] [--rate R] [--max-seconds T] ...
// Users file lines: "user base32-secret password". Every request carries Message-Authenticator
// and User-Password = password followed by the 6-digit TOTP code of the current real-time step
// (with --code-only the code alone). N requests are in flight, spread over S UDP sockets (the
// Identifier allows 256 per socket); each reply's Response Authenticator, and its
// Message-Authenticator when present, is checked. No user is sent twice in one step, and none
// in the last --step-guard seconds of a step, so a server that checks only the current step
// (FreeRADIUS rlm_totp) and one with replay protection (authd) should both accept every
// request. No retransmissions: a request unanswered after --timeout counts as a timeout, and
// its Identifier is never used again in the run. Prints one result line; its requests_per_s
// counts answers per second of busy time (while a request was out), so that waiting for a fresh
// step does not count, and its seconds run from the start to the last answer.
// Single-threaded (Asio coroutines), so the client takes at most one of the machine's cores.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <liboath/oath.h>
#include <openssl/rand.h>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "authd/host_port.h"
#include "authd/radius/radius_crypto.h"
#include "authd/radius/radius_packet.h"
#include "bench_util.h"
#include "warped_clock.h"

namespace asio = boost::asio;
using asio::ip::udp;

namespace authd::bench {
namespace {

using namespace authd::radius;

constexpr std::int64_t kStepSeconds = 30;  // RFC 6238, as authd and rlm_totp use
constexpr unsigned kDigits = 6;
constexpr int kIdsPerSocket = 256;
const char* const kProgram = "radius_load_gen";

struct RadiusUser {
  std::string name;
  std::vector<unsigned char> secret;
  std::string password;
  std::int64_t lastStep = -1;  // no step is used twice
  bool inFlight = false;
};

struct Options {
  std::string server;
  std::string source = "127.0.0.1";
  std::string secretFile;
  std::string usersFile;
  int inFlight = 64;
  int sockets = 4;
  std::int64_t requests = 0;
  double maxSeconds = 60;
  double rate = 0;        // requests/s; 0: as fast as the replies come
  double stepGuard = 2;   // seconds before a step's end in which nothing is sent
  double timeout = 5;     // seconds
  bool codeOnly = false;  // User-Password = the code (authd's otp_only mode)
};

// One request in flight: its socket, its Identifier, and the reply the receiver hands over.
struct Slot {
  explicit Slot(const asio::any_io_executor& executor) : wake(executor) {}
  std::size_t socket = 0;
  std::uint8_t id = 0;
  Authenticator authenticator{};
  bool waiting = false;
  Bytes reply;
  SteadyClock::time_point answeredAt;
  asio::steady_timer wake;
};

struct Run {
  Options options;
  Bytes secret;
  std::vector<RadiusUser> users;
  std::vector<std::unique_ptr<udp::socket>> sockets;
  std::vector<std::unique_ptr<Slot>> slots;  // index = id * sockets + socket
  std::size_t cursor = 0;
  int workersLeft = 0;
  SteadyClock::time_point start, deadline, busySince, lastAnswer;
  double busySeconds = 0;
  int outstanding = 0;
  std::int64_t reserved = 0, issued = 0, accepted = 0, rejected = 0, timeouts = 0;
  std::int64_t replyMessageAuthenticators = 0, stepWaits = 0;
  ErrorCounts errors;
  LatencyStats latency;

  bool mayIssue() const { return issued < options.requests && SteadyClock::now() < deadline; }
  Slot* slotOf(std::size_t socket, std::uint8_t id) {
    const std::size_t i = std::size_t{id} * sockets.size() + socket;
    return i < slots.size() ? slots[i].get() : nullptr;
  }
  void busy(int delta) {
    if (outstanding == 0 && delta > 0) busySince = SteadyClock::now();
    outstanding += delta;
    if (outstanding == 0) {
      busySeconds += std::chrono::duration<double>(SteadyClock::now() - busySince).count();
    }
  }
  std::int64_t errorCount() const {
    std::int64_t total = 0;
    for (const auto& [kind, count] : errors) total += count;
    return total;
  }
};

std::vector<RadiusUser> readUsersFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::vector<RadiusUser> users;
  std::string line;
  while (std::getline(in, line)) {
    const std::string where = path + ": line " + std::to_string(users.size() + 1);
    std::istringstream fields(line);
    std::string name, encoded, password, extra;
    if (!(fields >> name >> encoded >> password) || fields >> extra) {
      throw std::runtime_error(where + ": not \"user secret password\"");
    }
    char* raw = nullptr;
    std::size_t rawLength = 0;
    if (oath_base32_decode(encoded.c_str(), encoded.size(), &raw, &rawLength) != OATH_OK ||
        raw == nullptr) {
      throw std::runtime_error(where + ": bad base32 secret");
    }
    users.push_back({name, {raw, raw + rawLength}, password});
    explicit_bzero(raw, rawLength);
    std::free(raw);
    explicit_bzero(line.data(), line.size());
    explicit_bzero(encoded.data(), encoded.size());
  }
  if (users.empty()) throw std::runtime_error(path + ": no users");
  return users;
}

Bytes readSecret(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line) || line.empty()) {
    throw std::runtime_error(path + ": no shared secret on the first line");
  }
  return {line.begin(), line.end()};
}

std::string totpCode(const RadiusUser& user, std::int64_t step) {
  char out[kDigits + 1] = {};
  int rc = oath_totp_generate2(reinterpret_cast<const char*>(user.secret.data()),
                               user.secret.size(), static_cast<time_t>(step * kStepSeconds),
                               static_cast<unsigned>(kStepSeconds), 0, kDigits, 0, out);
  if (rc != OATH_OK) throw std::runtime_error("oath_totp_generate2 failed");
  std::string code(out, kDigits);
  explicit_bzero(out, sizeof out);
  return code;
}

// Round robin over the users, skipping any already used in `step` or still in flight.
std::optional<std::size_t> pickUser(Run& run, std::int64_t step) {
  for (std::size_t tried = 0; tried < run.users.size(); ++tried) {
    const std::size_t i = run.cursor;
    run.cursor = (run.cursor + 1) % run.users.size();
    if (run.users[i].lastStep < step && !run.users[i].inFlight) {
      run.users[i].lastStep = step;
      run.users[i].inFlight = true;
      return i;
    }
  }
  return std::nullopt;
}

// The Access-Request for `user` in `step` with a fresh Request Authenticator in `slot`.
Bytes accessRequest(Run& run, Slot& slot, const RadiusUser& user, std::int64_t step) {
  if (RAND_bytes(slot.authenticator.data(), static_cast<int>(slot.authenticator.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  std::string typed = (run.options.codeOnly ? "" : user.password) + totpCode(user, step);
  std::optional<Bytes> hidden = encodeUserPassword(bytesOf(typed), run.secret, slot.authenticator);
  explicit_bzero(typed.data(), typed.size());
  const std::string nas = "bench-gw", station = "198.51.100.7";
  std::optional<Bytes> wire =
      hidden ? encodeRequest(code::kAccessRequest, slot.id, slot.authenticator,
                             {{attr::kUserName, Bytes(user.name.begin(), user.name.end())},
                              {attr::kUserPassword, *hidden},
                              {attr::kNasIdentifier, Bytes(nas.begin(), nas.end())},
                              {attr::kCallingStationId, Bytes(station.begin(), station.end())}},
                             run.secret, true)
             : std::nullopt;
  if (!wire) throw std::runtime_error("cannot encode the request of " + user.name);
  return *wire;
}

// Counts one reply after checking it belongs to the request and carries valid authenticators.
void countReply(Run& run, const Slot& slot) {
  const ParsedPacket parsed = parseRadiusPacket(slot.reply);
  if (!parsed.ok()) {
    ++run.errors["malformed reply"];
    return;
  }
  if (!verifyResponseAuthenticator(parsed.wire, slot.authenticator, run.secret)) {
    ++run.errors["wrong Response Authenticator"];
    return;
  }
  // authd signs every reply; FreeRADIUS 3.2.1 signs none. When present, it must be right.
  const auto ma = replyMessageAuthenticator(parsed.wire, slot.authenticator, run.secret);
  if (ma == MessageAuthenticatorState::kInvalid) {
    ++run.errors["wrong Message-Authenticator"];
    return;
  }
  if (ma == MessageAuthenticatorState::kValid) ++run.replyMessageAuthenticators;
  if (parsed.packet.code == code::kAccessAccept) {
    ++run.accepted;
  } else if (parsed.packet.code == code::kAccessReject) {
    ++run.rejected;
  } else {
    ++run.errors["reply code " + std::to_string(parsed.packet.code)];
  }
}

SteadyClock::duration secondsOf(double seconds) {
  return std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(seconds));
}

// Waits until `when`, or until the run's deadline when that comes first.
asio::awaitable<void> sleepUntil(Run& run, asio::steady_timer& timer,
                                 SteadyClock::time_point when) {
  timer.expires_at(std::min(when, run.deadline));
  boost::system::error_code ignored;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

asio::awaitable<void> requestWorker(Run& run, Slot& slot) {
  asio::steady_timer pause(co_await asio::this_coro::executor);
  std::optional<SteadyClock::time_point> due;  // with --rate: when this request may go
  while (run.mayIssue()) {
    if (run.options.rate > 0 && !due) {
      if (run.reserved == run.options.requests) break;  // every request has its worker
      due = dueAt(run.start, run.options.rate, run.reserved++);
      co_await sleepUntil(run, pause, *due);
      continue;
    }
    const double now = WarpedClock::realNow();
    const auto step = static_cast<std::int64_t>(now) / kStepSeconds;
    const double left = static_cast<double>((step + 1) * kStepSeconds) - now;
    std::optional<std::size_t> user;
    if (left > run.options.stepGuard) user = pickUser(run, step);
    if (!user) {  // late in the step, or every user used or busy: wait for the next step
      ++run.stepWaits;
      co_await sleepUntil(run, pause, SteadyClock::now() + secondsOf(left + 0.001));
      continue;
    }
    ++run.issued;
    due.reset();
    RadiusUser& u = run.users[*user];
    Bytes wire = accessRequest(run, slot, u, step);
    const auto sent = SteadyClock::now();
    slot.waiting = true;
    run.busy(+1);
    boost::system::error_code ec;
    co_await run.sockets[slot.socket]->async_send(asio::buffer(wire),
                                                  asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {  // loopback does not lose datagrams: something is wrong with this socket
      ++run.errors["send: " + ec.message()];
      slot.waiting = false;
      run.busy(-1);
      u.inFlight = false;
      break;
    }
    if (slot.waiting) {  // the receiver cancels the wait when the reply comes
      slot.wake.expires_after(secondsOf(run.options.timeout));
      co_await slot.wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    run.busy(-1);
    u.inFlight = false;
    if (slot.waiting) {  // no reply: never use this Identifier again
      slot.waiting = false;
      ++run.timeouts;
      break;
    }
    run.latency.add(slot.answeredAt - sent);
    countReply(run, slot);
  }
  if (--run.workersLeft == 0) {  // the last one stops the receivers
    for (auto& socket : run.sockets) socket->close();
  }
}

asio::awaitable<void> receiver(Run& run, std::size_t socketIndex) {
  std::vector<unsigned char> buffer(kMaxPacketSize + 1);
  udp::socket& socket = *run.sockets[socketIndex];
  for (;;) {
    boost::system::error_code ec;
    const std::size_t n = co_await socket.async_receive(
        asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
    if (!socket.is_open()) co_return;
    if (ec) continue;  // ICMP port unreachable and the like: the request times out
    const auto at = SteadyClock::now();
    Slot* slot = n >= kHeaderSize ? run.slotOf(socketIndex, buffer[1]) : nullptr;
    if (slot == nullptr || !slot->waiting) {
      ++run.errors["reply to no waiting request"];
      continue;
    }
    slot->reply.assign(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
    slot->answeredAt = at;
    run.lastAnswer = at;
    slot->waiting = false;
    slot->wake.cancel();
  }
}

void openSockets(Run& run, asio::io_context& io) {
  const std::optional<HostPort> where = splitHostPort(run.options.server);
  if (!where) throw std::runtime_error("--server " + run.options.server + ": not ADDRESS:PORT");
  const udp::endpoint server(asio::ip::make_address(where->address), where->port);
  const udp::endpoint local(asio::ip::make_address(run.options.source), 0);
  for (int s = 0; s < run.options.sockets; ++s) {
    auto socket = std::make_unique<udp::socket>(io, local.protocol());
    socket->set_option(udp::socket::receive_buffer_size(1 << 20));
    socket->bind(local);
    socket->connect(server);
    run.sockets.push_back(std::move(socket));
  }
  for (int i = 0; i < run.options.inFlight; ++i) {
    auto slot = std::make_unique<Slot>(io.get_executor());
    slot->socket = static_cast<std::size_t>(i % run.options.sockets);
    slot->id = static_cast<std::uint8_t>(i / run.options.sockets);
    run.slots.push_back(std::move(slot));
  }
}

int runLoad(const Options& o) {
  Run run;
  run.options = o;
  run.secret = readSecret(o.secretFile);
  run.users = readUsersFile(o.usersFile);
  asio::io_context io(1);
  openSockets(run, io);
  // An earlier run may have used the current step for any user: start on a fresh one.
  const double startAt = std::floor(WarpedClock::realNow() / kStepSeconds + 1) * kStepSeconds;
  std::this_thread::sleep_for(std::chrono::duration<double>(startAt - WarpedClock::realNow()));

  for (std::size_t s = 0; s < run.sockets.size(); ++s) {
    asio::co_spawn(io, receiver(run, s), asio::detached);
  }
  run.workersLeft = static_cast<int>(run.slots.size());
  for (auto& slot : run.slots) asio::co_spawn(io, requestWorker(run, *slot), asio::detached);
  const auto limit = secondsOf(o.maxSeconds);
  const double cpuBefore = cpuSeconds();
  run.start = SteadyClock::now();
  run.deadline = run.start + limit;
  run.lastAnswer = run.start;
  const bool finished = runBounded(io, limit + kGraceAfterDeadline);
  const double seconds = std::chrono::duration<double>(run.lastAnswer - run.start).count();
  for (auto& u : run.users) explicit_bzero(u.secret.data(), u.secret.size());

  const double answered = static_cast<double>(run.latency.count());
  std::printf(
      "in_flight=%d sockets=%d requests=%lld accepted=%lld rejected=%lld timeouts=%lld "
      "errors=%lld seconds=%.3f busy_seconds=%.3f requests_per_s=%.0f p50_ms=%.3f p99_ms=%.3f "
      "max_ms=%.3f reply_ma=%lld step_waits=%lld client_cpu_s=%.2f\n",
      o.inFlight, o.sockets, static_cast<long long>(run.issued),
      static_cast<long long>(run.accepted), static_cast<long long>(run.rejected),
      static_cast<long long>(run.timeouts), static_cast<long long>(run.errorCount()), seconds,
      run.busySeconds, run.busySeconds > 0 ? answered / run.busySeconds : 0,
      run.latency.percentileMs(50), run.latency.percentileMs(99), run.latency.percentileMs(100),
      static_cast<long long>(run.replyMessageAuthenticators), static_cast<long long>(run.stepWaits),
      cpuSeconds() - cpuBefore);
  if (run.errorCount() != 0) {
    std::cerr << kProgram << ": errors:\n";
    printErrors(kProgram, run.errors);
  }
  if (!finished) std::cerr << kProgram << ": the server stopped answering; run abandoned\n";
  return finished && run.accepted > 0 ? 0 : 1;
}

}  // namespace
}  // namespace authd::bench

int main(int argc, char** argv) {
  using namespace authd::bench;
  CLI::App app{"radius_load_gen: RADIUS Access-Request load with TOTP codes"};
  Options o;
  app.add_option("--server", o.server, "ADDRESS:PORT of the RADIUS server")->required();
  app.add_option("--source", o.source, "local address to send from");
  app.add_option("--secret-file", o.secretFile, "shared secret on the first line")->required();
  app.add_option("--users-file", o.usersFile, "lines: user base32-secret password")->required();
  app.add_option("--in-flight", o.inFlight, "requests in flight")->check(CLI::Range(1, 16384));
  app.add_option("--sockets", o.sockets, "UDP sockets (at most 256 in flight each)")
      ->check(CLI::Range(1, 64));
  app.add_option("--requests", o.requests, "requests to send")
      ->required()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000000}));
  app.add_option("--max-seconds", o.maxSeconds, "stop sending after this long")
      ->check(CLI::Range(0.1, 3600.0));
  app.add_option("--rate", o.rate, "requests per second, evenly spaced (0: no pacing)")
      ->check(CLI::Range(0.0, 1e6));
  app.add_option("--step-guard", o.stepGuard, "send nothing in a step's last seconds")
      ->check(CLI::Range(0.0, 25.0));
  app.add_option("--timeout", o.timeout, "seconds to wait for a reply")
      ->check(CLI::Range(0.1, 60.0));
  app.add_flag("--code-only", o.codeOnly, "User-Password is the code alone (otp_only)");
  CLI11_PARSE(app, argc, argv);
  if (o.inFlight > o.sockets * kIdsPerSocket) {
    std::cerr << kProgram << ": --in-flight " << o.inFlight << " needs at least "
              << (o.inFlight + kIdsPerSocket - 1) / kIdsPerSocket << " sockets\n";
    return 2;
  }

  if (oath_init() != OATH_OK) {
    std::cerr << kProgram << ": oath_init failed\n";
    return 1;
  }
  int rc = 1;
  try {
    rc = runLoad(o);
  } catch (const std::exception& e) {
    std::cerr << kProgram << ": " << e.what() << "\n";
  }
  oath_done();
  return rc;
}
