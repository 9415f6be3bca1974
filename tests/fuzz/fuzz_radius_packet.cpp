// Fuzzes the RADIUS wire layer (authd/radius) as the listener will run it on every datagram:
// parse; when accepted, the packet must serialize back to exactly the octets its Length covers
// (padding beyond Length is ignored), the scan must agree with the parse, every authenticator
// check must run to an answer, a User-Password must decode into 1..128 octets without NULs, and
// a reply built from the attributes must come out with Message-Authenticator first and both
// authenticators verifying. A refused datagram must fail every check. Anything else traps.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "authd/radius/radius_crypto.h"
#include "authd/radius/radius_packet.h"

namespace {

using namespace authd::radius;
using authd::Bytes;

const ByteSpan kSecret = bytesOf("fuzz-shared-secret");

void require(bool ok) {
  if (!ok) __builtin_trap();
}

void checkRefused(ByteSpan datagram, const ParsedPacket& parsed) {
  require(parsed.refusal != PacketRefusal::kNone && parsed.wire.empty());
  require(scanRadiusPacket(datagram).refusal == parsed.refusal);
  require(requestMessageAuthenticator(datagram, kSecret) == MessageAuthenticatorState::kInvalid);
  require(!verifyAccountingRequest(datagram, kSecret));
  require(!verifyStatusServer(datagram, kSecret));
  require(!verifyResponseAuthenticator(datagram, Authenticator{}, kSecret));
}

void checkUserPassword(const RadiusPacket& packet) {
  const RadiusAttribute* attribute = findAttribute(packet, attr::kUserPassword);
  if (attribute == nullptr) return;
  const auto password = decodeUserPassword(attribute->value, kSecret, packet.authenticator);
  if (!password) return;
  require(password->size() >= 1 && password->size() <= kMaxUserPasswordSize);
  require(std::memchr(password->data(), 0, password->size()) == nullptr);
  // Re-encoding gives the cipher's first blocks: it differs only by fewer blocks of NULs.
  const auto cipher = encodeUserPassword(ByteSpan(password->data(), password->size()), kSecret,
                                         packet.authenticator);
  require(cipher && cipher->size() <= attribute->value.size() &&
          std::equal(cipher->begin(), cipher->end(), attribute->value.begin()));
}

// A reply echoing the request's attributes (all but Message-Authenticator).
void checkReply(const RadiusPacket& packet) {
  std::vector<RadiusAttribute> attributes;
  std::size_t size = kHeaderSize + kAttributeHeaderSize + kMessageAuthenticatorSize;
  for (const RadiusAttribute& attribute : packet.attributes) {
    if (attribute.type == attr::kMessageAuthenticator) continue;
    attributes.push_back(attribute);
    size += kAttributeHeaderSize + attribute.value.size();
  }
  const auto reply = encodeReply(code::kAccessChallenge, packet.identifier, packet.authenticator,
                                 attributes, kSecret);
  require(reply.has_value() == (size <= kMaxPacketSize));
  if (!reply) return;
  const ParsedPacket parsed = parseRadiusPacket(*reply);
  require(parsed.ok() && parsed.padding == 0 && parsed.packet.attributes.size() >= 1);
  require(parsed.packet.attributes[0].type == attr::kMessageAuthenticator);
  require(verifyResponseAuthenticator(*reply, packet.authenticator, kSecret));
  require(replyMessageAuthenticator(*reply, packet.authenticator, kSecret) ==
          MessageAuthenticatorState::kValid);
}

void checkAccepted(ByteSpan datagram, const ParsedPacket& parsed) {
  require(parsed.wire.size() + parsed.padding == datagram.size());
  require(parsed.wire.data() == datagram.data());
  const auto serialized = serializeRadiusPacket(parsed.packet);
  require(serialized && std::equal(serialized->begin(), serialized->end(), parsed.wire.begin(),
                                   parsed.wire.end()));
  const PacketShape shape = scanRadiusPacket(datagram);
  const bool hasMa = findAttribute(parsed.packet, attr::kMessageAuthenticator) != nullptr;
  require(shape.length == parsed.wire.size() && (shape.messageAuthenticatorOffset != 0) == hasMa);
  const MessageAuthenticatorState ma = requestMessageAuthenticator(parsed.wire, kSecret);
  require(hasMa ? ma != MessageAuthenticatorState::kAbsent
                : ma == MessageAuthenticatorState::kAbsent);
  (void)verifyAccountingRequest(parsed.wire, kSecret);
  (void)verifyStatusServer(parsed.wire, kSecret);
  require(responseAuthenticator(parsed.wire, parsed.packet.authenticator, kSecret).has_value());
  checkUserPassword(parsed.packet);
  checkReply(parsed.packet);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan datagram(data, size);
  const ParsedPacket parsed = parseRadiusPacket(datagram);
  if (parsed.ok()) {
    checkAccepted(datagram, parsed);
  } else {
    checkRefused(datagram, parsed);
  }
  return 0;
}
