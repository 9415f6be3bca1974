#include "authd/radius/radius_packet.h"

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "radius_vectors.h"

using namespace authd::radius;
using namespace authd::radius::test;
using authd::Bytes;

namespace {

PacketRefusal refusalOf(const Bytes& datagram) { return parseRadiusPacket(datagram).refusal; }

// A header for `attributes` with the Length field set to `length` (default: the true length).
Bytes packetWith(const Bytes& attributes, std::size_t length = 0) {
  if (length == 0) length = kHeaderSize + attributes.size();
  Bytes out = {code::kAccessRequest, 7, static_cast<unsigned char>(length >> 8),
               static_cast<unsigned char>(length & 0xff)};
  out.resize(kHeaderSize, 0x11);
  out.insert(out.end(), attributes.begin(), attributes.end());
  return out;
}

Bytes messageAuthenticator(std::size_t valueSize) {
  Bytes out = {attr::kMessageAuthenticator, static_cast<unsigned char>(2 + valueSize)};
  out.resize(2 + valueSize, 0x5a);
  return out;
}

}  // namespace

TEST_CASE(
    "radius packet: the RFC 2865 §7.1 Access-Request parses into its header and four attributes") {
  const Bytes datagram = fromHex(kRfc2865Request);
  const ParsedPacket parsed = parseRadiusPacket(datagram);
  REQUIRE(parsed.ok());
  CHECK(parsed.packet.code == code::kAccessRequest);
  CHECK(parsed.packet.identifier == 0);
  CHECK(parsed.packet.authenticator == authenticatorFromHex(kRfc2865RequestAuthenticator));
  REQUIRE(parsed.packet.attributes.size() == 4);
  CHECK(parsed.packet.attributes[0].type == attr::kUserName);
  CHECK(parsed.packet.attributes[0].value == textBytes("nemo"));
  CHECK(parsed.packet.attributes[1].type == attr::kUserPassword);
  CHECK(parsed.packet.attributes[1].value == fromHex(kRfc2865PasswordCipher));
  CHECK(parsed.packet.attributes[2].value == fromHex("c0a80110"));
  CHECK(parsed.packet.attributes[3].value == fromHex("00000003"));
  CHECK(parsed.wire.size() == datagram.size());
  CHECK(parsed.padding == 0);
}

TEST_CASE("radius packet: the published packets serialize back to their exact bytes") {
  for (std::string_view hex :
       {kRfc2865Request, kRfc2865Accept, kRfc5997StatusServer, kRfc5997Accept}) {
    CAPTURE(hex);
    const Bytes datagram = fromHex(hex);
    const ParsedPacket parsed = parseRadiusPacket(datagram);
    REQUIRE(parsed.ok());
    CHECK(serializeRadiusPacket(parsed.packet) == datagram);
  }
}

TEST_CASE("radius packet: every truncation of a packet is refused") {
  const Bytes datagram = fromHex(kRfc2865Request);
  for (std::size_t length = 0; length < datagram.size(); ++length) {
    CAPTURE(length);
    const Bytes cut(datagram.begin(), datagram.begin() + static_cast<long>(length));
    CHECK(refusalOf(cut) ==
          (length < kHeaderSize ? PacketRefusal::kTooShort : PacketRefusal::kLengthMismatch));
  }
}

TEST_CASE("radius packet: a Length field below 20 or beyond the datagram is refused") {
  CHECK(refusalOf(packetWith({}, 19)) == PacketRefusal::kLengthMismatch);
  CHECK(refusalOf(packetWith({}, 0)) == PacketRefusal::kNone);  // 0 means: the true length
  Bytes zero = packetWith({});
  zero[2] = zero[3] = 0;
  CHECK(refusalOf(zero) == PacketRefusal::kLengthMismatch);
  CHECK(refusalOf(packetWith({1, 3, 'a'}, 24)) == PacketRefusal::kLengthMismatch);
  CHECK(refusalOf(packetWith({}, 4096)) == PacketRefusal::kLengthMismatch);
}

