#include "authd/radius/radius_admission.h"

#include "authd/radius/radius_crypto.h"

namespace authd::radius {

std::string_view admissionName(Admission admission) {
  switch (admission) {
    case Admission::kAdmitted:
      return "admitted";
    case Admission::kWrongPort:
      return "wrong_port";
    case Admission::kUnsupportedCode:
      return "unsupported_code";
    case Admission::kBadAuthenticator:
      return "bad_authenticator";
    case Admission::kMissingMessageAuthenticator:
      return "missing_message_authenticator";
    case Admission::kProxyStateWithoutMessageAuthenticator:
      return "proxy_state_without_message_authenticator";
  }
  return "unsupported_code";
}

namespace {

ByteSpan secretOf(const RadiusClient& client) {
  return {client.secret.data(), client.secret.size()};
}

Admission admitAccessRequest(const RadiusClient& client, const ParsedPacket& parsed) {
  switch (requestMessageAuthenticator(parsed.wire, secretOf(client))) {
    case MessageAuthenticatorState::kValid:
      return Admission::kAdmitted;
    case MessageAuthenticatorState::kInvalid:
      return Admission::kBadAuthenticator;
    case MessageAuthenticatorState::kAbsent:
      break;
  }
  if (client.requireMessageAuthenticator) return Admission::kMissingMessageAuthenticator;
  if (client.limitProxyState && findAttribute(parsed.packet, attr::kProxyState) != nullptr) {
    return Admission::kProxyStateWithoutMessageAuthenticator;
  }
  return Admission::kAdmitted;
}

}  // namespace

Admission admit(const RadiusClient& client, const ParsedPacket& parsed, Port port) {
  const ByteSpan secret = secretOf(client);
  switch (parsed.packet.code) {
    case code::kStatusServer:
      return verifyStatusServer(parsed.wire, secret) ? Admission::kAdmitted
                                                     : Admission::kBadAuthenticator;
    case code::kAccessRequest:
      if (port != Port::kAuthentication) return Admission::kWrongPort;
      return admitAccessRequest(client, parsed);
    case code::kAccountingRequest:
      if (port != Port::kAccounting) return Admission::kWrongPort;
      return verifyAccountingRequest(parsed.wire, secret) ? Admission::kAdmitted
                                                          : Admission::kBadAuthenticator;
    default:
      return Admission::kUnsupportedCode;
  }
}

}  // namespace authd::radius
