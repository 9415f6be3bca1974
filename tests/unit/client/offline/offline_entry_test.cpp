#include "authd/offline_entry.h"

#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "authd/protocol.h"

using namespace authd;
using namespace authd::offline;

namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

Key newSigningKey() { return Key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")); }

// The public half only, as a device holds it.
Key publicHalf(EVP_PKEY* key) {
  unsigned char raw[32];
  std::size_t n = sizeof(raw);
  REQUIRE(EVP_PKEY_get_raw_public_key(key, raw, &n) == 1);
  return Key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw, n));
}

constexpr std::int64_t kIssued = 1'800'000'000;
constexpr std::int64_t kDay = 86400;

OfflineEntry sampleEntry() {
  OfflineEntry e;
  e.user = "alice";
  e.owner = "ldap:6f1c";
  e.device = "nb-gesundheit-017.stadt.example";
  e.rpId = "authd.stadt.example";
  e.uvRequired = true;
  e.issuedAt = kIssued;
  e.expiresAt = kIssued + 14 * kDay;
  e.keys.push_back(OfflineKey{{1, 2, 3, 4}, {0xa5, 0x01, 0x02}, -7, 41, 12});
  e.keys.push_back(OfflineKey{{9, 9}, {0xa4, 0x01, 0x01}, -8, 0, 13});
  return e;
}

struct Signed {
  Key signer = newSigningKey();
  Key verifier = publicHalf(signer.get());
  std::string line;
  explicit Signed(const OfflineEntry& e) { line = signEntry(e, signer.get()).value(); }
};

// The envelope with its payload replaced by `payload` (the signature kept).
std::string withPayload(const std::string& line, const std::string& payload) {
  nlohmann::json envelope = nlohmann::json::parse(line);
  envelope["payload"] = base64urlEncode(
      std::span(reinterpret_cast<const unsigned char*>(payload.data()), payload.size()));
  return envelope.dump();
}

std::string payloadOf(const std::string& line) {
  const Bytes bytes =
      base64urlDecode(nlohmann::json::parse(line)["payload"].get<std::string>()).value();
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace

TEST_CASE("offline entry: what authd signs, the device reads back unchanged") {
  const OfflineEntry e = sampleEntry();
  Signed s(e);
  const EntryCheck check = readEntry(s.line, s.verifier.get(), e.device, kIssued + kDay);
  REQUIRE(check.refusal == Refusal::none);
  REQUIRE(check.entry);
  CHECK(check.entry->user == e.user);
  CHECK(check.entry->owner == e.owner);
  CHECK(check.entry->rpId == e.rpId);
  CHECK(check.entry->uvRequired);
  CHECK(check.entry->expiresAt == e.expiresAt);
  REQUIRE(check.entry->keys.size() == 2);
  CHECK(check.entry->keys[0].credentialId == e.keys[0].credentialId);
  CHECK(check.entry->keys[0].coseKey == e.keys[0].coseKey);
  CHECK(check.entry->keys[0].signCount == 41);
  CHECK(check.entry->keys[1].algorithm == -8);
}

TEST_CASE("offline entry: a changed byte, another authd's key, a bare payload signature") {
  const OfflineEntry e = sampleEntry();
  Signed s(e);
  const std::int64_t now = kIssued + kDay;

  std::string payload = payloadOf(s.line);
  const auto at = payload.find("\"count\":41");
  REQUIRE(at != std::string::npos);
  payload.replace(at, 10, "\"count\":40");  // a lower counter would let an old assertion pass
  CHECK(readEntry(withPayload(s.line, payload), s.verifier.get(), e.device, now).refusal ==
        Refusal::badSignature);

  Key other = newSigningKey();
  const std::string foreign = signEntry(e, other.get()).value();
  CHECK(readEntry(foreign, s.verifier.get(), e.device, now).refusal == Refusal::badSignature);

  // The signature covers a context string: a signature of the payload alone (another use of
  // the same key) is not an entry signature.
  const std::string bare = payloadOf(s.line);
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char sig[64];
  std::size_t n = sizeof(sig);
  REQUIRE(EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, s.signer.get(),
                                nullptr) == 1);
  REQUIRE(EVP_DigestSign(ctx.get(), sig, &n, reinterpret_cast<const unsigned char*>(bare.data()),
                         bare.size()) == 1);
  nlohmann::json envelope = nlohmann::json::parse(s.line);
  envelope["sig"] = base64urlEncode(std::span<const unsigned char>(sig, n));
  CHECK(readEntry(envelope.dump(), s.verifier.get(), e.device, now).refusal ==
        Refusal::badSignature);

  // A key that is not Ed25519 verifies nothing.
  Key ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  CHECK(readEntry(s.line, ec.get(), e.device, now).refusal == Refusal::badSignature);
  CHECK(readEntry(s.line, nullptr, e.device, now).refusal == Refusal::badSignature);
}

