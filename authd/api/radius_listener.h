#pragma once
// The RADIUS listener: UDP sockets for Access-Request and Status-Server (radius.listen, usually
// port 1812) and for Accounting-Request (radius.accounting_listen, 1813), on the same event loop
// as the socket and TLS listeners. Each datagram is handed to the RadiusServer, which decides
// everything; this file only carries bytes. Replies go out with a non-blocking sendto: a full
// send buffer drops the reply (the gateway retransmits and gets it from the duplicate cache).

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <memory>
#include <string>
#include <vector>

#include "authd/base/config.h"
#include "authd/radius/radius_server.h"

namespace authd {

class RadiusListener {
 public:
  // Binds every address of radius.listen and radius.accounting_listen; throws
  // std::runtime_error naming the address that could not be bound.
  RadiusListener(boost::asio::io_context& io, radius::RadiusServer& server,
                 const Config::Radius& config);
  ~RadiusListener();

  void start();
  void stop();
  // "ADDRESS:PORT (authentication|accounting)", with the ports the kernel chose for port 0.
  std::vector<std::string> boundAddresses() const;

 private:
  struct Bound {
    std::unique_ptr<boost::asio::ip::udp::socket> socket;
    radius::Port port;
  };
  boost::asio::awaitable<void> receiveLoop(Bound& bound);
  boost::asio::awaitable<void> answer(boost::asio::ip::udp::socket& socket,
                                      std::vector<unsigned char> datagram,
                                      boost::asio::ip::udp::endpoint from, radius::Port port);

  boost::asio::io_context& io_;
  radius::RadiusServer& server_;
  std::vector<Bound> sockets_;
};

}  // namespace authd
