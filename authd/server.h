#pragma once
// The local listener: a Unix-domain stream socket, one coroutine per connection, requests read as
// capped lines, the caller identified by SO_PEERCRED. It knows framing, not operations.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <string>

#include "authd/dispatcher.h"

namespace authd {

struct ListenerOptions {
  int idleTimeoutSeconds = 30;
  int maxConnections = 4096;
};

class UnixListener {
 public:
  // Serves a bound, listening socket (SocketClaim: the path, its lock and its removal belong
  // there) and owns it from then on.
  UnixListener(boost::asio::io_context& io, Dispatcher& dispatcher, int listeningSocket,
               ListenerOptions options);
  ~UnixListener();

  void start();
  void stop();

 private:
  boost::asio::awaitable<void> acceptLoop();
  boost::asio::awaitable<void> serve(boost::asio::local::stream_protocol::socket socket);

  boost::asio::io_context& io_;
  Dispatcher& dispatcher_;
  ListenerOptions options_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::atomic<int> connections_{0};
};

}  // namespace authd
