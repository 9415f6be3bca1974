#pragma once
// The relying party's refusal reasons: the exact words of docs/protocol.md "FIDO2 audit reasons",
// written to the audit log and returned to admins.

#include <string_view>

namespace authd::fido2::reason {

inline constexpr std::string_view kClientDataMismatch = "client_data_mismatch";
inline constexpr std::string_view kMalformedAuthData = "malformed_auth_data";
inline constexpr std::string_view kRpIdMismatch = "rp_id_mismatch";
inline constexpr std::string_view kUserPresenceMissing = "user_presence_missing";
inline constexpr std::string_view kUserVerificationMissing = "user_verification_missing";
inline constexpr std::string_view kBadSignature = "bad_signature";
inline constexpr std::string_view kAlgorithmNotAllowed = "algorithm_not_allowed";
inline constexpr std::string_view kAttestationFormatNotAllowed = "attestation_format_not_allowed";
inline constexpr std::string_view kAttestationInvalid = "attestation_invalid";
inline constexpr std::string_view kAttestationNotTrusted = "attestation_not_trusted";
inline constexpr std::string_view kAaguidNotAllowed = "aaguid_not_allowed";

}  // namespace authd::fido2::reason
