#pragma once
// An IP network ("192.0.2.0/24", "2001:db8::/32") or a single address ("192.0.2.7", a /32 or
// /128), as configuration names the sources allowed to ask (RADIUS clients). An IPv4-mapped IPv6
// address (::ffff:192.0.2.7, what a dual-stack socket reports) matches as the IPv4 address.
// Host bits beyond the prefix must be zero, so a typo cannot silently widen a network.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace authd {

struct IpAddress {
  bool v4 = true;
  std::array<unsigned char, 16> bytes{};  // IPv4: the first 4
  bool operator==(const IpAddress&) const = default;
};

// A printable IPv4 or IPv6 address (no brackets, no zone); IPv4-mapped IPv6 becomes IPv4.
std::optional<IpAddress> parseIpAddress(std::string_view text);

struct IpNetwork {
  IpAddress base;
  int prefix = 32;  // 0..32 for IPv4, 0..128 for IPv6

  bool contains(const IpAddress& address) const;
  bool operator==(const IpNetwork&) const = default;
};

// "ADDRESS" or "ADDRESS/PREFIX"; nullopt for anything else, a prefix out of range, or host bits
// set beyond the prefix.
std::optional<IpNetwork> parseIpNetwork(std::string_view text);

}  // namespace authd
