#pragma once
// Which configuration authd runs on: the file named with --config (it must exist), else the
// default file when present (what the systemd unit relies on), else the built-in defaults.

#include <optional>
#include <string>

#include "authd/base/config.h"

namespace authd {

inline constexpr char kDefaultConfigPath[] = "/etc/authd/authd.toml";
inline constexpr char kBuiltInDefaults[] = "built-in defaults";

struct StartupConfig {
  Config config;
  std::string origin;  // the file read, or kBuiltInDefaults
};

// explicitPath: the --config argument, "" when none was given. Anything at defaultPath (even a
// dangling symlink or an unreadable file) is read, so a broken file fails the start instead of
// being skipped. On error returns nullopt and sets *error.
std::optional<StartupConfig> loadStartupConfig(const std::string& explicitPath,
                                               const std::string& defaultPath, std::string* error);

}  // namespace authd
