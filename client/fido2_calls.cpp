#include "authd/fido2_calls.h"

#include <algorithm>
#include <initializer_list>

#include "authd/call_support.h"
#include "authd/json_reader.h"
#include "authd/protocol.h"
#include "authd/wipe.h"

namespace authd {

namespace {

using json = nlohmann::json;
using calls::argumentError;
using calls::protocolError;

// Sizes fixed by docs/protocol.md ("FIDO2 security keys").
constexpr std::size_t kChallengeBytes = 32;
constexpr std::size_t kUserHandleBytes = 16;
constexpr std::size_t kMaxCredentialIdBytes = protocol::kMaxFido2CredentialIdBytes;
constexpr std::size_t kMaxAssertionAuthDataBytes = protocol::kMaxFido2AssertionAuthDataBytes;
constexpr std::size_t kMaxSignatureBytes = protocol::kMaxFido2SignatureBytes;
constexpr std::size_t kMaxAttestationAuthDataBytes = protocol::kMaxFido2RegistrationAuthDataBytes;
constexpr std::size_t kMaxAttStmtBytes = protocol::kMaxFido2AttStmtBytes;
constexpr std::size_t kMaxFmtBytes = 32;
constexpr std::size_t kAaguidTextBytes = 36;
// Bounds the protocol leaves to the client: generous, but bounded.
constexpr std::size_t kMaxNameBytes = 256;  // rp id, rp name, user names
constexpr std::size_t kMaxPolicyBytes = 16;
constexpr std::size_t kMaxCredentialList = 64;
constexpr std::size_t kMaxAlgorithms = 16;
constexpr std::int64_t kMaxTimeoutSeconds = 86400;
constexpr std::int64_t kMaxCoseAlgorithm = 65535;

std::string inQuotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string encode(const Bytes& bytes) { return base64urlEncode(bytes); }

bool sizeWithin(const Bytes& bytes, std::size_t min, std::size_t max) {
  return bytes.size() >= min && bytes.size() <= max;
}

// Decodes one base64url value of minBytes..maxBytes bytes; *why names the field otherwise.
std::optional<Bytes> decodeBinary(std::string_view key, const std::string& text,
                                  std::size_t minBytes, std::size_t maxBytes, std::string* why) {
  auto bytes = base64urlDecode(text, maxBytes);
  if (!bytes || bytes->size() < minBytes) {
    *why = "field " + inQuotes(key) + " must be base64url of " + std::to_string(minBytes) + " to " +
           std::to_string(maxBytes) + " bytes";
    return std::nullopt;
  }
  return bytes;
}

// A required base64url field. Leaves the reader failed, or *why set, when it is not valid.
std::optional<Bytes> requireBinary(JsonReader& reader, std::string_view key, std::size_t minBytes,
                                   std::size_t maxBytes, std::string* why) {
  auto text = reader.requireString(key, base64urlLength(maxBytes));
  if (!text) return std::nullopt;
  return decodeBinary(key, *text, minBytes, maxBytes, why);
}

// An array of base64url credential ids; `minItems` is 1 for the allow list, 0 for exclude.
bool readCredentialList(std::string_view key, const json* value, std::size_t minItems,
                        std::vector<Bytes>* out, std::string* why) {
  if (value == nullptr || !value->is_array() || value->size() < minItems ||
      value->size() > kMaxCredentialList) {
    *why = "field " + inQuotes(key) + " must be an array of " + std::to_string(minItems) + " to " +
           std::to_string(kMaxCredentialList) + " credential ids";
    return false;
  }
  for (const json& item : *value) {
    if (!item.is_string()) {
      *why = "field " + inQuotes(key) + " holds a value that is not a string";
      return false;
    }
    auto id = decodeBinary(key, item.get_ref<const std::string&>(), 1, kMaxCredentialIdBytes, why);
    if (!id) return false;
    out->push_back(std::move(*id));
  }
  return true;
}

bool readAlgorithms(const json* value, std::vector<int>* out, std::string* why) {
  *why = "field \"algorithms\" must be an array of 1 to " + std::to_string(kMaxAlgorithms) +
         " COSE algorithm ids";
  if (value == nullptr || !value->is_array() || value->empty() || value->size() > kMaxAlgorithms) {
    return false;
  }
  for (const json& item : *value) {
    if (!item.is_number_integer()) return false;
    const auto id = item.get<std::int64_t>();
    if (id == 0 || id < -kMaxCoseAlgorithm || id > kMaxCoseAlgorithm) return false;
    out->push_back(static_cast<int>(id));
  }
  why->clear();
  return true;
}

std::optional<UvPolicy> readUv(JsonReader& reader, std::string* why) {
  auto text = reader.requireString("uv", kMaxPolicyBytes);
  if (!text) return std::nullopt;
  auto uv = uvPolicyFrom(*text);
  if (!uv) *why = "field \"uv\" has an unknown value " + inQuotes(*text);
  return uv;
}

// A string field whose value must be one of `allowed`.
std::optional<std::string> requireOneOf(JsonReader& reader, std::string_view key,
                                        std::initializer_list<std::string_view> allowed,
                                        std::string* why) {
  auto text = reader.requireString(key, kMaxPolicyBytes);
  if (!text) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *text) == allowed.end()) {
    *why = "field " + inQuotes(key) + " has an unknown value " + inQuotes(*text);
    return std::nullopt;
  }
  return text;
}

