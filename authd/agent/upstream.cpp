#include "authd/agent/upstream.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <stdexcept>

#include "authd/api/peer_certificate.h"
#include "authd/base/log.h"
#include "authd/base/tls_settings.h"
#include "authd/host_port.h"
#include "authd/protocol.h"

namespace authd {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Connections to the central authd, in use or idle, at most: below its default per-device limit
// (tls.max_connections_per_device, 64). Further requests wait for one to come free rather than
// open (and close again) one TLS connection each.
constexpr std::size_t kMaxConnections = 32;
// Below the central authd's default idle timeout (30 s), so that a kept connection is not one
// the server is about to close.
constexpr auto kMaxIdleAge = std::chrono::seconds(20);

std::string nameInCertificate(const std::string& certFile) {
  std::FILE* file = std::fopen(certFile.c_str(), "re");
  if (file == nullptr) throw std::runtime_error("agent cert_file " + certFile + ": cannot open");
  X509* cert = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  std::optional<std::string> name = certificateName(cert);
  X509_free(cert);
  if (!name) {
    throw std::runtime_error("agent cert_file " + certFile +
                             ": the certificate has no usable common name (the device's name)");
  }
  return *name;
}

ssl::context clientContext(const Config::Agent& options) {
  ssl::context context(ssl::context::tls_client);
  SSL_CTX* ctx = context.native_handle();
  applyTlsPolicy(ctx);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT);
  loadCertificateAndKey(ctx, options.certFile, options.keyFile, "agent");
  boost::system::error_code ec;
  context.load_verify_file(options.caFile, ec);
  if (ec) throw std::runtime_error("agent ca_file " + options.caFile + ": " + ec.message());
  context.set_verify_mode(ssl::verify_peer);
  return context;
}

bool isIpAddress(const std::string& host) {
  boost::system::error_code ec;
  (void)asio::ip::make_address(host, ec);
  return !ec;
}

// Runs `expire` (closing the step's socket) when the step takes too long. Once the step is over
// it never runs, also when the timer had already fired and its handler is still queued: the
// socket it would close may be gone by then.
struct Deadline {
  Deadline(asio::io_context& io, std::chrono::milliseconds after, std::function<void()> expire)
      : timer(std::make_shared<asio::steady_timer>(io, after)) {
    timer->async_wait(
        [expire = std::move(expire), pending = pending](const boost::system::error_code& ec) {
          if (!ec && *pending) expire();
        });
  }
  ~Deadline() {
    *pending = false;
    timer->cancel();
  }
  std::shared_ptr<bool> pending = std::make_shared<bool>(true);
  std::shared_ptr<asio::steady_timer> timer;
};

}  // namespace

struct Upstream::Connection {
  Connection(asio::io_context& io, ssl::context& context) : stream(io, context) {}
  Stream stream;
  Server* server = nullptr;
  Clock::time_point idleSince{};
  bool fromPool = false;
};

Upstream::Upstream(asio::io_context& io, const Config::Agent& options)
    : io_(io),
      options_(options),
      context_(clientContext(options)),
      deviceName_(nameInCertificate(options.certFile)) {
  for (const auto& address : options_.servers) {
    const std::optional<HostPort> where = splitServerAddress(address);
    if (!where) throw std::runtime_error("agent servers: \"" + address + "\" is not HOST:PORT");
    servers_.push_back(Server{address, where->address, std::to_string(where->port), {}, nullptr});
  }
}

Upstream::~Upstream() = default;

namespace {

// An idle connection with something to read was closed (or written to) by the server: a
// request sent on it would break, and then could not fall back to offline logon.
bool closedByServer(tcp::socket& socket) {
  pollfd p{socket.native_handle(), POLLIN | POLLRDHUP, 0};
  return ::poll(&p, 1, 0) != 0;
}

}  // namespace

std::unique_ptr<Upstream::Connection> Upstream::takeIdle() {
  while (!idle_.empty()) {
    std::unique_ptr<Connection> connection = std::move(idle_.back());
    idle_.pop_back();
    if (Clock::now() - connection->idleSince < kMaxIdleAge &&
        !closedByServer(connection->stream.next_layer())) {
      connection->fromPool = true;
      return connection;
    }
    --open_;
  }
  return nullptr;
}

void Upstream::keepIdle(std::unique_ptr<Connection> connection) {
  connection->idleSince = Clock::now();
  connection->fromPool = false;
  idle_.push_back(std::move(connection));
  wakeOne();
}

void Upstream::release() {
  --open_;
  wakeOne();
}

void Upstream::wakeOne() {
  if (waiters_.empty()) return;
  waiters_.front()->cancel();
  waiters_.pop_front();
}

