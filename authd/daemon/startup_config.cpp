#include "authd/daemon/startup_config.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace authd {

std::optional<StartupConfig> loadStartupConfig(const std::string& explicitPath,
                                               const std::string& defaultPath, std::string* error) {
  std::string path = explicitPath;
  if (path.empty()) {
    struct stat st {};
    if (::lstat(defaultPath.c_str(), &st) == 0) {
      path = defaultPath;
    } else if (errno == ENOENT) {
      // Filled in field by field: GCC 12 warns falsely (array-bounds) on the aggregate form.
      StartupConfig defaults;
      defaults.origin = kBuiltInDefaults;
      return defaults;
    } else {
      *error = defaultPath + ": " + std::strerror(errno);
      return std::nullopt;
    }
  }
  auto loaded = loadConfigFile(path, error);
  if (!loaded) return std::nullopt;
  return StartupConfig{std::move(*loaded), path};
}

}  // namespace authd
