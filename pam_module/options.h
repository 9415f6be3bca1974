#pragma once
// The module arguments of pam_authd.so (the words after the module name in /etc/pam.d/*).
// Anything not understood is an error: a typo must not silently weaken the configuration.

#include <chrono>
#include <optional>
#include <span>
#include <string>

namespace authd::pam {

inline constexpr std::chrono::seconds kDefaultTimeout{10};
inline constexpr std::chrono::seconds kMinTimeout{1};
inline constexpr std::chrono::seconds kMaxTimeout{120};

// factor=: which of the user's second factors this service may use.
enum class FactorChoice {
  any,    // the security key when one is plugged and holds a credential, else the TOTP code
  fido2,  // the security key only
  totp,   // the TOTP code only
};

struct ModuleOptions {
  std::string socketPath;  // socket=PATH; default: the protocol's default path
  std::chrono::seconds timeout = kDefaultTimeout;  // timeout=SECONDS, per call to authd
  bool nouserok = false;  // a user with no enrolled factor gets PAM_IGNORE instead of a denial
  bool debug = false;     // more detail in syslog (never a code)
  // password: send the user's directory password (PAM_AUTHTOK) with `verify` for authd to check
  bool password = false;
  FactorChoice factor = FactorChoice::any;  // factor=fido2|totp|any
};

// Parses the PAM argv. On failure returns nullopt and sets *error to a message naming the
// offending option. Each option may appear once.
std::optional<ModuleOptions> parseOptions(std::span<const char* const> args, std::string* error);

}  // namespace authd::pam
