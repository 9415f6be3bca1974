#include "authd/api/unix_listener.h"

#include "authd/api/line_session.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "authd/base/log.h"
#include "authd/protocol.h"
#include "authd/wipe.h"

namespace authd {

namespace asio = boost::asio;
using asio::local::stream_protocol;

namespace {

PeerCredentials peerOf(stream_protocol::socket& socket) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  PeerCredentials peer;
  if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
    peer.uid = static_cast<std::int64_t>(cred.uid);
    peer.gid = static_cast<std::int64_t>(cred.gid);
    peer.pid = static_cast<std::int64_t>(cred.pid);
  }
  return peer;
}

}  // namespace

UnixListener::UnixListener(asio::io_context& io, LineHandler& handler, int listeningSocket,
                           ListenerOptions options)
    : io_(io),
      handler_(handler),
      options_(std::move(options)),
      acceptor_(io, stream_protocol(), listeningSocket),
      quota_(options_.maxConnectionsPerUid, options_.maxConnections) {}

UnixListener::~UnixListener() {
  boost::system::error_code ec;
  acceptor_.close(ec);
}

void UnixListener::start() { asio::co_spawn(io_, acceptLoop(), asio::detached); }

void UnixListener::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
}

asio::awaitable<void> UnixListener::acceptLoop() {
  for (;;) {
    boost::system::error_code ec;
    // A connection's reader and watchdog never run at once: on its own strand when several
    // threads run the event loop.
    stream_protocol::socket socket = options_.singleThreaded
                                         ? stream_protocol::socket(io_.get_executor())
                                         : stream_protocol::socket(asio::make_strand(io_));
    co_await acceptor_.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      log::warning("accept: " + ec.message());
      continue;
    }
    const PeerCredentials peer = peerOf(socket);
    if (!quota_.acquire(peer.uid)) {
      logRefusal(peer);
      continue;  // the socket closes when it goes out of scope
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, serve(std::move(socket), peer), asio::detached);
  }
}

// One line per minute at most: a caller hammering the limit must not flood the journal.
void UnixListener::logRefusal(const PeerCredentials& peer) {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  std::int64_t last = lastRefusalLog_.load();
  if (now - last < 60 || !lastRefusalLog_.compare_exchange_strong(last, now)) return;
  log::warning("connection limit reached; refusing connections of uid " + std::to_string(peer.uid) +
               " (server.max_connections_per_uid / max_connections)");
}

asio::awaitable<void> UnixListener::serve(stream_protocol::socket socket, PeerCredentials peer) {
  auto session = std::make_shared<LineSession<stream_protocol::socket>>(
      std::move(socket), std::chrono::seconds(options_.idleTimeoutSeconds));
  asio::co_spawn(session->stream.get_executor(), closeWhenIdle(session), asio::detached);
  co_await answerLines(*session, handler_, peer);
  session->close();
  quota_.release(peer.uid);
}

}  // namespace authd