// 8-4-4-4-12 lower-case hex.
bool isAaguidText(std::string_view text) {
  if (text.size() != kAaguidTextBytes) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = text[i];
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (dash ? c != '-' : !hex) return false;
  }
  return true;
}

// Completes a parse: the reader's own error first, then a semantic one in `why`.
template <typename T>
CallResult<T> finishParse(JsonReader& reader, const std::string& why, const char* what, T answer) {
  if (!reader.finish()) {
    return CallResult<T>::failure(
        protocolError(std::string("malformed ") + what + " response: " + reader.error()));
  }
  if (!why.empty()) {
    return CallResult<T>::failure(
        protocolError(std::string("malformed ") + what + " response: " + why));
  }
  return CallResult<T>{std::move(answer), {}};
}

// Sends one request and parses the answer with `parse`.
template <typename T>
CallResult<T> roundTrip(Client& client, json request,
                        CallResult<T> (*parse)(const json& response)) {
  ClientError error;
  auto response = client.call(std::move(request), &error);
  if (!response) return CallResult<T>::failure(calls::transportError(error));
  return parse(*response);
}

bool sendableUser(std::string_view user) {
  return calls::isWireString(user, protocol::kMaxUserBytes);
}

// Why an assertion cannot be sent, or empty.
std::string assertionProblem(const Fido2Assertion& a) {
  if (a.challenge.size() != kChallengeBytes) return "challenge must be 32 bytes";
  if (!sizeWithin(a.credentialId, 1, kMaxCredentialIdBytes)) return "bad credential id size";
  if (!sizeWithin(a.authData, 1, kMaxAssertionAuthDataBytes)) return "bad authData size";
  if (!sizeWithin(a.signature, 1, kMaxSignatureBytes)) return "bad signature size";
  if (a.clientDataHash.size() != kChallengeBytes) return "clientDataHash must be 32 bytes";
  return {};
}

std::string attestationProblem(const Fido2Attestation& a) {
  if (a.challenge.size() != kChallengeBytes) return "challenge must be 32 bytes";
  if (!calls::isWireString(a.fmt, kMaxFmtBytes)) return "bad attestation format";
  if (!sizeWithin(a.authData, 1, kMaxAttestationAuthDataBytes)) return "bad authData size";
  if (!sizeWithin(a.attStmt, 1, kMaxAttStmtBytes)) return "bad attStmt size";
  if (a.clientDataHash.size() != kChallengeBytes) return "clientDataHash must be 32 bytes";
  return {};
}

}  // namespace

std::string_view toString(UvPolicy uv) {
  switch (uv) {
    case UvPolicy::required:
      return "required";
    case UvPolicy::discouraged:
      return "discouraged";
    case UvPolicy::preferred:
      break;
  }
  return "preferred";
}

std::optional<UvPolicy> uvPolicyFrom(std::string_view text) {
  if (text == "required") return UvPolicy::required;
  if (text == "preferred") return UvPolicy::preferred;
  if (text == "discouraged") return UvPolicy::discouraged;
  return std::nullopt;
}

json fido2BeginRequest(std::string_view user, std::string_view service) {
  json request = {{"op", "fido2_begin"}, {"user", std::string(user)}};
  calls::addAuditField(request, "service", service, protocol::kMaxServiceBytes);
  return request;
}

