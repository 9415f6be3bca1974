#pragma once
// The name a network peer's verified client certificate carries: its subject's common name
// (CN), which is the device's host name or an admin's name (docs/network.md). Exactly one CN,
// well-formed UTF-8 without control or bidi characters, 1..256 bytes; anything else is no name,
// and the peer is refused.

#include <openssl/x509.h>

#include <optional>
#include <string>

namespace authd {

std::optional<std::string> certificateName(X509* certificate);

}  // namespace authd
