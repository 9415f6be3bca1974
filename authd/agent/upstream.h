#pragma once
// A device agent's way to the central authd: request lines over mutual TLS with the device's
// key, to the first of the configured servers that answers (docs/network.md). A server that
// cannot be reached is skipped for agent.retry_after seconds; when every server is skipped,
// each is tried again rather than giving up unasked. Connections are kept for reuse and resume
// their TLS session. Used from one thread: the agent runs one I/O thread.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "authd/base/config.h"

namespace authd {

struct UpstreamAnswer {
  enum class Status {
    answered,     // `line` is the central authd's answer, without its newline
    unreachable,  // no central server could be connected to: the request was not sent
    broken,       // a connection broke after the request was sent: it may have been processed
  };
  Status status = Status::unreachable;
  std::string line;
  std::string server;  // the server that answered (or broke)
};

class Upstream {
 public:
  // Loads the device's certificate and key and the CA; throws std::runtime_error naming what is
  // wrong.
  Upstream(boost::asio::io_context& io, const Config::Agent& options);
  ~Upstream();

  boost::asio::awaitable<UpstreamAnswer> call(std::string line);
  // The device's name: its certificate's common name.
  const std::string& deviceName() const { return deviceName_; }

 private:
  using Stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;
  struct Connection;
  struct Server {
    std::string address;  // as configured
    std::string host;
    std::string port;
    std::chrono::steady_clock::time_point skipUntil{};
    std::shared_ptr<void> session;  // SSL_SESSION for resumption
  };

  boost::asio::awaitable<std::unique_ptr<Connection>> connect();
  boost::asio::awaitable<std::unique_ptr<Connection>> connectTo(Server& server);
  boost::asio::awaitable<UpstreamAnswer> exchange(Connection& connection, const std::string& line);
  // A connection to use: an idle one, a new one while fewer than the maximum are open, else the
  // next one that comes free. nullptr when no server could be reached.
  boost::asio::awaitable<std::unique_ptr<Connection>> acquire();
  std::unique_ptr<Connection> takeIdle();
  void keepIdle(std::unique_ptr<Connection> connection);
  void release();  // a connection given up
  void wakeOne();

  boost::asio::io_context& io_;
  Config::Agent options_;
  boost::asio::ssl::context context_;
  std::string deviceName_;
  std::vector<Server> servers_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;  // connections in use or idle
  std::deque<std::shared_ptr<boost::asio::steady_timer>> waiters_;
};

}  // namespace authd
