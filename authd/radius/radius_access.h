#pragma once
// One Access-Request from an admitted client, in the client's mode (docs/radius.md):
//   append     User-Password is the directory password with the code typed after it
//   challenge  round 1 brings the password and gets Access-Challenge with State and a prompt;
//              round 2 brings the code and the State, and only then is the password checked
//   otp_only   the gateway checked the password itself; User-Password is the code
// Every decision goes through the logon pipeline (TotpLogon), which audits it with the client's
// name as service, the NAS as device and Calling-Station-Id as remote host. Nothing here knows
// sockets; the reply gets its Message-Authenticator and Proxy-State from the server.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "authd/base/core.h"
#include "authd/logon/totp_logon.h"
#include "authd/radius/radius_clients.h"
#include "authd/radius/radius_packet.h"
#include "authd/radius/radius_state.h"

namespace authd::radius {

// Shown by the gateway (Reply-Message). Never says which of password and code was wrong.
inline constexpr std::string_view kPromptCode = "Enter the code from your authenticator app: ";
inline constexpr std::string_view kMsgRejected = "Logon failed: wrong password or code.";
inline constexpr std::string_view kMsgLocked =
    "Too many failed logons. Your account is locked for a while; try again later.";
inline constexpr std::string_view kMsgChallengeExpired =
    "The logon took too long or was already used. Please start again.";
inline constexpr std::string_view kMsgBusy = "The logon service is busy. Please try again.";

struct AccessReply {
  std::uint8_t code = code::kAccessReject;
  std::vector<RadiusAttribute> attributes;  // without Message-Authenticator and Proxy-State
};

// Who asks, for the audit: the client's configured name as the service, the NAS (NAS-Identifier,
// else NAS-IP-Address, else the source address) as the device, Calling-Station-Id as the remote
// host. Values from the wire are cut to printable ASCII.
Caller radiusCaller(const RadiusClient& client, const RadiusPacket& packet,
                    const std::string& sourceAddress);

class AccessHandler {
 public:
  // `clientCount` shares the open challenges fairly: no client may hold more than its share.
  AccessHandler(Core core, std::size_t clientCount);

  boost::asio::awaitable<AccessReply> handle(const RadiusClient& client, const RadiusPacket& packet,
                                             const std::string& sourceAddress);

 private:
  boost::asio::awaitable<AccessReply> challengeRound(const RadiusClient& client,
                                                     const RadiusPacket& packet,
                                                     const std::string& user, SecretBytes typed,
                                                     Caller caller);
  boost::asio::awaitable<AccessReply> decided(const VerifyAnswer& answer, const std::string& user);
  boost::asio::awaitable<void> auditRefusal(const Caller& caller, const std::string& user,
                                            std::string_view reason);

  Core core_;
  TotpLogon totp_;
  ChallengeStates states_;
};

}  // namespace authd::radius