CallResult<Fido2LogonChallenge> parseFido2BeginResponse(const json& response) {
  using Result = CallResult<Fido2LogonChallenge>;
  JsonReader reader(response);
  if (auto error = calls::expectSuccess(response, reader)) return Result::failure(*error);
  std::string why;
  Fido2LogonChallenge c;
  auto challenge = requireBinary(reader, "challenge", kChallengeBytes, kChallengeBytes, &why);
  auto rpId = reader.requireString("rp_id", kMaxNameBytes);
  const json* allow = reader.optionalAny("allow");
  auto uv = readUv(reader, &why);
  auto timeout = reader.requireInt("timeout", 1, kMaxTimeoutSeconds);
  if (!reader.failed() && why.empty()) {
    readCredentialList("allow", allow, 1, &c.allow, &why);
  }
  if (reader.failed() || !why.empty()) {
    return finishParse<Fido2LogonChallenge>(reader, why, "fido2_begin", {});
  }
  c.challenge = std::move(*challenge);
  c.rpId = std::move(*rpId);
  c.uv = *uv;
  c.timeoutSeconds = *timeout;
  return finishParse(reader, why, "fido2_begin", std::move(c));
}

Fido2VerifyRequest::~Fido2VerifyRequest() {
  if (password) wipeString(*password);
}

json fido2VerifyRequest(const Fido2VerifyRequest& request) {
  const Fido2Assertion& a = request.assertion;
  json wire = {{"op", "verify"},
               {"user", request.user},
               {"factor", "fido2"},
               {"challenge", encode(a.challenge)},
               {"credential", encode(a.credentialId)},
               {"auth_data", encode(a.authData)},
               {"signature", encode(a.signature)},
               {"client_data_hash", encode(a.clientDataHash)}};
  calls::addAuditField(wire, "service", request.service, protocol::kMaxServiceBytes);
  calls::addAuditField(wire, "rhost", request.rhost, protocol::kMaxHostBytes);
  calls::addAuditField(wire, "tty", request.tty, protocol::kMaxHostBytes);
  if (request.password) wire["password"] = *request.password;  // Client::call wipes it
  return wire;
}

json fido2RegisterBeginRequest(const Fido2RegisterOptions& options) {
  json request = {
      {"op", "fido2_register_begin"}, {"user", options.user}, {"resident", options.resident}};
  if (!options.label.empty()) request["label"] = options.label;
  if (options.uv) request["uv"] = std::string(toString(*options.uv));
  return request;
}

CallResult<Fido2RegistrationChallenge> parseFido2RegisterBeginResponse(const json& response) {
  using Result = CallResult<Fido2RegistrationChallenge>;
  JsonReader reader(response);
  if (auto error = calls::expectSuccess(response, reader)) return Result::failure(*error);
  std::string why;
  Fido2RegistrationChallenge c;
  auto challenge = requireBinary(reader, "challenge", kChallengeBytes, kChallengeBytes, &why);
  auto rpId = reader.requireString("rp_id", kMaxNameBytes);
  auto rpName = reader.requireString("rp_name", kMaxNameBytes);
  auto handle = requireBinary(reader, "user_handle", kUserHandleBytes, kUserHandleBytes, &why);
  auto userName = reader.requireString("user_name", kMaxNameBytes);
  auto displayName = reader.requireString("user_display_name", kMaxNameBytes);
  const json* algorithms = reader.optionalAny("algorithms");
  const json* exclude = reader.optionalAny("exclude");
  auto resident = reader.optionalBool("resident");
  auto uv = readUv(reader, &why);
  auto attestation = requireOneOf(reader, "attestation", {"none", "self", "trusted"}, &why);
  auto timeout = reader.requireInt("timeout", 1, kMaxTimeoutSeconds);
  if (!reader.failed() && why.empty() && !resident) why = "missing field \"resident\"";
  if (!reader.failed() && why.empty()) readAlgorithms(algorithms, &c.algorithms, &why);
  if (!reader.failed() && why.empty()) readCredentialList("exclude", exclude, 0, &c.exclude, &why);
  if (reader.failed() || !why.empty()) {
    return finishParse<Fido2RegistrationChallenge>(reader, why, "fido2_register_begin", {});
  }
  c.challenge = std::move(*challenge);
  c.rpId = std::move(*rpId);
  c.rpName = std::move(*rpName);
  c.userHandle = std::move(*handle);
  c.userName = std::move(*userName);
  c.userDisplayName = std::move(*displayName);
  c.resident = *resident;
  c.uv = *uv;
  c.attestation = std::move(*attestation);
  c.timeoutSeconds = *timeout;
  return finishParse(reader, why, "fido2_register_begin", std::move(c));
}

