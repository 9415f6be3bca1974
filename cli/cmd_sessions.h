#pragma once
// authctl sessions [USER] [--all]: the VPN sessions the gateways reported over RADIUS accounting
// (open ones unless --all), and how much of the licence they use.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace authd::cli {

struct SessionRow {
  std::string user;
  std::string client;  // the gateway's name in authd's [radius] configuration
  std::string callingStation;
  std::string framedIp;
  std::int64_t started = 0;
  std::optional<std::int64_t> stopped;
  bool stale = false;
};

struct SessionsResult {
  std::vector<SessionRow> sessions;
  std::int64_t open = 0;
  std::int64_t licenceLimit = 0;  // 0: none configured
};

std::optional<SessionsResult> parseSessionsResult(const nlohmann::json& response,
                                                  std::string* error);

// Columns USER GATEWAY CALLING-STATION FRAMED-IP STARTED (local time) DURATION STATE, where STATE
// is open, stale or closed; then "N sessions open (licence limit L, P% used)". `now` ends the
// duration of open sessions.
std::string formatSessionsResult(const SessionsResult& result, std::int64_t now);

}  // namespace authd::cli
