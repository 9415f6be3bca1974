#pragma once
// A signed offline entry (docs/offline.md): what a device may use to check a FIDO2 logon while
// no central authd can be reached. The central authd signs it with its Ed25519 key; the agent
// keeps it and trusts it only after the signature, the device binding and the validity period
// have been checked. It holds public keys and counters, never a secret.
//
// Wire form, one JSON line: {"v":1,"payload":B64URL,"sig":B64URL}. The signature covers the
// context string "authd offline entry v1", a zero byte and the payload bytes exactly as sent;
// the payload is parsed only once the signature holds.

#include <openssl/evp.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authd/base64url.h"

namespace authd::offline {

inline constexpr int kEntryVersion = 1;
inline constexpr std::size_t kMaxKeys = 8;             // security keys per entry
inline constexpr std::size_t kMaxCoseKeyBytes = 1024;  // RSA-4096 fits
inline constexpr std::int64_t kMaxLifetimeSeconds = 366 * 86400;
inline constexpr std::int64_t kClockSkewSeconds = 300;  // an entry issued "later" than now

struct OfflineKey {
  Bytes credentialId;
  Bytes coseKey;  // COSE_Key as stored at registration
  int algorithm = 0;
  std::uint32_t signCount = 0;     // the last counter the central authd accepted
  std::int64_t credentialRow = 0;  // the central authd's credential id (audit, verify answer)
};

struct OfflineEntry {
  std::string user;    // login name
  std::string owner;   // the account's stable directory id
  std::string device;  // the device identity (certificate name) it is bound to
  std::string rpId;
  bool uvRequired = true;  // PIN or biometric required offline
  std::int64_t issuedAt = 0;
  std::int64_t expiresAt = 0;
  std::vector<OfflineKey> keys;
};

// The entry line (without a newline) signed with `signingKey` (Ed25519, private); nullopt when
// the entry breaks a rule readEntry() checks, or when the key cannot sign.
std::optional<std::string> signEntry(const OfflineEntry& entry, EVP_PKEY* signingKey);

enum class Refusal {
  none,
  malformed,     // not an entry line, or a payload field out of its bounds
  badSignature,  // not signed by this authd, or changed since
  otherDevice,   // signed for another device
  notYetValid,   // issued after now (beyond the allowed clock skew)
  expired,
};

// The clear message for a refusal, fit for the person at the device.
std::string_view describe(Refusal refusal);
const char* auditReason(Refusal refusal);  // for the audit and logs

struct EntryCheck {
  std::optional<OfflineEntry> entry;  // set exactly when refusal == none
  Refusal refusal = Refusal::malformed;
};

// Checks, in this order: the envelope, the signature against `authdKey` (Ed25519, public), the
// payload's fields, the device, the validity period at `now`.
EntryCheck readEntry(std::string_view line, EVP_PKEY* authdKey, std::string_view device,
                     std::int64_t now);
// The same checks but the validity period: what an entry claims (its user, its issue time),
// for telling authd which entries a device holds, expired ones included.
EntryCheck readEntryAnyTime(std::string_view line, EVP_PKEY* authdKey, std::string_view device);

// The longest entry line authd issues: it travels inside an answer line of the protocol.
inline constexpr std::size_t kMaxEntryLineBytes = 12 * 1024;

}  // namespace authd::offline
