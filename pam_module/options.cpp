#include "options.h"

#include <sys/un.h>

#include <charconv>
#include <set>
#include <string_view>

#include "authd/protocol.h"

namespace authd::pam {

namespace {

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool parseTimeout(std::string_view value, std::chrono::seconds* out) {
  long long n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (value.empty() || ec != std::errc{} || end != value.data() + value.size()) return false;
  if (n < kMinTimeout.count() || n > kMaxTimeout.count()) return false;
  *out = std::chrono::seconds(n);
  return true;
}

std::optional<FactorChoice> factorChoiceFrom(std::string_view value) {
  if (value == "any") return FactorChoice::any;
  if (value == "fido2") return FactorChoice::fido2;
  if (value == "totp") return FactorChoice::totp;
  return std::nullopt;
}

// An absolute path that fits into sockaddr_un.
bool validSocketPath(std::string_view path) {
  return !path.empty() && path.front() == '/' && path.size() < sizeof(sockaddr_un{}.sun_path);
}

// The options without a value, or nullptr.
bool* flagOption(std::string_view name, ModuleOptions* options) {
  if (name == "nouserok") return &options->nouserok;
  if (name == "debug") return &options->debug;
  if (name == "password") return &options->password;
  return nullptr;
}

bool isValueOption(std::string_view name) {
  return name == "socket" || name == "timeout" || name == "factor";
}

// name=value for one of the isValueOption() names; `arg` is the whole argument, for messages.
bool applyValue(std::string_view arg, std::string_view name, std::string_view value,
                ModuleOptions* options, std::string* error) {
  if (name == "socket") {
    if (validSocketPath(value)) {
      options->socketPath = std::string(value);
      return true;
    }
    *error = "option " + quoted(arg) + ": socket must be an absolute path shorter than " +
             std::to_string(sizeof(sockaddr_un{}.sun_path)) + " bytes";
    return false;
  }
  if (name == "timeout") {
    if (parseTimeout(value, &options->timeout)) return true;
    *error = "option " + quoted(arg) + ": timeout must be a whole number of seconds from " +
             std::to_string(kMinTimeout.count()) + " to " + std::to_string(kMaxTimeout.count());
    return false;
  }
  if (auto choice = factorChoiceFrom(value)) {
    options->factor = *choice;
    return true;
  }
  *error = "option " + quoted(arg) + ": factor must be fido2, totp or any";
  return false;
}

bool applyOption(std::string_view arg, ModuleOptions* options, std::string* error) {
  const auto eq = arg.find('=');
  const bool hasValue = eq != std::string_view::npos;
  const std::string_view name = arg.substr(0, eq);
  if (bool* flag = flagOption(name, options)) {
    if (!hasValue) return *flag = true;
    *error = "option " + quoted(arg) + ": " + std::string(name) + " takes no value";
    return false;
  }
  if (isValueOption(name)) {
    if (hasValue) return applyValue(arg, name, arg.substr(eq + 1), options, error);
    *error = "option " + quoted(arg) + " needs a value (" + std::string(name) + "=...)";
    return false;
  }
  *error = "unknown option " + quoted(arg);
  return false;
}

}  // namespace

std::optional<ModuleOptions> parseOptions(std::span<const char* const> args, std::string* error) {
  ModuleOptions options;
  std::set<std::string, std::less<>> seen;
  for (const char* raw : args) {
    if (raw == nullptr) {
      *error = "null module argument";
      return std::nullopt;
    }
    std::string_view arg(raw);
    std::string name(arg.substr(0, arg.find('=')));
    if (!seen.insert(name).second) {
      *error = "duplicate option " + quoted(name);
      return std::nullopt;
    }
    if (!applyOption(arg, &options, error)) return std::nullopt;
  }
  // Deliberately not $AUTHD_SOCKET: PAM runs inside setuid programs (su, sudo, pkexec) whose
  // environment the user being authenticated controls; they could point us at their own "authd".
  if (options.socketPath.empty()) options.socketPath = std::string(protocol::kDefaultSocketPath);
  return options;
}

}  // namespace authd::pam
