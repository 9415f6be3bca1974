#include "authd/radius/radius_packet.h"

#include <algorithm>

namespace authd::radius {
namespace {

// Walks the attributes up to the end of `in`, noting the Message-Authenticator; a refusal as
// soon as one does not fit. RFC 3579 §3.2: that attribute is exactly 16 octets and occurs at
// most once, so the authenticator checks have one well-defined value to verify.
PacketRefusal scanAttributes(fido2::ByteReader& in, std::size_t length, PacketShape* shape) {
  while (!in.atEnd()) {
    std::uint8_t type = 0;
    std::uint8_t attributeLength = 0;
    ByteSpan value;
    if (!in.u8(&type) || !in.u8(&attributeLength)) return PacketRefusal::kAttributeOverrun;
    if (attributeLength < kAttributeHeaderSize) return PacketRefusal::kAttributeTooShort;
    const std::size_t valueOffset = length - in.remaining();
    if (!in.take(attributeLength - kAttributeHeaderSize, &value)) {
      return PacketRefusal::kAttributeOverrun;
    }
    if (type != attr::kMessageAuthenticator) continue;
    if (value.size() != kMessageAuthenticatorSize || shape->messageAuthenticatorOffset != 0) {
      return PacketRefusal::kBadMessageAuthenticator;
    }
    shape->messageAuthenticatorOffset = valueOffset;
  }
  return PacketRefusal::kNone;
}

// The attributes of a packet scanRadiusPacket accepted.
bool copyAttributes(fido2::ByteReader& in, std::vector<RadiusAttribute>* out) {
  while (!in.atEnd()) {
    std::uint8_t type = 0;
    std::uint8_t length = 0;
    ByteSpan value;
    if (!in.u8(&type) || !in.u8(&length) || length < kAttributeHeaderSize ||
        !in.take(length - kAttributeHeaderSize, &value)) {
      return false;
    }
    out->push_back({type, Bytes(value.begin(), value.end())});
  }
  return true;
}

void appendU16(Bytes& out, std::size_t value) {
  out.push_back(static_cast<unsigned char>(value >> 8));
  out.push_back(static_cast<unsigned char>(value & 0xff));
}

}  // namespace

std::string_view packetRefusalName(PacketRefusal refusal) {
  switch (refusal) {
    case PacketRefusal::kNone:
      return "none";
    case PacketRefusal::kTooShort:
      return "too_short";
    case PacketRefusal::kTooLong:
      return "too_long";
    case PacketRefusal::kLengthMismatch:
      return "length_mismatch";
    case PacketRefusal::kAttributeTooShort:
      return "attribute_too_short";
    case PacketRefusal::kAttributeOverrun:
      return "attribute_overrun";
    case PacketRefusal::kBadMessageAuthenticator:
      return "bad_message_authenticator";
  }
  return "unknown";
}

PacketShape scanRadiusPacket(ByteSpan datagram) {
  PacketShape shape;
  if (datagram.size() < kHeaderSize) return shape;  // kTooShort
  fido2::ByteReader header(datagram.subspan(2, 2));
  std::uint16_t length = 0;
  if (datagram.size() > kMaxPacketSize) {
    shape.refusal = PacketRefusal::kTooLong;
  } else if (!header.u16(&length) || length < kHeaderSize || length > datagram.size()) {
    shape.refusal = PacketRefusal::kLengthMismatch;
  } else {
    shape.length = length;
    fido2::ByteReader attributes(datagram.first(length));
    ByteSpan skipped;
    (void)attributes.take(kHeaderSize, &skipped);
    shape.refusal = scanAttributes(attributes, length, &shape);
  }
  return shape;
}

ParsedPacket parseRadiusPacket(ByteSpan datagram) {
  ParsedPacket out;
  const PacketShape shape = scanRadiusPacket(datagram);
  out.refusal = shape.refusal;
  if (!out.ok()) return out;
  fido2::ByteReader in(datagram.first(shape.length));
  std::uint16_t length = 0;
  RadiusPacket& packet = out.packet;
  if (!in.u8(&packet.code) || !in.u8(&packet.identifier) || !in.u16(&length) ||
      !in.copy(&packet.authenticator) || !copyAttributes(in, &packet.attributes)) {
    // Unreachable after the scan; refused all the same rather than trusted.
    out.refusal = PacketRefusal::kLengthMismatch;
    out.packet = {};
    return out;
  }
  out.wire = datagram.first(shape.length);
  out.padding = datagram.size() - shape.length;
  return out;
}

std::optional<Bytes> serializeRadiusPacket(const RadiusPacket& packet) {
  std::size_t length = kHeaderSize;
  for (const RadiusAttribute& attribute : packet.attributes) {
    if (attribute.value.size() > kMaxAttributeValueSize) return std::nullopt;
    length += kAttributeHeaderSize + attribute.value.size();
  }
  if (length > kMaxPacketSize) return std::nullopt;
  Bytes out;
  out.reserve(length);
  out.push_back(packet.code);
  out.push_back(packet.identifier);
  appendU16(out, length);
  out.insert(out.end(), packet.authenticator.begin(), packet.authenticator.end());
  for (const RadiusAttribute& attribute : packet.attributes) {
    out.push_back(attribute.type);
    out.push_back(static_cast<unsigned char>(kAttributeHeaderSize + attribute.value.size()));
    out.insert(out.end(), attribute.value.begin(), attribute.value.end());
  }
  return out;
}

const RadiusAttribute* findAttribute(const RadiusPacket& packet, std::uint8_t type) {
  const auto found = std::find_if(packet.attributes.begin(), packet.attributes.end(),
                                  [type](const RadiusAttribute& a) { return a.type == type; });
  return found == packet.attributes.end() ? nullptr : &*found;
}

std::size_t countAttributes(const RadiusPacket& packet, std::uint8_t type) {
  return static_cast<std::size_t>(
      std::count_if(packet.attributes.begin(), packet.attributes.end(),
                    [type](const RadiusAttribute& a) { return a.type == type; }));
}

}  // namespace authd::radius
