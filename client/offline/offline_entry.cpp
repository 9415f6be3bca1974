#include "authd/offline_entry.h"

#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

#include "authd/json_reader.h"
#include "authd/protocol.h"
#include "authd/text.h"

namespace authd::offline {

namespace {

constexpr std::string_view kSignatureContext = "authd offline entry v1";
constexpr std::size_t kEd25519SignatureBytes = 64;
// The payload travels base64url-encoded inside a protocol line.
constexpr std::size_t kMaxPayloadBytes = kMaxEntryLineBytes * 3 / 4 - 128;  // fits the line
constexpr std::int64_t kMaxAlgorithm = 65535;
constexpr std::int64_t kMaxCredentialRow =
    (std::int64_t{1} << 53) - 1;  // a JSON-safe integer  // COSE algorithm ids are small integers

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// The signed bytes: context, a zero byte, the payload (domain separation from other signatures
// made with the same key).
Bytes signedMessage(std::string_view payload) {
  Bytes message(kSignatureContext.begin(), kSignatureContext.end());
  message.push_back(0);
  message.insert(message.end(), payload.begin(), payload.end());
  return message;
}

bool isEd25519(EVP_PKEY* key) { return key != nullptr && EVP_PKEY_is_a(key, "ED25519") == 1; }

std::optional<Bytes> sign(std::string_view payload, EVP_PKEY* key) {
  if (!isEd25519(key)) return std::nullopt;
  const Bytes message = signedMessage(payload);
  MdCtx ctx(EVP_MD_CTX_new());
  Bytes signature(kEd25519SignatureBytes);
  std::size_t length = signature.size();
  if (!ctx ||
      EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, key, nullptr) != 1 ||
      EVP_DigestSign(ctx.get(), signature.data(), &length, message.data(), message.size()) != 1 ||
      length != kEd25519SignatureBytes) {
    return std::nullopt;
  }
  return signature;
}

bool signatureHolds(std::string_view payload, const Bytes& signature, EVP_PKEY* key) {
  if (!isEd25519(key) || signature.size() != kEd25519SignatureBytes) return false;
  const Bytes message = signedMessage(payload);
  MdCtx ctx(EVP_MD_CTX_new());
  return ctx &&
         EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, key, nullptr) ==
             1 &&
         EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                          message.size()) == 1;
}

bool isName(std::string_view s, std::size_t maxBytes) {
  return !s.empty() && s.size() <= maxBytes && isSafeText(s);
}

// The rules every entry obeys, whether about to be signed or just read.
bool wellFormed(const OfflineEntry& e) {
  if (!isName(e.user, protocol::kMaxUserBytes) || !isName(e.owner, protocol::kMaxUserBytes) ||
      !isName(e.device, protocol::kMaxHostBytes) || !isName(e.rpId, protocol::kMaxHostBytes)) {
    return false;
  }
  if (e.issuedAt < 0 || e.expiresAt <= e.issuedAt ||
      e.expiresAt - e.issuedAt > kMaxLifetimeSeconds) {
    return false;
  }
  if (e.keys.empty() || e.keys.size() > kMaxKeys) return false;
  for (const OfflineKey& k : e.keys) {
    if (k.credentialId.empty() || k.credentialId.size() > protocol::kMaxFido2CredentialIdBytes ||
        k.coseKey.empty() || k.coseKey.size() > kMaxCoseKeyBytes || k.algorithm == 0 ||
        k.algorithm < -kMaxAlgorithm || k.algorithm > kMaxAlgorithm || k.credentialRow < 1 ||
        k.credentialRow > kMaxCredentialRow) {
      return false;
    }
  }
  return true;
}

nlohmann::json payloadJson(const OfflineEntry& e) {
  nlohmann::json keys = nlohmann::json::array();
  for (const OfflineKey& k : e.keys) {
    keys.push_back({{"id", base64urlEncode(k.credentialId)},
                    {"cose", base64urlEncode(k.coseKey)},
                    {"alg", k.algorithm},
                    {"count", k.signCount},
                    {"row", k.credentialRow}});
  }
  return {{"user", e.user},         {"owner", e.owner},       {"device", e.device},
          {"rp_id", e.rpId},        {"uv", e.uvRequired},     {"issued", e.issuedAt},
          {"expires", e.expiresAt}, {"keys", std::move(keys)}};
}

std::optional<Bytes> requireBytes(JsonReader& r, std::string_view key, std::size_t maxBytes) {
  const auto text = r.requireString(key, base64urlLength(maxBytes));
  if (!text) return std::nullopt;
  return base64urlDecode(*text, maxBytes);
}

std::optional<OfflineKey> readKey(const nlohmann::json& value) {
  if (!value.is_object()) return std::nullopt;
  JsonReader r(value);
  OfflineKey k;
  const auto id = requireBytes(r, "id", protocol::kMaxFido2CredentialIdBytes);
  const auto cose = requireBytes(r, "cose", kMaxCoseKeyBytes);
  const auto alg = r.requireInt("alg", -kMaxAlgorithm, kMaxAlgorithm);
  const auto count = r.requireInt("count", 0, std::numeric_limits<std::uint32_t>::max());
  const auto row = r.requireInt("row", 1, kMaxCredentialRow);
  if (!r.finish() || !id || !cose || !alg || !count || !row) return std::nullopt;
  k.credentialRow = *row;
  k.credentialId = *id;
  k.coseKey = *cose;
  k.algorithm = static_cast<int>(*alg);
  k.signCount = static_cast<std::uint32_t>(*count);
  return k;
}

