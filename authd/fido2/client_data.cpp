#include "authd/fido2/client_data.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "authd/base64url.h"
#include "authd/fido2/digest.h"

namespace authd::fido2 {
namespace {

using nlohmann::json;

bool sameChallenge(ByteSpan presented, ByteSpan challenge) {
  return presented.size() == challenge.size() &&
         CRYPTO_memcmp(presented.data(), challenge.data(), challenge.size()) == 0;
}

// Parses a JSON object, refusing repeated keys at any depth (nlohmann keeps the last one silently,
// which would let two readers of the same bytes see different values).
std::optional<json> parseObjectWithoutRepeatedKeys(const std::string& text) {
  std::vector<std::set<std::string>> openObjects;
  bool repeated = false;
  const json::parser_callback_t noteKeys = [&](int /*depth*/, json::parse_event_t event,
                                               json& parsed) {
    if (event == json::parse_event_t::object_start) openObjects.emplace_back();
    if (event == json::parse_event_t::object_end && !openObjects.empty()) openObjects.pop_back();
    if (event == json::parse_event_t::key && !openObjects.empty() &&
        !openObjects.back().insert(parsed.get<std::string>()).second) {
      repeated = true;
    }
    return true;
  };
  json parsed = json::parse(text, noteKeys, /*allow_exceptions=*/false);
  if (repeated || parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

bool textField(const json& object, const char* name, std::string_view expected) {
  const auto field = object.find(name);
  return field != object.end() && field->is_string() &&
         field->get_ref<const std::string&>() == expected;
}

bool challengeField(const json& object, ByteSpan challenge) {
  const auto field = object.find("challenge");
  if (field == object.end() || !field->is_string()) return false;
  const std::optional<Bytes> decoded =
      base64urlDecode(field->get_ref<const std::string&>(), kChallengeSize);
  return decoded && sameChallenge(*decoded, challenge);
}

bool originAllowed(const json& object, const std::vector<std::string>& origins) {
  const auto field = object.find("origin");
  if (field == object.end() || !field->is_string()) return false;
  return std::find(origins.begin(), origins.end(), field->get_ref<const std::string&>()) !=
         origins.end();
}

bool notCrossOrigin(const json& object) {
  const auto field = object.find("crossOrigin");
  return field == object.end() || (field->is_boolean() && !field->get<bool>());
}

bool jsonMatches(const std::string& text, ByteSpan challenge,
                 const std::vector<std::string>& origins, Ceremony ceremony) {
  if (text.size() > kMaxClientDataJsonSize) return false;
  const std::optional<json> object = parseObjectWithoutRepeatedKeys(text);
  const char* type = ceremony == Ceremony::registration ? "webauthn.create" : "webauthn.get";
  return object && textField(*object, "type", type) && challengeField(*object, challenge) &&
         originAllowed(*object, origins) && notCrossOrigin(*object);
}

}  // namespace

std::optional<ClientDataHash> checkClientData(const ClientData& clientData, ByteSpan challenge,
                                              const std::vector<std::string>& origins,
                                              Ceremony ceremony) {
  if (challenge.size() != kChallengeSize ||
      clientData.hash.has_value() == clientData.json.has_value()) {
    return std::nullopt;
  }
  ClientDataHash hash{};
  if (clientData.hash) {
    if (!sameChallenge(*clientData.hash, challenge)) return std::nullopt;
    std::copy(clientData.hash->begin(), clientData.hash->end(), hash.begin());
    return hash;
  }
  if (!jsonMatches(*clientData.json, challenge, origins, ceremony)) return std::nullopt;
  const ByteSpan json(reinterpret_cast<const unsigned char*>(clientData.json->data()),
                      clientData.json->size());
  if (!sha256(json, {}, &hash)) return std::nullopt;
  return hash;
}

}  // namespace authd::fido2
