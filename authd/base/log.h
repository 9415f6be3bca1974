#pragma once
// Logging to stderr, one line per event (journald adds time and unit). Never pass a secret.

#include <string_view>

namespace authd::log {

enum class Level { error = 0, warning = 1, info = 2, debug = 3 };

void setLevel(Level level);
bool setLevel(std::string_view name);
bool enabled(Level level);
void write(Level level, std::string_view message);

inline void error(std::string_view m) { write(Level::error, m); }
inline void warning(std::string_view m) { write(Level::warning, m); }
inline void info(std::string_view m) { write(Level::info, m); }
inline void debug(std::string_view m) { write(Level::debug, m); }

}  // namespace authd::log