asio::awaitable<std::unique_ptr<Upstream::Connection>> Upstream::acquire() {
  for (;;) {
    if (std::unique_ptr<Connection> idle = takeIdle()) co_return idle;
    if (open_ < kMaxConnections) {
      ++open_;
      std::unique_ptr<Connection> fresh = co_await connect();
      if (!fresh) release();
      co_return fresh;
    }
    // Woken (cancelled) when a connection is kept or given up.
    auto turn = std::make_shared<asio::steady_timer>(io_, Clock::time_point::max());
    waiters_.push_back(turn);
    boost::system::error_code ignored;
    co_await turn->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

asio::awaitable<std::unique_ptr<Upstream::Connection>> Upstream::connectTo(Server& server) {
  auto connection = std::make_unique<Connection>(io_, context_);
  connection->server = &server;
  auto resolver = std::make_shared<tcp::resolver>(io_);
  tcp::socket* socket = &connection->stream.next_layer();
  auto timedOut = std::make_shared<bool>(false);
  Deadline deadline(io_, std::chrono::milliseconds(options_.connectTimeoutMs),
                    [resolver, socket, timedOut] {
                      *timedOut = true;
                      resolver->cancel();
                      boost::system::error_code ignored;
                      socket->close(ignored);
                    });
  boost::system::error_code ec;
  auto endpoints = co_await resolver->async_resolve(server.host, server.port,
                                                    asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) {
    co_await asio::async_connect(*socket, endpoints, asio::redirect_error(asio::use_awaitable, ec));
  }
  SSL* ssl = connection->stream.native_handle();
  if (!ec) {
    if (!isIpAddress(server.host)) SSL_set_tlsext_host_name(ssl, server.host.c_str());
    connection->stream.set_verify_callback(ssl::host_name_verification(server.host));
    if (server.session) SSL_set_session(ssl, static_cast<SSL_SESSION*>(server.session.get()));
    co_await connection->stream.async_handshake(ssl::stream_base::client,
                                                asio::redirect_error(asio::use_awaitable, ec));
  }
  if (ec) {
    const std::string why = *timedOut ? "no answer within agent.connect_timeout_ms" : ec.message();
    log::warning("agent: central server " + server.address + " unreachable: " + why);
    co_return nullptr;
  }
  co_return connection;
}

asio::awaitable<std::unique_ptr<Upstream::Connection>> Upstream::connect() {
  std::vector<Server*> order;
  std::vector<Server*> skipped;
  {
    const auto now = Clock::now();
    for (auto& server : servers_) (server.skipUntil <= now ? order : skipped).push_back(&server);
  }
  // Every server skipped for a while is still worth a try before the agent gives up.
  if (order.empty()) order = skipped;
  for (Server* server : order) {
    std::unique_ptr<Connection> connection = co_await connectTo(*server);
    if (connection) {
      server->skipUntil = {};
      co_return connection;
    }
    server->skipUntil = Clock::now() + std::chrono::seconds(options_.retryAfter);
  }
  co_return nullptr;
}

asio::awaitable<UpstreamAnswer> Upstream::exchange(Connection& connection,
                                                   const std::string& line) {
  UpstreamAnswer answer;
  answer.server = connection.server->address;
  tcp::socket* socket = &connection.stream.next_layer();
  Deadline deadline(io_, std::chrono::milliseconds(options_.requestTimeoutMs), [socket] {
    boost::system::error_code ignored;
    socket->close(ignored);
  });
  boost::system::error_code ec;
  co_await asio::async_write(connection.stream, asio::buffer(line),
                             asio::redirect_error(asio::use_awaitable, ec));
  std::string buffer;
  std::size_t n = 0;
  if (!ec) {
    n = co_await asio::async_read_until(connection.stream,
                                        asio::dynamic_buffer(buffer, protocol::kMaxLineBytes), '\n',
                                        asio::redirect_error(asio::use_awaitable, ec));
  }
  // One answer per request: anything after it would be out of step with the next request.
  if (ec || n != buffer.size()) {
    answer.status = UpstreamAnswer::Status::broken;
    co_return answer;
  }
  buffer.pop_back();
  answer.status = UpstreamAnswer::Status::answered;
  answer.line = std::move(buffer);
  // The session to resume with next time, kept when it is a new one (not on every request).
  SSL_SESSION* session = SSL_get1_session(connection.stream.native_handle());
  if (session != nullptr && session == connection.server->session.get()) {
    SSL_SESSION_free(session);
  } else if (session != nullptr) {
    connection.server->session.reset(
        session, [](void* s) { SSL_SESSION_free(static_cast<SSL_SESSION*>(s)); });
  }
  co_return answer;
}

asio::awaitable<UpstreamAnswer> Upstream::call(std::string line) {
  line.push_back('\n');
  std::unique_ptr<Connection> connection = co_await acquire();
  if (!connection) {
    OPENSSL_cleanse(line.data(), line.size());  // may hold a code
    co_return UpstreamAnswer{};
  }
  UpstreamAnswer answer = co_await exchange(*connection, line);
  // A kept connection may have been closed by the server while idle: once more on a new one
  // (in the same slot).
  if (answer.status == UpstreamAnswer::Status::broken && connection->fromPool) {
    connection = co_await connect();
    if (connection) answer = co_await exchange(*connection, line);
  }
  OPENSSL_cleanse(line.data(), line.size());  // may hold a code
  // Without a new connection the answer stays "broken": the first send may have been processed,
  // so this is no "unreachable" that an offline fallback could act on.
  if (connection && answer.status == UpstreamAnswer::Status::answered) {
    keepIdle(std::move(connection));
  } else {
    release();
  }
  co_return answer;
}

}  // namespace authd
