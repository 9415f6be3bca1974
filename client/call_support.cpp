#include "authd/call_support.h"

#include "authd/protocol.h"
#include "authd/text.h"

namespace authd::calls {

namespace {

using json = nlohmann::json;

// Reads v, id and ok. Returns the value of ok, or nullopt with *why when the envelope is broken.
std::optional<bool> readEnvelope(JsonReader& reader, std::string* why) {
  reader.requireInt("v", protocol::kVersion, protocol::kVersion);
  const json* id = reader.optionalAny("id");
  auto ok = reader.optionalBool("ok");
  if (reader.failed()) {
    *why = "malformed response envelope: " + reader.error();
    return std::nullopt;
  }
  if (id == nullptr || !(id->is_number_integer() || id->is_string())) {
    *why = "malformed response envelope: bad or missing \"id\"";
    return std::nullopt;
  }
  if (!ok) {
    *why = "malformed response envelope: missing field \"ok\"";
    return std::nullopt;
  }
  return ok;
}

// The rest of an "ok": false response.
CallError readServerError(JsonReader& reader) {
  auto code = reader.requireString("error", kMaxErrorCodeBytes);
  auto message = reader.optionalString("message", kMaxMessageBytes);
  auto userMessage = reader.optionalString("user_message", kMaxMessageBytes);
  if (!reader.finish()) return protocolError("malformed error response: " + reader.error());
  return CallError{CallError::Kind::server, *code, message.value_or(""), userMessage.value_or("")};
}

}  // namespace

CallError protocolError(std::string message) {
  return CallError{CallError::Kind::protocol, {}, std::move(message), {}};
}

CallError argumentError(std::string message) {
  return CallError{CallError::Kind::argument, {}, std::move(message), {}};
}

CallError transportError(const ClientError& error) {
  switch (error.kind) {
    case ClientError::Kind::connect:
      return CallError{CallError::Kind::connect, {}, error.message, {}};
    case ClientError::Kind::timeout:
      return CallError{CallError::Kind::timeout, {}, error.message, {}};
    case ClientError::Kind::io:
      return CallError{CallError::Kind::io, {}, error.message, {}};
    case ClientError::Kind::protocol:
    case ClientError::Kind::none:
      break;
  }
  return protocolError(error.message.empty() ? "call failed" : error.message);
}

bool isWireString(std::string_view s, std::size_t maxBytes) {
  // isSafeText: the daemon's own rule (common/text), checked without copying (maybe a password).
  return !s.empty() && s.size() <= maxBytes && isSafeText(s);
}

void addAuditField(json& request, const char* key, std::string_view value, std::size_t maxBytes) {
  std::string_view v = truncateUtf8(value, maxBytes);
  if (isWireString(v, maxBytes)) request[key] = std::string(v);
}

std::optional<CallError> expectSuccess(const json& response, JsonReader& reader) {
  if (!response.is_object()) return protocolError("response is not an object");
  std::string why;
  auto ok = readEnvelope(reader, &why);
  if (!ok) return protocolError(why);
  if (!*ok) return readServerError(reader);
  return std::nullopt;
}

}  // namespace authd::calls
