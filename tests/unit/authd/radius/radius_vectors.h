#pragma once
// Published RADIUS packets for the codec tests, all with the shared secret "xyzzy5461":
// RFC 2865 §7.1 (User Telnet: Access-Request and its Access-Accept) and RFC 5997 §6 (Status-
// Server with Message-Authenticator and its Access-Accept). Each was re-checked with
// `openssl dgst -md5` and `openssl dgst -md5 -mac HMAC -macopt key:xyzzy5461` before use.

#include <algorithm>
#include <stdexcept>
#include <string_view>

#include "authd/radius/radius_packet.h"

namespace authd::radius::test {

inline constexpr std::string_view kRfcSecret = "xyzzy5461";

// Access-Request: User-Name "nemo", User-Password "arctangent", NAS-IP-Address 192.168.1.16,
// NAS-Port 3.
inline constexpr std::string_view kRfc2865Request =
    "01000038"
    "0f403f9473978057bd83d5cb98f4227a"
    "01066e656d6f"
    "02120dbe708d93d413ce3196e43f782a0aee"
    "0406c0a80110"
    "050600000003";
inline constexpr std::string_view kRfc2865RequestAuthenticator = "0f403f9473978057bd83d5cb98f4227a";
inline constexpr std::string_view kRfc2865PasswordCipher = "0dbe708d93d413ce3196e43f782a0aee";

// Access-Accept: Service-Type Login (1), Login-Service Telnet (15 = 0), Login-IP-Host (14)
// 192.168.1.3.
inline constexpr std::string_view kRfc2865Accept =
    "02000026"
    "86fe220e7624ba2a1005f6bf9b55e0b2"
    "060600000001"
    "0f0600000000"
    "0e06c0a80103";

// Status-Server, identifier 0xda, Message-Authenticator only; and the Access-Accept answering it.
inline constexpr std::string_view kRfc5997StatusServer =
    "0cda0026"
    "8a54f4686fb394c52866e302185d0623"
    "50125a665e2e1e8411f3e243822097c84fa3";
inline constexpr std::string_view kRfc5997Accept = "02da0014ef0d552a4bf2d693ec2b6fe8b5411d66";

inline Bytes fromHex(std::string_view hex) {
  auto nibble = [](char c) -> unsigned {
    if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
    throw std::invalid_argument("not lower-case hex");
  };
  if (hex.size() % 2 != 0) throw std::invalid_argument("odd hex length");
  Bytes out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<unsigned char>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return out;
}

inline Authenticator authenticatorFromHex(std::string_view hex) {
  const Bytes bytes = fromHex(hex);
  Authenticator out{};
  if (bytes.size() != out.size()) throw std::invalid_argument("not 16 octets");
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

inline Bytes textBytes(std::string_view text) { return Bytes(text.begin(), text.end()); }

}  // namespace authd::radius::test
