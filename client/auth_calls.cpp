#include "authd/auth_calls.h"

#include "authd/call_support.h"
#include "authd/json_reader.h"
#include "authd/protocol.h"
#include "authd/wipe.h"

namespace authd {

namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxResultBytes = 16;
constexpr std::size_t kMaxFactors = 16;
constexpr std::size_t kMaxFactorBytes = 32;

using calls::addAuditField;
using calls::argumentError;
using calls::expectSuccess;
using calls::isWireString;
using calls::kMaxMessageBytes;
using calls::kMaxWireInt;
using calls::protocolError;
using calls::transportError;

// Codes are checked without copying them anywhere: printable ASCII only, since a valid code is
// digits with optional spaces and anything else can never be accepted.
bool isSendableCode(std::string_view code) {
  if (code.empty() || code.size() > protocol::kMaxCodeBytes) return false;
  for (unsigned char c : code) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
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

VerifyRequest::~VerifyRequest() {
  wipeString(code);
  if (password) wipeString(*password);
}

bool isSendablePassword(std::string_view password) {
  return isWireString(password, protocol::kMaxPasswordBytes);
}

CallResult<FactorsAnswer> parseFactorsResponse(const json& response) {
  using Result = CallResult<FactorsAnswer>;
  JsonReader reader(response);
  if (auto error = expectSuccess(response, reader)) return Result::failure(std::move(*error));
  std::string why;

  FactorsAnswer answer;
  const json* factors = reader.optionalAny("factors");
  auto locked = reader.optionalBool("locked");
  answer.retryAfter = reader.optionalInt("retry_after", 0, kMaxWireInt);
  answer.mfaRequired = reader.optionalBool("mfa").value_or(true);
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
  if (request.password && !isSendablePassword(*request.password)) {
    return Result::failure(argumentError("password is empty, too long or not printable UTF-8"));
  }
  json wire = {{"op", "verify"}, {"user", request.user}, {"factor", request.factor}};
  // The one copy of each secret this function makes; Client::call wipes them after sending.
  wire["code"] = request.code;
  if (request.password) wire["password"] = *request.password;
  addAuditField(wire, "service", request.service, protocol::kMaxServiceBytes);
  addAuditField(wire, "rhost", request.rhost, protocol::kMaxHostBytes);
  addAuditField(wire, "tty", request.tty, protocol::kMaxHostBytes);
  ClientError error;
  // Moved, so no further copy of a secret is left here.
  auto response = client.call(std::move(wire), &error);
  if (!response) return Result::failure(transportError(error));
  return parseVerifyResponse(*response);
}

}  // namespace authd
