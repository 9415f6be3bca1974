#pragma once
// Which authenticated requests a client's settings let through (BlastRADIUS, CVE-2024-3596;
// draft-ietf-radext-deprecating-radius): an invalid Message-Authenticator is always dropped;
// a missing one is dropped under require_message_authenticator, and, where that is off, under
// limit_proxy_state when the request carries Proxy-State. Status-Server and Accounting-Request
// carry their own checks (radius_crypto.h). Pure: the server counts what this returns.

#include <string_view>

#include "authd/radius/radius_clients.h"
#include "authd/radius/radius_packet.h"

namespace authd::radius {

enum class Admission {
  kAdmitted,
  kWrongPort,                    // a code this port does not take (Access-Request on 1813, ...)
  kUnsupportedCode,              // a code authd does not answer
  kBadAuthenticator,             // Message-Authenticator or accounting authenticator wrong
  kMissingMessageAuthenticator,  // require_message_authenticator and none sent
  kProxyStateWithoutMessageAuthenticator,  // limit_proxy_state
};
std::string_view admissionName(Admission admission);  // "bad_authenticator", ... for counters

enum class Port { kAuthentication, kAccounting };

// `parsed` must be ok().
Admission admit(const RadiusClient& client, const ParsedPacket& parsed, Port port);

}  // namespace authd::radius
