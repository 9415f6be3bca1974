#pragma once
// "ADDRESS:PORT" as configuration writes network endpoints: an IPv4 literal ("192.0.2.1:8443")
// or a bracketed IPv6 literal ("[2001:db8::1]:8443"), a decimal port 0..65535. Host names are
// refused here: a listener binds to an address, and what a name resolves to is not checked.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authd {

struct HostPort {
  std::string address;  // without brackets
  std::uint16_t port = 0;
};

std::optional<HostPort> splitHostPort(std::string_view text);

// A server to connect to: the same, or a DNS host name (letters, digits, '-' and '.', labels of
// 1..63, at most 253 in all) with a port 1..65535. A client verifies the server's certificate
// against this name or address.
std::optional<HostPort> splitServerAddress(std::string_view text);

// The same, where the port may be left out ("HOST", "[IPv6]"): then it is `defaultPort`.
std::optional<HostPort> splitServerAddress(std::string_view text, std::uint16_t defaultPort);

}  // namespace authd
