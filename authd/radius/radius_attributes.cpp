#include "authd/radius/radius_attributes.h"

#include <arpa/inet.h>

namespace authd::radius {

std::string attributeText(const RadiusPacket& packet, std::uint8_t type, std::size_t maxLength) {
  const RadiusAttribute* a = findAttribute(packet, type);
  std::string text;
  if (a == nullptr) return text;
  for (unsigned char c : a->value) {
    if (text.size() == maxLength) break;
    text.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  }
  return text;
}

std::string attributeAddress(const RadiusPacket& packet, std::uint8_t type, int family) {
  const RadiusAttribute* a = findAttribute(packet, type);
  const std::size_t size = family == AF_INET ? 4 : 16;
  char text[INET6_ADDRSTRLEN] = {};
  if (a == nullptr || a->value.size() != size ||
      inet_ntop(family, a->value.data(), text, sizeof text) == nullptr) {
    return {};
  }
  return text;
}

std::optional<std::uint32_t> attributeInteger(const RadiusPacket& packet, std::uint8_t type) {
  const RadiusAttribute* a = findAttribute(packet, type);
  if (a == nullptr || a->value.size() != 4) return std::nullopt;
  return (std::uint32_t{a->value[0]} << 24) | (std::uint32_t{a->value[1]} << 16) |
         (std::uint32_t{a->value[2]} << 8) | std::uint32_t{a->value[3]};
}

}  // namespace authd::radius