std::optional<OfflineEntry> readPayload(std::string_view payload) {
  std::string error;
  const std::optional<nlohmann::json> object = parseProtocolLine(payload, &error);
  if (!object) return std::nullopt;
  JsonReader r(*object);
  OfflineEntry e;
  auto text = [&r](std::string_view key, std::size_t maxBytes) {
    return r.requireString(key, maxBytes).value_or("");
  };
  e.user = text("user", protocol::kMaxUserBytes);
  e.owner = text("owner", protocol::kMaxUserBytes);
  e.device = text("device", protocol::kMaxHostBytes);
  e.rpId = text("rp_id", protocol::kMaxHostBytes);
  const std::optional<bool> uv = r.optionalBool("uv");
  const auto issued = r.requireInt("issued", 0, std::numeric_limits<std::int64_t>::max());
  const auto expires = r.requireInt("expires", 0, std::numeric_limits<std::int64_t>::max());
  const nlohmann::json* keys = r.optionalAny("keys");
  if (!r.finish() || !uv || !issued || !expires || keys == nullptr || !keys->is_array() ||
      keys->size() > kMaxKeys) {
    return std::nullopt;
  }
  e.uvRequired = *uv;
  e.issuedAt = *issued;
  e.expiresAt = *expires;
  for (const nlohmann::json& value : *keys) {
    std::optional<OfflineKey> key = readKey(value);
    if (!key) return std::nullopt;
    e.keys.push_back(std::move(*key));
  }
  if (!wellFormed(e)) return std::nullopt;
  return e;
}

// The payload bytes and signature of an entry line; nullopt unless exactly the envelope.
std::optional<std::pair<std::string, Bytes>> readEnvelope(std::string_view line) {
  std::string error;
  const std::optional<nlohmann::json> object = parseProtocolLine(line, &error);
  if (!object) return std::nullopt;
  JsonReader r(*object);
  const auto version = r.requireInt("v", kEntryVersion, kEntryVersion);
  const auto payload = r.requireString("payload", base64urlLength(kMaxPayloadBytes));
  const auto signature = r.requireString("sig", base64urlLength(kEd25519SignatureBytes));
  if (!r.finish() || !version || !payload || !signature) return std::nullopt;
  std::optional<Bytes> payloadBytes = base64urlDecode(*payload, kMaxPayloadBytes);
  std::optional<Bytes> signatureBytes = base64urlDecode(*signature, kEd25519SignatureBytes);
  if (!payloadBytes || !signatureBytes) return std::nullopt;
  return std::make_pair(std::string(payloadBytes->begin(), payloadBytes->end()),
                        std::move(*signatureBytes));
}

EntryCheck refuse(Refusal why) { return EntryCheck{std::nullopt, why}; }

}  // namespace

std::optional<std::string> signEntry(const OfflineEntry& entry, EVP_PKEY* signingKey) {
  if (!wellFormed(entry)) return std::nullopt;
  const std::string payload = payloadJson(entry).dump();
  if (payload.size() > kMaxPayloadBytes) return std::nullopt;
  const std::optional<Bytes> signature = sign(payload, signingKey);
  if (!signature) return std::nullopt;
  const nlohmann::json envelope = {
      {"v", kEntryVersion},
      {"payload", base64urlEncode(std::span(reinterpret_cast<const unsigned char*>(payload.data()),
                                            payload.size()))},
      {"sig", base64urlEncode(*signature)}};
  std::string line = envelope.dump();
  if (line.size() > kMaxEntryLineBytes) return std::nullopt;
  return line;
}

EntryCheck readEntryAnyTime(std::string_view line, EVP_PKEY* authdKey, std::string_view device) {
  const auto envelope = readEnvelope(line);
  if (!envelope) return refuse(Refusal::malformed);
  if (!signatureHolds(envelope->first, envelope->second, authdKey)) {
    return refuse(Refusal::badSignature);
  }
  std::optional<OfflineEntry> entry = readPayload(envelope->first);
  if (!entry) return refuse(Refusal::malformed);
  if (entry->device != device) return refuse(Refusal::otherDevice);
  return EntryCheck{std::move(entry), Refusal::none};
}

EntryCheck readEntry(std::string_view line, EVP_PKEY* authdKey, std::string_view device,
                     std::int64_t now) {
  EntryCheck check = readEntryAnyTime(line, authdKey, device);
  if (!check.entry) return check;
  if (check.entry->issuedAt > now + kClockSkewSeconds) return refuse(Refusal::notYetValid);
  if (now >= check.entry->expiresAt) return refuse(Refusal::expired);
  return check;
}

const char* auditReason(Refusal refusal) {
  switch (refusal) {
    case Refusal::none:
      return "none";
    case Refusal::malformed:
      return "offline_entry_malformed";
    case Refusal::badSignature:
      return "offline_entry_bad_signature";
    case Refusal::otherDevice:
      return "offline_entry_other_device";
    case Refusal::notYetValid:
      return "offline_entry_not_yet_valid";
    case Refusal::expired:
      break;
  }
  return "offline_entry_expired";
}

std::string_view describe(Refusal refusal) {
  switch (refusal) {
    case Refusal::none:
      return "";
    case Refusal::malformed:
    case Refusal::badSignature:
      return "the offline logon data on this device is damaged or was not issued by authd; "
             "connect to the city network to log on";
    case Refusal::otherDevice:
      return "the offline logon data was issued for another device; connect to the city "
             "network to log on";
    case Refusal::notYetValid:
      return "this device's clock is behind the offline logon data; check the date and time";
    case Refusal::expired:
      break;
  }
  return "offline logon has expired on this device; connect to the city network (VPN or "
         "office) to log on";
}

}  // namespace authd::offline
