#pragma once
// authctl enroll totp: creates a credential through enroll_totp, shows the secret, its
// otpauth:// URI and QR code once, then activates it with a code from the app.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "authd/otpauth_uri.h"

namespace authd::cli {

// The enroll_totp result; secret and URI are wiped when it is destroyed.
struct EnrollResult {
  std::int64_t credentialId = 0;
  std::string state;  // "pending" or "active"
  std::string secret;
  std::string uri;
  OtpauthUri parsedUri;

  EnrollResult() = default;
  EnrollResult(EnrollResult&&) = default;
  EnrollResult(const EnrollResult&) = delete;
  EnrollResult& operator=(const EnrollResult&) = delete;
  ~EnrollResult();
};

// Reads and cross-checks the answer: the URI must parse and carry the same secret.
std::optional<EnrollResult> parseEnrollResult(const nlohmann::json& response, std::string* error);

// "JBSW Y3DP EHPK 3PXP": 4-character blocks for typing the secret by hand.
std::string groupSecret(std::string_view secret);

// The text shown above the QR code. It holds the secret: the caller wipes it after printing.
std::string formatEnrollSummary(const std::string& user, const EnrollResult& result);

// Overwrites the string value of `key` in place (enroll answers carry the secret).
void wipeJsonString(nlohmann::json& object, std::string_view key);

}  // namespace authd::cli
