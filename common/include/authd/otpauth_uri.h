#pragma once
// otpauth:// URIs in the Key Uri Format understood by authenticator apps
// (otpauth://TYPE/ISSUER:ACCOUNT?secret=...&issuer=...&algorithm=...&digits=...&period=...).
// authd sends one in every enroll_totp answer; the builder lets batch tools print their own.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authd {

inline constexpr std::size_t kMaxOtpauthUriBytes = 4096;
inline constexpr std::size_t kMaxOtpauthNameBytes = 256;   // issuer, account (decoded)
inline constexpr std::size_t kMinOtpauthSecretChars = 16;  // 80 bits
inline constexpr std::size_t kMaxOtpauthSecretChars = 256;

enum class OtpType { totp, hotp };
enum class OtpAlgorithm { sha1, sha256, sha512 };

// "SHA1", "SHA256", "SHA512": the spelling used inside the URI.
std::string_view otpAlgorithmUriName(OtpAlgorithm algorithm);

struct OtpauthUri {
  OtpType type = OtpType::totp;
  std::string issuer;   // may be empty; never contains ':'
  std::string account;  // the user name shown in the app; never empty, never contains ':'
  std::string secret;   // RFC 4648 base32, upper case, no padding; wiped by the destructor
  OtpAlgorithm algorithm = OtpAlgorithm::sha1;
  int digits = 6;                        // 6 or 8
  int period = 30;                       // seconds, TOTP only
  std::optional<std::uint64_t> counter;  // HOTP only, and required there

  OtpauthUri() = default;
  OtpauthUri(const OtpauthUri&) = default;
  OtpauthUri(OtpauthUri&&) = default;
  OtpauthUri& operator=(const OtpauthUri&) = default;
  OtpauthUri& operator=(OtpauthUri&&) = default;
  ~OtpauthUri();
  bool operator==(const OtpauthUri&) const = default;
};

// Parses a URI strictly: lower-case scheme and type, well-formed percent-encoding, valid UTF-8
// names without control characters, a base32 secret, digits 6 or 8, no unknown or repeated
// parameter, no fragment, nothing after the last parameter. nullopt with *error on any violation.
// A pure function of its input (fuzzed by tests/fuzz/fuzz_otpauth_uri.cpp).
std::optional<OtpauthUri> parseOtpauthUri(std::string_view text, std::string* error);

// Builds the URI (issuer prefix in the label and as parameter when set). Fails on the same rules
// the parser enforces, so a built URI always parses back to the same value. The result holds the
// secret: wipe it (wipeString) when done.
std::optional<std::string> buildOtpauthUri(const OtpauthUri& uri, std::string* error);

}  // namespace authd
