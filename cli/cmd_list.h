#pragma once
// authctl list [USER]: the credentials tables (TOTP, then FIDO2 security keys) and the users with
// failed attempts.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace authd::cli {

struct CredentialRow {
  std::int64_t id = 0;
  std::string user;
  std::string factor;
  std::string label;
  std::string state;
  std::string algorithm;  // TOTP: the HMAC hash; FIDO2: es256, eddsa, rs256 or cose:<id>
  std::int64_t digits = 0;
  std::int64_t created = 0;
  std::optional<std::int64_t> lastUsed;
  // Factor "fido2" only; all optional on the wire.
  std::string aaguid;
  std::optional<std::int64_t> signCount;
  bool cloneSuspected = false;
  std::string fmt;
  std::string fido2Id;
};

struct LockRow {
  std::string user;
  std::int64_t failures = 0;
  std::optional<std::int64_t> lockedUntil;  // absent, null or 0: not locked
};

struct ListResult {
  std::vector<CredentialRow> credentials;
  std::vector<LockRow> locks;
};

std::optional<ListResult> parseListResult(const nlohmann::json& response, std::string* error);

// Columns ID USER FACTOR LABEL STATE ALGO DIGITS CREATED LAST-USED (local time); then the
// security keys: ID USER LABEL STATE ALGO COUNTER AAGUID CREATED LAST-USED, where STATE shows
// "clone-suspected" for a key whose counter went backwards; then the failing or locked users.
// `now` decides whether a lock is still in force.
std::string formatListResult(const ListResult& result, std::int64_t now);

}  // namespace authd::cli
