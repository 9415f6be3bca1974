#pragma once
// Constants of the authd wire protocol (docs/protocol.md). Shared by the daemon and every client.

#include <cstddef>
#include <string_view>

namespace authd::protocol {

inline constexpr int kVersion = 1;
inline constexpr std::string_view kDefaultSocketPath = "/run/authd/authd.sock";
inline constexpr std::string_view kSocketEnv = "AUTHD_SOCKET";

// One request line, newline included. Larger lines are refused.
inline constexpr std::size_t kMaxLineBytes = 16 * 1024;
// One response line, newline included: answers that list rows (list, audit, sessions with up to
// 10000 VPN sessions) outgrow a request line. Clients refuse larger ones.
inline constexpr std::size_t kMaxResponseLineBytes = 16 * 1024 * 1024;
// Requests nest at most this deep (envelope object = depth 1).
inline constexpr int kMaxDepth = 3;

inline constexpr std::size_t kMaxUserBytes = 256;
inline constexpr std::size_t kMaxLabelBytes = 64;
inline constexpr std::size_t kMaxCodeBytes = 16;
inline constexpr std::size_t kMaxServiceBytes = 64;
inline constexpr std::size_t kMaxIdBytes = 64;
inline constexpr std::size_t kMaxHostBytes = 256;
inline constexpr std::size_t kMaxPasswordBytes = 256;  // directory password (verify)

// FIDO2 binary fields, in decoded bytes (docs/protocol.md, "FIDO2 security keys"). The one
// definition used by the daemon's request readers, its relying-party checks and the clients.
inline constexpr std::size_t kMaxFido2ChallengeBytes = 64;       // also client_data_hash
inline constexpr std::size_t kMaxFido2CredentialIdBytes = 1023;  // WebAuthn Level 3 limit
inline constexpr std::size_t kMaxFido2AssertionAuthDataBytes = 1024;
inline constexpr std::size_t kMaxFido2SignatureBytes = 1024;
inline constexpr std::size_t kMaxFido2RegistrationAuthDataBytes = 2048;
inline constexpr std::size_t kMaxFido2AttStmtBytes = 4096;
inline constexpr std::size_t kMaxFido2ClientDataJsonBytes = 4096;

// Error codes of a response with "ok": false.
namespace error {
inline constexpr std::string_view kBadRequest = "bad_request";
inline constexpr std::string_view kTooLarge = "too_large";
inline constexpr std::string_view kUnsupportedVersion = "unsupported_version";
inline constexpr std::string_view kUnknownOp = "unknown_op";
inline constexpr std::string_view kForbidden = "forbidden";
inline constexpr std::string_view kNotFound = "not_found";
inline constexpr std::string_view kConflict = "conflict";
inline constexpr std::string_view kBusy = "busy";
inline constexpr std::string_view kUnavailable = "unavailable";
inline constexpr std::string_view kInternal = "internal";
}  // namespace error

// Values of "result" in verify and confirm_totp answers.
namespace result {
inline constexpr std::string_view kAccept = "accept";
inline constexpr std::string_view kReject = "reject";
inline constexpr std::string_view kLocked = "locked";
}  // namespace result

}  // namespace authd::protocol