TEST_CASE("offline entry: bound to its device and its validity period") {
  const OfflineEntry e = sampleEntry();
  Signed s(e);
  CHECK(readEntry(s.line, s.verifier.get(), "nb-other-001.stadt.example", kIssued).refusal ==
        Refusal::otherDevice);
  CHECK(readEntry(s.line, s.verifier.get(), e.device, e.expiresAt - 1).refusal == Refusal::none);
  CHECK(readEntry(s.line, s.verifier.get(), e.device, e.expiresAt).refusal == Refusal::expired);
  CHECK(readEntry(s.line, s.verifier.get(), e.device, kIssued - kClockSkewSeconds).refusal ==
        Refusal::none);
  CHECK(readEntry(s.line, s.verifier.get(), e.device, kIssued - kClockSkewSeconds - 1).refusal ==
        Refusal::notYetValid);
  for (Refusal r : {Refusal::malformed, Refusal::badSignature, Refusal::otherDevice,
                    Refusal::notYetValid, Refusal::expired}) {
    CHECK_FALSE(describe(r).empty());
    CHECK(std::string(auditReason(r)).starts_with("offline_entry_"));
  }
}

TEST_CASE("offline entry: anything but exactly the envelope is malformed") {
  const OfflineEntry e = sampleEntry();
  Signed s(e);
  auto read = [&](const std::string& line) {
    return readEntry(line, s.verifier.get(), e.device, kIssued).refusal;
  };
  CHECK(read(s.line + " x") == Refusal::malformed);
  CHECK(read("") == Refusal::malformed);
  CHECK(read("[]") == Refusal::malformed);
  nlohmann::json extra = nlohmann::json::parse(s.line);
  extra["note"] = "x";
  CHECK(read(extra.dump()) == Refusal::malformed);
  nlohmann::json v2 = nlohmann::json::parse(s.line);
  v2["v"] = 2;
  CHECK(read(v2.dump()) == Refusal::malformed);
  const std::string repeated = "{\"v\":1," + s.line.substr(1);  // "v" twice
  CHECK(read(repeated) == Refusal::malformed);
}

TEST_CASE("offline entry: a signed payload that breaks a field rule is still refused") {
  // Signed directly, as a buggy or older authd might: the reader checks fields itself.
  Key signer = newSigningKey();
  Key verifier = publicHalf(signer.get());
  OfflineEntry good = sampleEntry();
  const std::string line = signEntry(good, signer.get()).value();
  std::string payload = payloadOf(line);
  payload.replace(payload.find("alice"), 5, "al\\u202eice");  // a bidi override in the name
  const Bytes message = [&] {
    std::string m = "authd offline entry v1";
    m.push_back('\0');
    m += payload;
    return Bytes(m.begin(), m.end());
  }();
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char sig[64];
  std::size_t n = sizeof(sig);
  REQUIRE(EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, signer.get(),
                                nullptr) == 1);
  REQUIRE(EVP_DigestSign(ctx.get(), sig, &n, message.data(), message.size()) == 1);
  nlohmann::json envelope = nlohmann::json::parse(withPayload(line, payload));
  envelope["sig"] = base64urlEncode(std::span<const unsigned char>(sig, n));
  CHECK(readEntry(envelope.dump(), verifier.get(), good.device, kIssued).refusal ==
        Refusal::malformed);
}

TEST_CASE("offline entry: authd does not sign an entry that breaks a rule") {
  Key signer = newSigningKey();
  auto signs = [&](const OfflineEntry& e) { return signEntry(e, signer.get()).has_value(); };
  CHECK(signs(sampleEntry()));
  OfflineEntry e = sampleEntry();
  e.keys.clear();
  CHECK_FALSE(signs(e));
  e = sampleEntry();
  e.expiresAt = e.issuedAt + kMaxLifetimeSeconds + 1;
  CHECK_FALSE(signs(e));
  e = sampleEntry();
  e.expiresAt = e.issuedAt;
  CHECK_FALSE(signs(e));
  e = sampleEntry();
  e.device = "";
  CHECK_FALSE(signs(e));
  e = sampleEntry();
  e.user = "bob\x1b[2J";
  CHECK_FALSE(signs(e));
  e = sampleEntry();
  e.keys.assign(kMaxKeys + 1, e.keys[0]);
  CHECK_FALSE(signs(e));
  e = sampleEntry();
  e.keys[0].credentialId.assign(protocol::kMaxFido2CredentialIdBytes + 1, 7);
  CHECK_FALSE(signs(e));
  Key ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  CHECK_FALSE(signEntry(sampleEntry(), ec.get()).has_value());
}
