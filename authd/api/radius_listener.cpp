#include "authd/api/radius_listener.h"

#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

#include "authd/base/log.h"
#include "authd/host_port.h"

namespace authd {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {

// One octet more than the largest packet: a longer datagram arrives cut, and the parser
// refuses it as too long instead of reading a truncated packet.
constexpr std::size_t kReceiveBuffer = radius::kMaxPacketSize + 1;

std::unique_ptr<udp::socket> bindSocket(asio::io_context& io, const std::string& address) {
  const std::optional<HostPort> where = splitHostPort(address);
  if (!where) throw std::runtime_error("radius: listen: \"" + address + "\" is not ADDRESS:PORT");
  const udp::endpoint endpoint(asio::ip::make_address(where->address), where->port);
  auto socket = std::make_unique<udp::socket>(io);
  try {
    socket->open(endpoint.protocol());
    if (endpoint.address().is_v6()) socket->set_option(asio::ip::v6_only(true));
    socket->bind(endpoint);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("radius: listen " + address + ": " + e.code().message());
  }
  return socket;
}

// The printable source address the client table is searched with; IPv4-mapped folded.
std::string sourceOf(const udp::endpoint& from) {
  asio::ip::address address = from.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return address.to_string();
}

std::string describe(const udp::endpoint& endpoint) {
  const std::string address = endpoint.address().to_string();
  return (endpoint.address().is_v6() ? "[" + address + "]" : address) + ":" +
         std::to_string(endpoint.port());
}

}  // namespace

RadiusListener::RadiusListener(asio::io_context& io, radius::RadiusServer& server,
                               const Config::Radius& config)
    : io_(io), server_(server) {
  for (const auto& address : config.listen) {
    sockets_.push_back({bindSocket(io_, address), radius::Port::kAuthentication});
  }
  for (const auto& address : config.accountingListen) {
    sockets_.push_back({bindSocket(io_, address), radius::Port::kAccounting});
  }
}

RadiusListener::~RadiusListener() { stop(); }

void RadiusListener::start() {
  for (Bound& bound : sockets_) asio::co_spawn(io_, receiveLoop(bound), asio::detached);
}

void RadiusListener::stop() {
  for (Bound& bound : sockets_) {
    boost::system::error_code ignored;
    bound.socket->close(ignored);
  }
}

std::vector<std::string> RadiusListener::boundAddresses() const {
  std::vector<std::string> out;
  for (const Bound& bound : sockets_) {
    boost::system::error_code ec;
    const udp::endpoint endpoint = bound.socket->local_endpoint(ec);
    if (ec) continue;
    out.push_back(describe(endpoint) + (bound.port == radius::Port::kAuthentication
                                            ? " (authentication)"
                                            : " (accounting)"));
  }
  return out;
}

asio::awaitable<void> RadiusListener::receiveLoop(Bound& bound) {
  udp::socket& socket = *bound.socket;
  for (;;) {
    std::vector<unsigned char> datagram(kReceiveBuffer);
    udp::endpoint from;
    boost::system::error_code ec;
    const std::size_t n = co_await socket.async_receive_from(
        asio::buffer(datagram), from, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !socket.is_open()) co_return;
    if (ec) continue;  // ICMP errors of earlier replies surface here on some systems
    datagram.resize(n);
    asio::co_spawn(io_, answer(socket, std::move(datagram), from, bound.port), asio::detached);
  }
}

asio::awaitable<void> RadiusListener::answer(udp::socket& socket,
                                             std::vector<unsigned char> datagram,
                                             udp::endpoint from, radius::Port port) {
  radius::Datagram d{{datagram.data(), datagram.size()}, sourceOf(from), from.port(), port};
  const std::optional<Bytes> reply = co_await server_.handle(std::move(d));
  if (!reply || !socket.is_open()) co_return;
  // sendto on a datagram socket is safe from any thread, unlike Asio's socket object.
  if (::sendto(socket.native_handle(), reply->data(), reply->size(), MSG_DONTWAIT, from.data(),
               static_cast<socklen_t>(from.size())) < 0) {
    log::debug("radius: a reply to " + describe(from) + " was not sent");
  }
}

}  // namespace authd
