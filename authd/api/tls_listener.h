#pragma once
// The network listener: TLS 1.2+ over TCP with mutual certificates, carrying the same protocol
// as the Unix socket (docs/network.md). A peer is known by its certificate, issued by the
// configured CA (and not on its CRL): a device, which acts for the users logging on at it, or
// an admin named in tls.admins. Per-device connection limits; one device cannot hold every slot.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "authd/api/caller_limits.h"
#include "authd/api/line_handler.h"
#include "authd/base/config.h"
#include "authd/base/log.h"

namespace authd {

struct TlsListenerOptions {
  Config::Tls tls;
  int idleTimeoutSeconds = 30;
  int maxConnections = 4096;  // all network peers together, handshakes included
  bool singleThreaded = false;
};

class TlsListener {
 public:
  // Loads the certificates and keys and binds every tls.listen address; throws
  // std::runtime_error naming what is wrong.
  TlsListener(boost::asio::io_context& io, LineHandler& handler, TlsListenerOptions options);
  ~TlsListener();

  void start();
  void stop();
  // Where it listens, with the ports the kernel chose for port 0.
  std::vector<std::string> boundAddresses() const;

 private:
  using Stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;
  boost::asio::awaitable<void> acceptLoop(boost::asio::ip::tcp::acceptor& acceptor);
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket, std::string from);
  // The rate and quota key of a certificate name: one per name, below -1 (never a uid).
  std::int64_t keyOf(const std::string& certificateName);
  bool isAdmin(const std::string& certificateName) const;
  // Logs a refused peer within a budget: anyone on the network can be refused as often as they
  // connect, and must not fill the journal.
  void logRefusal(log::Level level, const std::string& line);

  boost::asio::io_context& io_;
  LineHandler& handler_;
  TlsListenerOptions options_;
  boost::asio::ssl::context context_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
  ConnectionQuota quota_;
  // Accepted and not yet closed, handshakes included. Shared with the connections: at shutdown
  // the event loop destroys their coroutines after the listener.
  std::shared_ptr<std::atomic<int>> connections_ = std::make_shared<std::atomic<int>>(0);
  RequestRate refusalLog_{1, 20};  // lines per second, burst
  std::atomic<std::int64_t> refusalsUnlogged_{0};
  std::mutex keysMutex_;
  std::unordered_map<std::string, std::int64_t> keys_;
};

}  // namespace authd