TEST_CASE(
    "radius packet: octets beyond Length are padding: ignored, counted, not part of the packet") {
  const Bytes datagram = fromHex(kRfc2865Request);
  Bytes padded = datagram;
  padded.insert(padded.end(), {0x00, 0xff, 0x01});
  const ParsedPacket parsed = parseRadiusPacket(padded);
  REQUIRE(parsed.ok());
  CHECK(parsed.padding == 3);
  CHECK(Bytes(parsed.wire.begin(), parsed.wire.end()) == datagram);
  CHECK(parsed.packet.attributes.size() == 4);
  CHECK(serializeRadiusPacket(parsed.packet) == datagram);
  // Padding that looks like an attribute is still padding: Length decides.
  Bytes attributeLike = datagram;
  attributeLike.insert(attributeLike.end(), {attr::kProxyState, 3, 'x'});
  CHECK(parseRadiusPacket(attributeLike).packet.attributes.size() == 4);
}

TEST_CASE("radius packet: datagrams above 4096 octets are refused; exactly 4096 is a packet") {
  Bytes attributes;
  while (attributes.size() + 255 <= kMaxPacketSize - kHeaderSize) {
    attributes.push_back(attr::kClass);
    attributes.push_back(255);
    attributes.resize(attributes.size() + 253, 0x42);
  }
  const std::size_t rest = kMaxPacketSize - kHeaderSize - attributes.size();
  REQUIRE(rest >= 2);
  attributes.push_back(attr::kReplyMessage);
  attributes.push_back(static_cast<unsigned char>(rest));
  attributes.resize(attributes.size() + rest - 2, 'r');
  const Bytes largest = packetWith(attributes);
  REQUIRE(largest.size() == kMaxPacketSize);
  const ParsedPacket parsed = parseRadiusPacket(largest);
  REQUIRE(parsed.ok());
  CHECK(serializeRadiusPacket(parsed.packet) == largest);

  Bytes tooLong = largest;
  tooLong.push_back(0);
  CHECK(refusalOf(tooLong) == PacketRefusal::kTooLong);
  Bytes lengthTooLong = packetWith(attributes, kMaxPacketSize + 1);
  lengthTooLong.push_back(0);
  CHECK(refusalOf(lengthTooLong) == PacketRefusal::kTooLong);
}

TEST_CASE(
    "radius packet: attributes with a Length below 2 or running past the packet are refused") {
  CHECK(refusalOf(packetWith({attr::kUserName, 0})) == PacketRefusal::kAttributeTooShort);
  CHECK(refusalOf(packetWith({attr::kUserName, 1})) == PacketRefusal::kAttributeTooShort);
  CHECK(refusalOf(packetWith({attr::kUserName, 1, 'a'})) == PacketRefusal::kAttributeTooShort);
  CHECK(refusalOf(packetWith({attr::kUserName})) == PacketRefusal::kAttributeOverrun);
  CHECK(refusalOf(packetWith({attr::kUserName, 6, 'n', 'e', 'm'})) ==
        PacketRefusal::kAttributeOverrun);
  // The overrun is judged against Length, not the datagram: padding does not complete it.
  Bytes overrunIntoPadding = packetWith({attr::kUserName, 4, 'a'}, kHeaderSize + 3);
  overrunIntoPadding.push_back('b');
  CHECK(refusalOf(overrunIntoPadding) == PacketRefusal::kAttributeOverrun);
  // A valid attribute followed by a broken one: the whole packet goes.
  CHECK(refusalOf(packetWith({attr::kUserName, 3, 'a', attr::kState, 0})) ==
        PacketRefusal::kAttributeTooShort);
}

TEST_CASE("radius packet: empty values and unknown attribute types are kept as they are") {
  const ParsedPacket parsed = parseRadiusPacket(packetWith({0, 2, 255, 3, 'x', attr::kState, 2}));
  REQUIRE(parsed.ok());
  REQUIRE(parsed.packet.attributes.size() == 3);
  CHECK(parsed.packet.attributes[0].type == 0);
  CHECK(parsed.packet.attributes[0].value.empty());
  CHECK(parsed.packet.attributes[1].type == 255);
  CHECK(parsed.packet.attributes[2].value.empty());
}

