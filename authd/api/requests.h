#pragma once
// What each operation reads from its request object (docs/protocol.md): one pure reader per
// operation, holding every field's type, limit and required/optional choice. Readers run before
// any permission check or store access, throw OpError(bad_request) on the first violation, and
// reject fields nobody asked for. They need neither Boost nor the store, so that
// tests/fuzz/fuzz_requests.cpp runs every one of them on fuzzed input. Secret fields (a code, a
// directory password) are wiped when their request is destroyed.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "authd/base64url.h"
#include "authd/fido2/relying_party.h"
#include "authd/json_reader.h"
#include "authd/store/store.h"

namespace authd {

// Largest integer a JSON peer can hold exactly (2^53 - 1): credential ids, times.
inline constexpr std::int64_t kMaxJsonSafeInt = (std::int64_t{1} << 53) - 1;

// The request id, echoed back: an integer 0..2^53-1 or a string of 1..64 bytes of safe text
// (common/text.h); null for anything else.
nlohmann::json readId(JsonReader& r);

// factors, fido2_begin.
struct AccountQueryRequest {
  std::string user;
  std::string service;
};

// The assertion fields of a FIDO2 verify.
struct Fido2AssertionFields {
  Bytes challenge;
  Bytes credentialId;
  Bytes authData;
  Bytes signature;
  fido2::ClientData clientData;
};

enum class VerifyFactor { totp, fido2 };

struct VerifyRequest {
  std::string user;
  VerifyFactor factor = VerifyFactor::totp;
  std::string service;
  std::string rhost;
  std::string tty;
  std::string code;                     // totp
  Fido2AssertionFields fido2;           // fido2
  std::optional<std::string> password;  // directory password, when the client sends one

  VerifyRequest() = default;
  VerifyRequest(VerifyRequest&&) = default;
  VerifyRequest& operator=(VerifyRequest&&) = default;
  ~VerifyRequest();
};

struct EnrollTotpRequest {
  std::string user;
  std::string label = "authenticator";
  std::optional<int> digits;
  std::optional<std::string> algorithm;
  bool confirm = true;
};

struct ConfirmTotpRequest {
  std::string user;
  std::int64_t credentialId = 0;
  std::string code;

  ConfirmTotpRequest() = default;
  ConfirmTotpRequest(ConfirmTotpRequest&&) = default;
  ConfirmTotpRequest& operator=(ConfirmTotpRequest&&) = default;
  ~ConfirmTotpRequest();
};

// show, unlock.
struct AccountRequest {
  std::string user;
};

// list: every account when user is absent.
struct ListRequest {
  std::optional<std::string> user;
};

// revoke, fido2_reinstate.
struct CredentialRequest {
  std::string user;
  std::int64_t credentialId = 0;
};

struct Fido2RegisterBeginRequest {
  std::string user;
  std::string label = "security key";
  bool resident = false;
  std::optional<std::string> uv;  // nullopt: fido2.user_verification
};

struct Fido2RegisterFinishRequest {
  std::string user;
  Bytes challenge;
  std::string fmt;
  Bytes authData;
  Bytes attStmt;
  fido2::ClientData clientData;
};

// offline_sync (docs/offline.md): what a device's agent holds and which offline logons it saw.
inline constexpr std::size_t kMaxOfflineSyncItems = 1000;
struct OfflineHeldEntry {
  std::string user;
  std::int64_t issued = 0;
};
struct OfflineLogonReport {
  std::string user;
  std::int64_t time = 0;
  Bytes credentialId;
  std::int64_t signCount = 0;
};
struct OfflineSyncRequest {
  std::vector<OfflineHeldEntry> entries;
  std::vector<OfflineLogonReport> logons;
};

// offline_revoke: every device's entry of the account when device is absent.
struct OfflineRevokeRequest {
  std::string user;
  std::optional<std::string> device;
};

// sessions: the most sessions one answer may list.
inline constexpr int kMaxSessionsLimit = 10000;

void readPing(JsonReader& r);
AccountQueryRequest readFactors(JsonReader& r);
VerifyRequest readVerify(JsonReader& r);
EnrollTotpRequest readEnrollTotp(JsonReader& r);
ConfirmTotpRequest readConfirmTotp(JsonReader& r);
ListRequest readList(JsonReader& r);
AccountRequest readShow(JsonReader& r);
CredentialRequest readRevoke(JsonReader& r);
AccountRequest readUnlock(JsonReader& r);
AuditQuery readAudit(JsonReader& r);
AccountQueryRequest readFido2Begin(JsonReader& r);
Fido2RegisterBeginRequest readFido2RegisterBegin(JsonReader& r);
Fido2RegisterFinishRequest readFido2RegisterFinish(JsonReader& r);
CredentialRequest readFido2Reinstate(JsonReader& r);
OfflineSyncRequest readOfflineSync(JsonReader& r);
OfflineRevokeRequest readOfflineRevoke(JsonReader& r);
SessionQuery readSessions(JsonReader& r);

}  // namespace authd
