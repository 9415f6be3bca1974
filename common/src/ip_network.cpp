#include "authd/ip_network.h"

#include <arpa/inet.h>

#include <algorithm>
#include <string>

namespace authd {

namespace {

constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

// Hex digits, dots and colons only: no zone ("%eth0"), brackets, whitespace or embedded NUL,
// which inet_pton would stop at and so accept a longer text.
bool plainAddressText(std::string_view text) {
  return !text.empty() && text.size() <= INET6_ADDRSTRLEN &&
         text.find_first_not_of("0123456789abcdefABCDEF.:") == std::string_view::npos;
}

IpAddress foldMapped(const IpAddress& address) {
  if (address.v4 ||
      !std::equal(std::begin(kMappedPrefix), std::end(kMappedPrefix), address.bytes.begin())) {
    return address;
  }
  IpAddress v4;
  std::copy_n(address.bytes.begin() + 12, 4, v4.bytes.begin());
  return v4;
}

int addressBits(const IpAddress& address) { return address.v4 ? 32 : 128; }

// "0".."128" in decimal, without sign, spaces or leading zeros.
std::optional<int> parsePrefix(std::string_view text) {
  if (text.empty() || text.size() > 3 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// `address` with every bit beyond the first `prefix` cleared.
IpAddress masked(const IpAddress& address, int prefix) {
  IpAddress out = address;
  for (std::size_t i = 0; i < out.bytes.size(); ++i) {
    const int kept = std::clamp(prefix - static_cast<int>(i) * 8, 0, 8);
    out.bytes[i] &= static_cast<unsigned char>(0xff00u >> kept);
  }
  return out;
}

}  // namespace

std::optional<IpAddress> parseIpAddress(std::string_view text) {
  if (!plainAddressText(text)) return std::nullopt;
  const std::string terminated(text);
  IpAddress address;
  address.v4 = terminated.find(':') == std::string::npos;
  if (inet_pton(address.v4 ? AF_INET : AF_INET6, terminated.c_str(), address.bytes.data()) != 1) {
    return std::nullopt;
  }
  return foldMapped(address);
}

bool IpNetwork::contains(const IpAddress& address) const {
  return address.v4 == base.v4 && masked(address, prefix) == masked(base, prefix);
}

std::optional<IpNetwork> parseIpNetwork(std::string_view text) {
  const std::size_t slash = text.find('/');
  const std::optional<IpAddress> base = parseIpAddress(text.substr(0, slash));
  if (!base) return std::nullopt;
  const bool mapped = base->v4 && text.substr(0, slash).find(':') != std::string_view::npos;
  if (slash == std::string_view::npos) return IpNetwork{*base, addressBits(*base)};
  std::optional<int> prefix = parsePrefix(text.substr(slash + 1));
  // A mapped network counts its prefix over the IPv6 address: /120 is the IPv4 /24.
  if (prefix && mapped) prefix = *prefix >= 96 ? std::optional<int>(*prefix - 96) : std::nullopt;
  if (!prefix || *prefix > addressBits(*base) || masked(*base, *prefix) != *base) {
    return std::nullopt;
  }
  return IpNetwork{*base, *prefix};
}

}  // namespace authd
