#include "authd/call_support.h"

#include "authd/protocol.h"

namespace authd::calls {

namespace {

using json = nlohmann::json;

bool hasControlChars(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Length of the well-formed UTF-8 sequence at s[i] (Unicode table 3-7: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0. The rule nlohmann::json applies when it serialises
// (it throws on anything else), checked here without copying: the string may be a password.
std::size_t utf8SequenceAt(std::string_view s, std::size_t i) {
  const auto byte = [&s](std::size_t at) { return static_cast<unsigned char>(s[at]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;  // bounds of the second byte; later ones are always 80..BF
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (s.size() - i < length || byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

bool isValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t length = utf8SequenceAt(s, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

// Cuts s to at most maxBytes without splitting a UTF-8 sequence.
std::string_view truncateUtf8(std::string_view s, std::size_t maxBytes) {
  if (s.size() <= maxBytes) return s;
  std::size_t cut = maxBytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut);
}

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
  if (!reader.finish()) return protocolError("malformed error response: " + reader.error());
  return CallError{CallError::Kind::server, *code, message.value_or("")};
}

}  // namespace

CallError protocolError(std::string message) {
  return CallError{CallError::Kind::protocol, {}, std::move(message)};
}

CallError argumentError(std::string message) {
  return CallError{CallError::Kind::argument, {}, std::move(message)};
}

CallError transportError(const ClientError& error) {
  switch (error.kind) {
    case ClientError::Kind::connect:
      return CallError{CallError::Kind::connect, {}, error.message};
    case ClientError::Kind::timeout:
      return CallError{CallError::Kind::timeout, {}, error.message};
    case ClientError::Kind::io:
      return CallError{CallError::Kind::io, {}, error.message};
    case ClientError::Kind::protocol:
    case ClientError::Kind::none:
      break;
  }
  return protocolError(error.message.empty() ? "call failed" : error.message);
}

bool isWireString(std::string_view s, std::size_t maxBytes) {
  return !s.empty() && s.size() <= maxBytes && !hasControlChars(s) && isValidUtf8(s);
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
