#include "authd/radius/radius_server.h"

#include <exception>

#include "authd/base/log.h"
#include "authd/radius/radius_crypto.h"

namespace authd::radius {

namespace {

// Requests remembered for retransmissions: a storm of 650 logons with a challenge round each
// is some 1,300 entries per window; this leaves room for far more.
constexpr std::size_t kMaxDuplicateEntries = 65536;
// Requests of one client evaluated at once. A login storm of 650 users needs a few dozen.
constexpr int kMaxInFlightPerClient = 1024;

RequestKey keyOf(const Datagram& d, const RadiusPacket& packet) {
  return {d.sourceAddress, d.sourcePort, packet.identifier, packet.authenticator};
}

}  // namespace

RadiusServer::RadiusServer(Core core, RadiusClients clients)
    : core_(core),
      clients_(std::move(clients)),
      duplicates_(kMaxDuplicateEntries, core.config.radius.duplicateWindow),
      access_(core, clients_.size()),
      accounting_(core) {}

boost::asio::awaitable<std::optional<Bytes>> RadiusServer::handle(Datagram datagram) {
  counters_.received++;
  const RadiusClient* client = clients_.find(datagram.sourceAddress);
  if (client == nullptr) {
    counters_.unknownClient++;
    co_return std::nullopt;
  }
  const ParsedPacket parsed = parseRadiusPacket(datagram.bytes);
  if (!parsed.ok()) {
    counters_.malformed++;
    co_return std::nullopt;
  }
  if (parsed.padding != 0) counters_.padded++;
  const Admission admission = admit(*client, parsed, datagram.port);
  if (admission != Admission::kAdmitted) {
    counters_.refused++;
    if (admission == Admission::kMissingMessageAuthenticator) {
      counters_.missingMessageAuthenticator++;
    }
    log::debug("radius: dropped a packet from " + client->name + " (" + datagram.sourceAddress +
               "): " + std::string(admissionName(admission)));
    co_return std::nullopt;
  }
  if (parsed.packet.code == code::kStatusServer) {
    // RFC 5997 §3: answered at once, never cached.
    counters_.statusServer++;
    const std::uint8_t code =
        datagram.port == Port::kAuthentication ? code::kAccessAccept : code::kAccountingResponse;
    co_return encode(*client, parsed.packet, code, {});
  }
  co_return co_await answerOnce(*client, parsed, datagram);
}

boost::asio::awaitable<std::optional<Bytes>> RadiusServer::answerOnce(const RadiusClient& client,
                                                                      const ParsedPacket& parsed,
                                                                      const Datagram& datagram) {
  if (!enter(client)) {
    counters_.busy++;
    co_return std::nullopt;
  }
  struct Leave {
    RadiusServer& server;
    const RadiusClient& client;
    ~Leave() { server.leave(client); }
  } leave{*this, client};
  const RequestKey key = keyOf(datagram, parsed.packet);
  DuplicateCache::Lookup seen = duplicates_.begin(key, core_.clock());
  switch (seen.seen) {
    case DuplicateCache::Seen::kFresh:
      break;
    case DuplicateCache::Seen::kAnswered:
      counters_.duplicates++;
      if (seen.reply.empty()) co_return std::nullopt;
      co_return std::move(seen.reply);
    case DuplicateCache::Seen::kInProgress:
      counters_.duplicates++;
      co_return std::nullopt;
    case DuplicateCache::Seen::kFull:
      counters_.full++;
      co_return std::nullopt;
  }
  std::optional<Bytes> reply;
  try {
    reply = co_await evaluate(client, parsed, datagram);
  } catch (const std::exception& e) {
    counters_.errors++;
    duplicates_.abandon(key);
    log::error("radius: a request from " + client.name + " could not be evaluated: " + e.what());
    co_return std::nullopt;
  }
  duplicates_.finish(key, reply.value_or(Bytes{}), core_.clock());
  co_return reply;
}

boost::asio::awaitable<std::optional<Bytes>> RadiusServer::evaluate(const RadiusClient& client,
                                                                    const ParsedPacket& parsed,
                                                                    const Datagram& datagram) {
  if (parsed.packet.code == code::kAccountingRequest) {
    // RFC 2866 §4.1: no Accounting-Response unless the record is stored.
    if (!co_await accounting_.record(client, parsed.packet, datagram.sourceAddress)) {
      co_return std::nullopt;
    }
    counters_.accountingResponses++;
    co_return encode(client, parsed.packet, code::kAccountingResponse, {});
  }
  AccessReply reply = co_await access_.handle(client, parsed.packet, datagram.sourceAddress);
  switch (reply.code) {
    case code::kAccessAccept:
      counters_.accepts++;
      break;
    case code::kAccessChallenge:
      counters_.challenges++;
      break;
    default:
      counters_.rejects++;
  }
  co_return encode(client, parsed.packet, reply.code, std::move(reply.attributes));
}

bool RadiusServer::enter(const RadiusClient& client) {
  std::lock_guard lock(inFlightMutex_);
  int& n = inFlight_[&client];
  if (n >= kMaxInFlightPerClient) return false;
  ++n;
  return true;
}

void RadiusServer::leave(const RadiusClient& client) {
  std::lock_guard lock(inFlightMutex_);
  --inFlight_[&client];
}

std::optional<Bytes> RadiusServer::encode(const RadiusClient& client, const RadiusPacket& request,
                                          std::uint8_t code,
                                          std::vector<RadiusAttribute> attributes) {
  // RFC 2865 §5.33: Proxy-State comes back unchanged and in order.
  for (const RadiusAttribute& a : request.attributes) {
    if (a.type == attr::kProxyState) attributes.push_back(a);
  }
  std::optional<Bytes> wire =
      encodeReply(code, request.identifier, request.authenticator, attributes,
                  {client.secret.data(), client.secret.size()}, request.code);
  if (!wire) log::error("radius: a reply to " + client.name + " could not be encoded");
  return wire;
}

}  // namespace authd::radius
