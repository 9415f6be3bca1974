#include "authd/admin/licence.h"

namespace authd {

std::optional<std::string> licenceWarning(std::int64_t open, const Config::Radius& radius) {
  if (radius.licenceLimit <= 0) return std::nullopt;
  const std::int64_t limit = radius.licenceLimit;
  const std::string sessions = std::to_string(open) + " VPN sessions open";
  if (open >= limit) {
    return "licence limit reached: " + sessions + ", radius.licence_limit is " +
           std::to_string(limit);
  }
  // Below the limit, so open * 100 cannot overflow; a percent of 0 or less means no early warning.
  const std::int64_t percent = radius.licenceWarningPercent;
  if (percent <= 0 || open * 100 < limit * percent) return std::nullopt;
  return "licence nearly used up: " + sessions + ", " + std::to_string(open * 100 / limit) +
         "% of radius.licence_limit " + std::to_string(limit) + " (warning from " +
         std::to_string(percent) + "%)";
}

}  // namespace authd