TEST_CASE("radius packet: Message-Authenticator must be 16 octets and occur at most once") {
  CHECK(refusalOf(packetWith(messageAuthenticator(16))) == PacketRefusal::kNone);
  CHECK(refusalOf(packetWith(messageAuthenticator(15))) == PacketRefusal::kBadMessageAuthenticator);
  CHECK(refusalOf(packetWith(messageAuthenticator(17))) == PacketRefusal::kBadMessageAuthenticator);
  CHECK(refusalOf(packetWith(messageAuthenticator(0))) == PacketRefusal::kBadMessageAuthenticator);
  Bytes twice = messageAuthenticator(16);
  const Bytes second = messageAuthenticator(16);
  twice.insert(twice.end(), second.begin(), second.end());
  CHECK(refusalOf(packetWith(twice)) == PacketRefusal::kBadMessageAuthenticator);
}

TEST_CASE("radius packet: the scan finds where the Message-Authenticator value starts") {
  Bytes attributes = {attr::kUserName, 3, 'a'};
  const Bytes ma = messageAuthenticator(16);
  attributes.insert(attributes.end(), ma.begin(), ma.end());
  const PacketShape shape = scanRadiusPacket(packetWith(attributes));
  CHECK(shape.refusal == PacketRefusal::kNone);
  CHECK(shape.length == kHeaderSize + attributes.size());
  CHECK(shape.messageAuthenticatorOffset == kHeaderSize + 3 + 2);
  CHECK(scanRadiusPacket(fromHex(kRfc2865Request)).messageAuthenticatorOffset == 0);
}

TEST_CASE("radius packet: serialization refuses values above 253 octets and packets above 4096") {
  RadiusPacket packet{code::kAccessAccept, 1, {}, {{attr::kReplyMessage, Bytes(253, 'a')}}};
  const std::optional<Bytes> largest = serializeRadiusPacket(packet);
  REQUIRE(largest);
  CHECK(largest->size() == kHeaderSize + 255);
  CHECK((*largest)[kHeaderSize + 1] == 255);
  packet.attributes[0].value.push_back('a');
  CHECK_FALSE(serializeRadiusPacket(packet));

  // 20 + 15 * 255 + 251 = 4096 fits; one octet more does not.
  RadiusPacket big{code::kAccessAccept, 1, {}, {}};
  for (int i = 0; i < 15; ++i) big.attributes.push_back({attr::kClass, Bytes(253, 'c')});
  big.attributes.push_back({attr::kClass, Bytes(249, 'c')});
  const std::optional<Bytes> full = serializeRadiusPacket(big);
  REQUIRE(full);
  CHECK(full->size() == kMaxPacketSize);
  CHECK((*full)[2] == 0x10);
  CHECK((*full)[3] == 0x00);
  big.attributes.back().value.push_back('c');
  CHECK_FALSE(serializeRadiusPacket(big));
}

TEST_CASE("radius packet: find and count look at every attribute in order") {
  const RadiusPacket packet{code::kAccessRequest,
                            0,
                            {},
                            {{attr::kProxyState, textBytes("a")},
                             {attr::kUserName, textBytes("nemo")},
                             {attr::kProxyState, textBytes("b")}}};
  REQUIRE(findAttribute(packet, attr::kProxyState));
  CHECK(findAttribute(packet, attr::kProxyState)->value == textBytes("a"));
  CHECK(findAttribute(packet, attr::kState) == nullptr);
  CHECK(countAttributes(packet, attr::kProxyState) == 2);
  CHECK(countAttributes(packet, attr::kUserName) == 1);
  CHECK(countAttributes(packet, attr::kState) == 0);
}

TEST_CASE("radius packet: every refusal has its own name") {
  std::set<std::string> names;
  for (PacketRefusal refusal :
       {PacketRefusal::kNone, PacketRefusal::kTooShort, PacketRefusal::kTooLong,
        PacketRefusal::kLengthMismatch, PacketRefusal::kAttributeTooShort,
        PacketRefusal::kAttributeOverrun, PacketRefusal::kBadMessageAuthenticator}) {
    names.insert(std::string(packetRefusalName(refusal)));
  }
  CHECK(names.size() == 7);
  CHECK(packetRefusalName(PacketRefusal::kTooShort) == "too_short");
}
