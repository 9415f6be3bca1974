#pragma once
// RFC 6238 TOTP through liboath: HMAC-SHA1/256/512, 6 or 8 digits, 30-second steps.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authd/base/secret_bytes.h"
#include "authd/otp_code.h"  // normalizeCode
#include "authd/otpauth_uri.h"

namespace authd {

inline constexpr int kTotpStepSeconds = 30;

// The one algorithm enum, shared with the otpauth URI builder and parser.
using TotpAlgorithm = OtpAlgorithm;
std::optional<TotpAlgorithm> totpAlgorithmFrom(std::string_view name);
const char* toString(TotpAlgorithm algorithm);
// Secret length drawn at enrolment: the hash's output size (RFC 4226 §4 asks for ≥ 160 bits).
std::size_t totpSecretBytes(TotpAlgorithm algorithm);

struct TotpSpec {
  TotpAlgorithm algorithm = TotpAlgorithm::sha1;
  int digits = 6;
};

std::int64_t totpStepAt(std::int64_t unixTime);

// The code for one time step. Throws on liboath failure.
std::string totpCode(const SecretBytes& secret, const TotpSpec& spec, std::int64_t step);

// Every step in [step(now) - window, step(now) + window] whose code equals `code`, ascending.
// All candidates are computed and compared in constant time, whatever matches.
std::vector<std::int64_t> matchTotp(const SecretBytes& secret, const TotpSpec& spec,
                                    std::string_view code, std::int64_t now, int window);

}  // namespace authd
