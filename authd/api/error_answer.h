#pragma once
// The one shape of a refusal on the wire (docs/protocol.md, "Envelope"): v, id, ok=false, error,
// message. Used by the dispatcher, the listeners' framing and a device's agent.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "authd/protocol.h"

namespace authd {

inline nlohmann::json errorAnswer(const nlohmann::json& id, std::string_view code,
                                  const std::string& message) {
  return {
      {"v", protocol::kVersion}, {"id", id}, {"ok", false}, {"error", code}, {"message", message}};
}

// A refusal with a text for the person at the device as well (a device's agent: why an offline
// logon cannot work); PAM shows it instead of its generic text.
inline nlohmann::json errorAnswer(const nlohmann::json& id, std::string_view code,
                                  const std::string& message, const std::string& userMessage) {
  nlohmann::json answer = errorAnswer(id, code, message);
  answer["user_message"] = userMessage;
  return answer;
}

}  // namespace authd
