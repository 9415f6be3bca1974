#pragma once
// Typed readers of attribute values (RFC 2865 §5 data types), for the front end's audit and
// accounting: text cut to printable ASCII (it reaches logs, the audit and terminals), addresses
// as text, 32-bit integers. Each returns empty/nullopt for an absent or malformed value.

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>

#include "authd/radius/radius_packet.h"

namespace authd::radius {

// The first attribute of `type` as text: printable ASCII kept, every other octet '?', at most
// `maxLength` characters; "" when absent.
std::string attributeText(const RadiusPacket& packet, std::uint8_t type, std::size_t maxLength);

// An address attribute (4 octets for AF_INET, 16 for AF_INET6) as text; "" when absent or of
// the wrong size.
std::string attributeAddress(const RadiusPacket& packet, std::uint8_t type, int family);

// A 32-bit integer attribute (4 octets, network order); nullopt when absent or not 4 octets.
std::optional<std::uint32_t> attributeInteger(const RadiusPacket& packet, std::uint8_t type);

}  // namespace authd::radius
