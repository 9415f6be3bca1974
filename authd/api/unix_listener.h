#pragma once
// The local listener: a Unix-domain stream socket, one coroutine per connection, requests read as
// capped lines, the caller identified by SO_PEERCRED. It knows framing, not operations.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <string>

#include "authd/api/caller_limits.h"
#include "authd/api/line_handler.h"

namespace authd {

struct ListenerOptions {
  int idleTimeoutSeconds = 30;
  int maxConnections = 4096;  // callers other than root, together
  int maxConnectionsPerUid = 64;
  // The event loop runs on one thread: a connection's handlers never run at once, so they need
  // no strand (one lock and one hand-off less per completion).
  bool singleThreaded = false;
};

class UnixListener {
 public:
  // Serves a bound, listening socket (SocketClaim: the path, its lock and its removal belong
  // there) and owns it from then on.
  UnixListener(boost::asio::io_context& io, LineHandler& handler, int listeningSocket,
               ListenerOptions options);
  ~UnixListener();

  void start();
  void stop();

 private:
  boost::asio::awaitable<void> acceptLoop();
  boost::asio::awaitable<void> serve(boost::asio::local::stream_protocol::socket socket,
                                     PeerCredentials peer);
  void logRefusal(const PeerCredentials& peer);

  boost::asio::io_context& io_;
  LineHandler& handler_;
  ListenerOptions options_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  ConnectionQuota quota_;
  std::atomic<std::int64_t> lastRefusalLog_{0};
};

}  // namespace authd
