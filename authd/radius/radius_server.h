#pragma once
// The RADIUS front end's decisions for one datagram, independent of the sockets that carry it
// (api/radius_listener): the client by source address, the packet fully parsed, the client's
// admission rules (radius_admission.h), duplicates answered from the cache (RFC 5080), then
// Status-Server (RFC 5997), Access-Request (radius_access.h) or Accounting-Request. Anything
// refused is dropped silently and counted; every reply carries Message-Authenticator first and
// the request's Proxy-State attributes in order.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <array>
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "authd/base/core.h"
#include "authd/radius/radius_access.h"
#include "authd/radius/radius_accounting.h"
#include "authd/radius/radius_admission.h"
#include "authd/radius/radius_clients.h"
#include "authd/radius/radius_duplicates.h"
#include "authd/radius/radius_packet.h"

namespace authd::radius {

// What happened to datagrams, for the log and tests; read with load().
struct RadiusCounters {
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> unknownClient{0};
  std::atomic<std::uint64_t> malformed{0};  // parseRadiusPacket refused it
  std::atomic<std::uint64_t> padded{0};     // octets after Length (accepted, reported)
  std::atomic<std::uint64_t> refused{0};    // an Admission other than kAdmitted
  std::atomic<std::uint64_t> missingMessageAuthenticator{0};
  std::atomic<std::uint64_t> duplicates{0};  // answered from the cache or dropped in progress
  std::atomic<std::uint64_t> full{0};        // no room in the duplicate cache
  std::atomic<std::uint64_t> busy{0};        // the client had too many requests in evaluation
  std::atomic<std::uint64_t> errors{0};      // evaluation failed (store, directory): no answer
  std::atomic<std::uint64_t> accepts{0};
  std::atomic<std::uint64_t> rejects{0};
  std::atomic<std::uint64_t> challenges{0};
  std::atomic<std::uint64_t> accountingResponses{0};
  std::atomic<std::uint64_t> statusServer{0};
};

struct Datagram {
  ByteSpan bytes;
  std::string sourceAddress;  // printable, IPv4-mapped folded to IPv4
  std::uint16_t sourcePort = 0;
  Port port = Port::kAuthentication;
};

class RadiusServer {
 public:
  RadiusServer(Core core, RadiusClients clients);

  // The reply to send to the datagram's source, or nullopt to stay silent. Never throws: an
  // evaluation that fails (store or directory down) stays unanswered, so the gateway retries or
  // fails over, and is counted and logged.
  boost::asio::awaitable<std::optional<Bytes>> handle(Datagram datagram);

  const RadiusCounters& counters() const { return counters_; }
  const RadiusClients& clients() const { return clients_; }

 private:
  boost::asio::awaitable<std::optional<Bytes>> evaluate(const RadiusClient& client,
                                                        const ParsedPacket& parsed,
                                                        const Datagram& datagram);
  boost::asio::awaitable<std::optional<Bytes>> answerOnce(const RadiusClient& client,
                                                          const ParsedPacket& parsed,
                                                          const Datagram& datagram);
  std::optional<Bytes> encode(const RadiusClient& client, const RadiusPacket& request,
                              std::uint8_t code, std::vector<RadiusAttribute> attributes);

  // Requests of one client in evaluation: one gateway cannot take every worker and store slot
  // from the others (the same idea as the socket's per-uid connection quota).
  bool enter(const RadiusClient& client);
  void leave(const RadiusClient& client);

  Core core_;
  RadiusClients clients_;
  std::mutex inFlightMutex_;
  std::unordered_map<const RadiusClient*, int> inFlight_;
  DuplicateCache duplicates_;
  AccessHandler access_;
  AccountingHandler accounting_;
  RadiusCounters counters_;
};

}  // namespace authd::radius
