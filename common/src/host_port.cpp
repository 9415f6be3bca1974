#include "authd/host_port.h"

#include <arpa/inet.h>

#include <charconv>

namespace authd {

namespace {

std::optional<std::uint16_t> portOf(std::string_view digits) {
  if (digits.empty() || digits.size() > 5) return std::nullopt;
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

bool isAddress(const std::string& address, int family) {
  unsigned char buffer[16];
  return inet_pton(family, address.c_str(), buffer) == 1;
}

}  // namespace

std::optional<HostPort> splitHostPort(std::string_view text) {
  HostPort out;
  std::string_view port;
  int family = AF_INET;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return std::nullopt;
    }
    out.address = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
    family = AF_INET6;
  } else {
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos || text.find(':', colon + 1) != std::string_view::npos) {
      return std::nullopt;
    }
    out.address = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  const std::optional<std::uint16_t> number = portOf(port);
  if (!number || !isAddress(out.address, family)) return std::nullopt;
  out.port = *number;
  return out;
}

namespace {

bool isHostName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '.') {
      if (label == 0 || name[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && (c != '-' || label == 0)) return false;
    if (++label > 63) return false;
  }
  return label > 0 && name.back() != '-';
}

}  // namespace

std::optional<HostPort> splitServerAddress(std::string_view text) {
  std::optional<HostPort> out = splitHostPort(text);
  if (!out && !text.starts_with('[')) {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const std::optional<std::uint16_t> port = portOf(text.substr(colon + 1));
    if (!port || !isHostName(text.substr(0, colon))) return std::nullopt;
    out = HostPort{std::string(text.substr(0, colon)), *port};
  }
  if (out && out->port == 0) return std::nullopt;
  return out;
}

std::optional<HostPort> splitServerAddress(std::string_view text, std::uint16_t defaultPort) {
  if (std::optional<HostPort> full = splitServerAddress(text)) return full;
  // Safe to append: a text that already ends in ":PORT" cannot become valid this way (a host
  // name holds no ':' and an IPv6 address needs brackets).
  return splitServerAddress(std::string(text) + ":" + std::to_string(defaultPort));
}

}  // namespace authd
