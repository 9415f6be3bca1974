#pragma once
// Times on the command line (audit --since) and in tables. Local time zone, per $TZ.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authd::cli {

// Accepts, strictly:
//   1714557600            Unix seconds
//   2024-05-01            local midnight
//   2024-05-01T10:20      local time (a space may replace the 'T'), optionally with :SS
//   30s 30m 2h 7d 2w      that long before `now`
// Returns Unix seconds (>= 0), or nullopt and *error quoting the bad value.
std::optional<std::int64_t> parseTimeArgument(std::string_view text, std::int64_t now,
                                              std::string* error);

// "YYYY-MM-DD HH:MM" and "YYYY-MM-DD HH:MM:SS" in local time.
std::string formatLocalMinute(std::int64_t unixSeconds);
std::string formatLocalSecond(std::int64_t unixSeconds);

}  // namespace authd::cli
