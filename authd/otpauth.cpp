#include "authd/otpauth.h"

#include <cctype>

namespace authd {

namespace {

std::string percentEncode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

std::string otpauthTotpUri(const std::string& issuer, const std::string& user,
                           const std::string& secretBase32, const TotpSpec& spec) {
  return "otpauth://totp/" + percentEncode(issuer) + ":" + percentEncode(user) +
         "?secret=" + secretBase32 + "&issuer=" + percentEncode(issuer) +
         "&algorithm=" + upper(toString(spec.algorithm)) +
         "&digits=" + std::to_string(spec.digits) + "&period=" + std::to_string(kTotpStepSeconds);
}

}  // namespace authd
