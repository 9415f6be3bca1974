#include "authd/auth_calls.h"

#include "authd/wipe.h"

#include "authd/json_reader.h"
#include "authd/protocol.h"

namespace authd {

namespace {

using json = nlohmann::json;

// Limits the protocol leaves to the client: generous, but bounded.
constexpr std::size_t kMaxMessageBytes = 1024;
constexpr std::size_t kMaxErrorCodeBytes = 64;
constexpr std::size_t kMaxResultBytes = 16;
constexpr std::size_t kMaxFactors = 16;
constexpr std::size_t kMaxFactorBytes = 32;
constexpr std::int64_t kMaxWireInt = (std::int64_t{1} << 53) - 1;

CallError protocolError(std::string message) {
  return CallError{CallError::Kind::protocol, {}, std::move(message)};
}

CallError argumentError(std::string message) {
  return CallError{CallError::Kind::argument, {}, std::move(message)};
}

CallError transportError(const ClientError& e) {
  switch (e.kind) {
    case ClientError::Kind::connect:
      return CallError{CallError::Kind::connect, {}, e.message};
    case ClientError::Kind::timeout:
      return CallError{CallError::Kind::timeout, {}, e.message};
    case ClientError::Kind::io:
      return CallError{CallError::Kind::io, {}, e.message};
    case ClientError::Kind::protocol:
    case ClientError::Kind::none:
      break;
  }
  return protocolError(e.message.empty() ? "call failed" : e.message);
}

bool hasControlChars(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// nlohmann::json refuses to serialise invalid UTF-8 (it throws); find out before sending.
bool isValidUtf8(std::string_view s) {
  try {
    (void)json(std::string(s)).dump();
    return true;
  } catch (const json::type_error&) {
    return false;
  }
}

// A string the protocol accepts: 1..maxBytes bytes, UTF-8, no control characters.
bool isWireString(std::string_view s, std::size_t maxBytes) {
  return !s.empty() && s.size() <= maxBytes && !hasControlChars(s) && isValidUtf8(s);
}

// Codes are checked without copying them anywhere: printable ASCII only, since a valid code is
// digits with optional spaces and anything else can never be accepted.
bool isSendableCode(std::string_view code) {
  if (code.empty() || code.size() > protocol::kMaxCodeBytes) return false;
  for (unsigned char c : code) {
    if (c < 0x20 || c > 0x7e) return false;
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

// Audit context must never fail a logon: shorten what is too long, drop what cannot be sent.
void addAuditField(json& request, const char* key, std::string_view value, std::size_t maxBytes) {
  std::string_view v = truncateUtf8(value, maxBytes);
  if (isWireString(v, maxBytes)) request[key] = std::string(v);
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

// Reads the envelope of a response that must say "ok": true. Returns the error to report
// otherwise: a protocol error, or the server's own error for "ok": false.
std::optional<CallError> expectSuccess(const json& response, JsonReader& reader) {
  if (!response.is_object()) return protocolError("response is not an object");
  std::string why;
  auto ok = readEnvelope(reader, &why);
  if (!ok) return protocolError(why);
  if (!*ok) return readServerError(reader);
  return std::nullopt;
}

bool readFactorList(const json& value, std::vector<std::string>* out, std::string* why) {
  if (!value.is_array() || value.size() > kMaxFactors) {
    *why = "field \"factors\" must be an array of at most " + std::to_string(kMaxFactors);
    return false;
  }
  for (const json& item : value) {
    if (!item.is_string() || !isWireString(item.get_ref<const std::string&>(), kMaxFactorBytes)) {
      *why = "field \"factors\" holds an invalid factor name";
      return false;
    }
    out->push_back(item.get<std::string>());
  }
  return true;
}

std::optional<Decision> decisionOf(std::string_view result) {
  if (result == protocol::result::kAccept) return Decision::accept;
  if (result == protocol::result::kReject) return Decision::reject;
  if (result == protocol::result::kLocked) return Decision::locked;
  return std::nullopt;
}

}  // namespace

std::string_view callErrorKindName(CallError::Kind kind) {
  switch (kind) {
    case CallError::Kind::connect:
      return "connect";
    case CallError::Kind::timeout:
      return "timeout";
    case CallError::Kind::io:
      return "io";
    case CallError::Kind::protocol:
      return "protocol";
    case CallError::Kind::server:
      return "server";
    case CallError::Kind::argument:
      return "argument";
  }
  return "unknown";
}

VerifyRequest::~VerifyRequest() { wipeString(code); }

CallResult<FactorsAnswer> parseFactorsResponse(const json& response) {
  using Result = CallResult<FactorsAnswer>;
  JsonReader reader(response);
  if (auto error = expectSuccess(response, reader)) return Result::failure(std::move(*error));
  std::string why;

  FactorsAnswer answer;
  const json* factors = reader.optionalAny("factors");
  auto locked = reader.optionalBool("locked");
  answer.retryAfter = reader.optionalInt("retry_after", 0, kMaxWireInt);
  if (!reader.finish()) {
    return Result::failure(protocolError("malformed factors response: " + reader.error()));
  }
  if (factors == nullptr || !locked) {
    return Result::failure(protocolError("factors response lacks \"factors\" or \"locked\""));
  }
  if (!readFactorList(*factors, &answer.factors, &why)) {
    return Result::failure(protocolError("malformed factors response: " + why));
  }
  answer.locked = *locked;
  if (answer.locked && !answer.retryAfter) {
    return Result::failure(protocolError("factors response: locked without \"retry_after\""));
  }
  return Result{std::move(answer), {}};
}

CallResult<VerifyAnswer> parseVerifyResponse(const json& response) {
  using Result = CallResult<VerifyAnswer>;
  JsonReader reader(response);
  if (auto error = expectSuccess(response, reader)) return Result::failure(std::move(*error));

  auto result = reader.requireString("result", kMaxResultBytes);
  auto message = reader.requireString("message", kMaxMessageBytes);
  auto retryAfter = reader.optionalInt("retry_after", 0, kMaxWireInt);
  auto credentialId = reader.optionalInt("credential_id", 0, kMaxWireInt);
  if (!reader.finish()) {
    return Result::failure(protocolError("malformed verify response: " + reader.error()));
  }
  auto decision = decisionOf(*result);
  if (!decision) {
    return Result::failure(protocolError("verify response: unknown result \"" + *result + "\""));
  }
  // Accept must name the matching credential; anything less is not an accept (default deny).
  if (*decision == Decision::accept && !credentialId) {
    return Result::failure(protocolError("verify response: accept without \"credential_id\""));
  }
  if (*decision == Decision::locked && !retryAfter) {
    return Result::failure(protocolError("verify response: locked without \"retry_after\""));
  }
  return Result{VerifyAnswer{*decision, std::move(*message), retryAfter, credentialId}, {}};
}

CallResult<FactorsAnswer> queryFactors(Client& client, std::string_view user,
                                       std::string_view service) {
  using Result = CallResult<FactorsAnswer>;
  if (!isWireString(user, protocol::kMaxUserBytes)) {
    return Result::failure(argumentError("user name cannot be sent to authd"));
  }
  json request = {{"op", "factors"}, {"user", std::string(user)}};
  addAuditField(request, "service", service, protocol::kMaxServiceBytes);
  ClientError error;
  auto response = client.call(std::move(request), &error);
  if (!response) return Result::failure(transportError(error));
  return parseFactorsResponse(*response);
}

CallResult<VerifyAnswer> verifyCode(Client& client, const VerifyRequest& request) {
  using Result = CallResult<VerifyAnswer>;
  if (!isWireString(request.user, protocol::kMaxUserBytes)) {
    return Result::failure(argumentError("user name cannot be sent to authd"));
  }
  if (!isWireString(request.factor, kMaxFactorBytes)) {
    return Result::failure(argumentError("factor name cannot be sent to authd"));
  }
  if (!isSendableCode(request.code)) {
    return Result::failure(argumentError("code is empty, too long or not printable ASCII"));
  }
  json wire = {{"op", "verify"}, {"user", request.user}, {"factor", request.factor}};
  wire["code"] = request.code;  // the one copy of the code this function makes
  addAuditField(wire, "service", request.service, protocol::kMaxServiceBytes);
  addAuditField(wire, "rhost", request.rhost, protocol::kMaxHostBytes);
  addAuditField(wire, "tty", request.tty, protocol::kMaxHostBytes);
  ClientError error;
  // Moved, so no further copy of the code is left here.
  auto response = client.call(std::move(wire), &error);
  if (!response) return Result::failure(transportError(error));
  return parseVerifyResponse(*response);
}

}  // namespace authd
