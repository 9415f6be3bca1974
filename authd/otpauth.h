#pragma once
// Builds Key Uri Format (otpauth://totp/...) URIs for authenticator apps.

#include <string>

#include "authd/totp.h"

namespace authd {

std::string otpauthTotpUri(const std::string& issuer, const std::string& user,
                           const std::string& secretBase32, const TotpSpec& spec);

}  // namespace authd
