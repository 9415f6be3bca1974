#include "cli/time_arg.h"

#include <charconv>
#include <ctime>

namespace authd::cli {

namespace {

constexpr std::int64_t kMaxSeconds = (std::int64_t{1} << 53) - 1;  // protocol integer limit

// Exactly `text.size()` ASCII digits.
std::optional<std::int64_t> digits(std::string_view text) {
  if (text.empty() || text.size() > 16) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;  // from_chars would accept a leading '-'
  }
  return value;
}

std::optional<std::int64_t> relative(std::string_view text, std::int64_t now) {
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    case 'w':
      unit = 7 * 86400;
      break;
    default:
      return std::nullopt;
  }
  auto count = digits(text.substr(0, text.size() - 1));
  if (!count || *count > kMaxSeconds / unit || *count * unit > now) return std::nullopt;
  return now - *count * unit;
}

// YYYY-MM-DD[(T| )HH:MM[:SS]] at fixed positions; mktime must not have to normalise anything,
// which rejects 2024-02-30, 25:00 and times skipped by a daylight-saving change.
std::optional<std::int64_t> localDateTime(std::string_view text) {
  const bool hasTime = text.size() == 16 || text.size() == 19;
  if (text.size() != 10 && !hasTime) return std::nullopt;
  if (text[4] != '-' || text[7] != '-') return std::nullopt;
  if (hasTime && ((text[10] != 'T' && text[10] != ' ') || text[13] != ':')) return std::nullopt;
  if (text.size() == 19 && text[16] != ':') return std::nullopt;
  auto field = [&](std::size_t pos, std::size_t len) { return digits(text.substr(pos, len)); };
  auto year = field(0, 4), month = field(5, 2), day = field(8, 2);
  auto hour = hasTime ? field(11, 2) : std::optional<std::int64_t>(0);
  auto minute = hasTime ? field(14, 2) : std::optional<std::int64_t>(0);
  auto second = text.size() == 19 ? field(17, 2) : std::optional<std::int64_t>(0);
  if (!year || !month || !day || !hour || !minute || !second || *year < 1970) return std::nullopt;
  std::tm tm{};
  tm.tm_year = static_cast<int>(*year - 1900);
  tm.tm_mon = static_cast<int>(*month - 1);
  tm.tm_mday = static_cast<int>(*day);
  tm.tm_hour = static_cast<int>(*hour);
  tm.tm_min = static_cast<int>(*minute);
  tm.tm_sec = static_cast<int>(*second);
  tm.tm_isdst = -1;
  const std::tm wanted = tm;
  std::time_t t = std::mktime(&tm);
  if (t == static_cast<std::time_t>(-1) || t < 0 || tm.tm_year != wanted.tm_year ||
      tm.tm_mon != wanted.tm_mon || tm.tm_mday != wanted.tm_mday || tm.tm_hour != wanted.tm_hour ||
      tm.tm_min != wanted.tm_min || tm.tm_sec != wanted.tm_sec) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(t);
}

std::string formatLocal(std::int64_t unixSeconds, bool withSeconds) {
  std::time_t t = static_cast<std::time_t>(unixSeconds);
  std::tm tm{};
  char buffer[32];
  std::size_t n = 0;
  if (localtime_r(&t, &tm) != nullptr) {
    n = withSeconds ? std::strftime(buffer, sizeof(buffer), "%Y-%m-%d %H:%M:%S", &tm)
                    : std::strftime(buffer, sizeof(buffer), "%Y-%m-%d %H:%M", &tm);
  }
  return n == 0 ? std::to_string(unixSeconds) : std::string(buffer, n);
}

}  // namespace

std::optional<std::int64_t> parseTimeArgument(std::string_view text, std::int64_t now,
                                              std::string* error) {
  std::optional<std::int64_t> result;
  if (!text.empty()) {
    if (text.find_first_not_of("0123456789") == std::string_view::npos) {
      result = digits(text);
      if (result && *result > kMaxSeconds) result.reset();
    } else if (text.size() <= 17 && text.find('-') == std::string_view::npos) {
      result = relative(text, now);
    } else {
      result = localDateTime(text);
    }
  }
  if (!result) {
    *error = "invalid time \"" + std::string(text) +
             "\": expected Unix seconds, YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] (local time) or an "
             "age such as 30m, 2h, 7d";
  }
  return result;
}

std::string formatLocalMinute(std::int64_t unixSeconds) { return formatLocal(unixSeconds, false); }

std::string formatLocalSecond(std::int64_t unixSeconds) { return formatLocal(unixSeconds, true); }

}  // namespace authd::cli
