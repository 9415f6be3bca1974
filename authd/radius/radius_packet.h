#pragma once
// RADIUS packets on the wire (RFC 2865 §3, §5): Code ‖ Identifier ‖ Length ‖ Authenticator ‖
// Attributes, each attribute Type ‖ Length ‖ Value. Only the framing lives here: the parser
// splits and bounds-checks, the serializer writes; authenticators are radius_crypto.h's job.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "authd/base64url.h"
#include "authd/fido2/byte_reader.h"

namespace authd::radius {

using fido2::ByteSpan;

namespace code {
inline constexpr std::uint8_t kAccessRequest = 1;
inline constexpr std::uint8_t kAccessAccept = 2;
inline constexpr std::uint8_t kAccessReject = 3;
inline constexpr std::uint8_t kAccountingRequest = 4;
inline constexpr std::uint8_t kAccountingResponse = 5;
inline constexpr std::uint8_t kAccessChallenge = 11;
inline constexpr std::uint8_t kStatusServer = 12;
}  // namespace code

namespace attr {
inline constexpr std::uint8_t kUserName = 1;
inline constexpr std::uint8_t kUserPassword = 2;
inline constexpr std::uint8_t kNasIpAddress = 4;
inline constexpr std::uint8_t kNasPort = 5;
inline constexpr std::uint8_t kServiceType = 6;
inline constexpr std::uint8_t kFilterId = 11;
inline constexpr std::uint8_t kReplyMessage = 18;
inline constexpr std::uint8_t kState = 24;
inline constexpr std::uint8_t kClass = 25;
inline constexpr std::uint8_t kVendorSpecific = 26;
inline constexpr std::uint8_t kSessionTimeout = 27;
inline constexpr std::uint8_t kCalledStationId = 30;
inline constexpr std::uint8_t kCallingStationId = 31;
inline constexpr std::uint8_t kNasIdentifier = 32;
inline constexpr std::uint8_t kProxyState = 33;
inline constexpr std::uint8_t kAcctStatusType = 40;
inline constexpr std::uint8_t kAcctInputOctets = 42;
inline constexpr std::uint8_t kAcctOutputOctets = 43;
inline constexpr std::uint8_t kAcctSessionId = 44;
inline constexpr std::uint8_t kAcctSessionTime = 46;
inline constexpr std::uint8_t kEventTimestamp = 55;
inline constexpr std::uint8_t kPrompt = 76;
inline constexpr std::uint8_t kMessageAuthenticator = 80;
inline constexpr std::uint8_t kFramedPool = 88;
inline constexpr std::uint8_t kNasIpv6Address = 95;
}  // namespace attr

inline constexpr std::size_t kHeaderSize = 20;
inline constexpr std::size_t kMaxPacketSize = 4096;
inline constexpr std::size_t kAttributeHeaderSize = 2;
inline constexpr std::size_t kMaxAttributeValueSize = 253;
inline constexpr std::size_t kMessageAuthenticatorSize = 16;
inline constexpr std::size_t kAuthenticatorOffset = 4;

using Authenticator = std::array<unsigned char, 16>;

struct RadiusAttribute {
  std::uint8_t type = 0;
  Bytes value;  // 0..253 octets
};

struct RadiusPacket {
  std::uint8_t code = 0;
  std::uint8_t identifier = 0;
  Authenticator authenticator{};
  std::vector<RadiusAttribute> attributes;  // in wire order
};

// Why a datagram is not a packet. Each is a silent drop (RFC 2865 §3) and a counter.
enum class PacketRefusal : std::uint8_t {
  kNone,
  kTooShort,                 // fewer than 20 octets
  kTooLong,                  // datagram or Length field above 4096
  kLengthMismatch,           // Length field below 20 or beyond the datagram
  kAttributeTooShort,        // an attribute's Length below 2
  kAttributeOverrun,         // an attribute runs past the packet's Length
  kBadMessageAuthenticator,  // Message-Authenticator not 16 octets, or more than one
};

// The refusal's name for counters and logs ("too_short", ...); "none" for kNone.
std::string_view packetRefusalName(PacketRefusal refusal);

struct ParsedPacket {
  // Default deny until fully parsed; `packet` is meaningful only when this is kNone.
  PacketRefusal refusal = PacketRefusal::kTooShort;
  RadiusPacket packet;
  // The datagram's first Length octets, a view into it: what the authenticators cover.
  ByteSpan wire;
  // Octets after Length, ignored.
  std::size_t padding = 0;

  bool ok() const { return refusal == PacketRefusal::kNone; }
};

// What parseRadiusPacket checks, without copying anything: the refusal, the Length field and
// where the one Message-Authenticator value starts (0 when there is none). The authenticator
// checks use it on the hot path instead of a second parse.
struct PacketShape {
  PacketRefusal refusal = PacketRefusal::kTooShort;
  std::size_t length = 0;
  std::size_t messageAuthenticatorOffset = 0;
};
PacketShape scanRadiusPacket(ByteSpan datagram);

// Splits one datagram into a packet, or says why not. Octets beyond the Length field are
// padding and ignored (RFC 2865 §3 "MUST be treated as padding and ignored on reception"): our
// usual rule is to refuse trailing bytes, but here the standard is explicit, FreeRADIUS and
// gateways rely on it, and the padding is neither authenticated nor read, so nothing acts on it.
// `padding` counts them so the listener can report such senders.
ParsedPacket parseRadiusPacket(ByteSpan datagram);

// The packet's wire form with the Length field filled in; nullopt when an attribute value is
// over 253 octets or the whole over 4096.
std::optional<Bytes> serializeRadiusPacket(const RadiusPacket& packet);

// The first attribute of `type`, or nullptr.
const RadiusAttribute* findAttribute(const RadiusPacket& packet, std::uint8_t type);
std::size_t countAttributes(const RadiusPacket& packet, std::uint8_t type);

}  // namespace authd::radius