json fido2RegisterFinishRequest(std::string_view user, const Fido2Attestation& att) {
  return json{{"op", "fido2_register_finish"},
              {"user", std::string(user)},
              {"challenge", encode(att.challenge)},
              {"fmt", att.fmt},
              {"auth_data", encode(att.authData)},
              {"att_stmt", encode(att.attStmt)},
              {"client_data_hash", encode(att.clientDataHash)}};
}

CallResult<Fido2RegisteredAnswer> parseFido2RegisterFinishResponse(const json& response) {
  using Result = CallResult<Fido2RegisteredAnswer>;
  JsonReader reader(response);
  if (auto error = calls::expectSuccess(response, reader)) return Result::failure(*error);
  std::string why;
  Fido2RegisteredAnswer a;
  auto credentialId = reader.requireInt("credential_id", 0, calls::kMaxWireInt);
  auto fido2Id = reader.requireString("fido2_id", base64urlLength(kMaxCredentialIdBytes));
  auto aaguid = reader.requireString("aaguid", kAaguidTextBytes);
  auto attestation =
      requireOneOf(reader, "attestation", {"none", "self", "basic", "basic_unverified"}, &why);
  auto fmt = reader.requireString("fmt", kMaxFmtBytes);
  auto algorithm = reader.requireInt("algorithm", -kMaxCoseAlgorithm, kMaxCoseAlgorithm);
  if (!reader.failed() && why.empty()) {
    decodeBinary("fido2_id", *fido2Id, 1, kMaxCredentialIdBytes, &why);
  }
  if (!reader.failed() && why.empty() && !isAaguidText(*aaguid)) {
    why = "field \"aaguid\" is not 8-4-4-4-12 lower-case hex";
  }
  if (reader.failed() || !why.empty()) {
    return finishParse<Fido2RegisteredAnswer>(reader, why, "fido2_register_finish", {});
  }
  a.credentialId = *credentialId;
  a.fido2Id = std::move(*fido2Id);
  a.aaguid = std::move(*aaguid);
  a.attestation = std::move(*attestation);
  a.fmt = std::move(*fmt);
  a.algorithm = static_cast<int>(*algorithm);
  return finishParse(reader, why, "fido2_register_finish", std::move(a));
}

CallResult<Fido2LogonChallenge> beginFido2Logon(Client& client, std::string_view user,
                                                std::string_view service) {
  if (!sendableUser(user)) {
    return CallResult<Fido2LogonChallenge>::failure(
        argumentError("user name cannot be sent to authd"));
  }
  return roundTrip(client, fido2BeginRequest(user, service), &parseFido2BeginResponse);
}

CallResult<VerifyAnswer> verifyFido2(Client& client, const Fido2VerifyRequest& request) {
  using Result = CallResult<VerifyAnswer>;
  if (!sendableUser(request.user)) {
    return Result::failure(argumentError("user name cannot be sent to authd"));
  }
  if (auto problem = assertionProblem(request.assertion); !problem.empty()) {
    return Result::failure(argumentError("assertion cannot be sent: " + problem));
  }
  if (request.password && !isSendablePassword(*request.password)) {
    return Result::failure(argumentError("password is empty, too long or not printable UTF-8"));
  }
  return roundTrip(client, fido2VerifyRequest(request), &parseVerifyResponse);
}

CallResult<Fido2RegistrationChallenge> beginFido2Registration(Client& client,
                                                              const Fido2RegisterOptions& options) {
  using Result = CallResult<Fido2RegistrationChallenge>;
  if (!sendableUser(options.user)) {
    return Result::failure(argumentError("user name cannot be sent to authd"));
  }
  if (!options.label.empty() && !calls::isWireString(options.label, protocol::kMaxLabelBytes)) {
    return Result::failure(argumentError("label must be 1 to 64 bytes of printable UTF-8"));
  }
  return roundTrip(client, fido2RegisterBeginRequest(options), &parseFido2RegisterBeginResponse);
}

CallResult<Fido2RegisteredAnswer> finishFido2Registration(Client& client, std::string_view user,
                                                          const Fido2Attestation& att) {
  using Result = CallResult<Fido2RegisteredAnswer>;
  if (!sendableUser(user)) {
    return Result::failure(argumentError("user name cannot be sent to authd"));
  }
  if (auto problem = attestationProblem(att); !problem.empty()) {
    return Result::failure(argumentError("attestation cannot be sent: " + problem));
  }
  return roundTrip(client, fido2RegisterFinishRequest(user, att),
                   &parseFido2RegisterFinishResponse);
}

}  // namespace authd
