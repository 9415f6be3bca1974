// authctl sessions [USER] [--all]

#include "cli/cmd_sessions.h"

#include <algorithm>
#include <memory>
#include <ostream>

#include "authd/protocol.h"
#include "cli/commands.h"
#include "cli/response_reader.h"
#include "cli/table.h"
#include "cli/time_arg.h"

namespace authd::cli {

namespace {

constexpr std::int64_t kMaxInt = (std::int64_t{1} << 53) - 1;
constexpr std::size_t kMaxAttributeBytes = 256;  // RADIUS text attributes hold at most 253

// Absent or null: false. Any other non-boolean is an error.
bool optionalFlag(const nlohmann::json& item, const char* key, std::string* error) {
  auto it = item.find(key);
  if (it == item.end() || it->is_null()) return false;
  if (!it->is_boolean()) *error = "field \"" + std::string(key) + "\" is not a boolean";
  return it->is_boolean() && it->get<bool>();
}

std::optional<SessionRow> readSession(const nlohmann::json& item, std::string* error) {
  ResponseReader reader(item);
  SessionRow row;
  row.user = reader.optionalText("user", protocol::kMaxUserBytes);
  row.client = reader.text("client", kMaxAttributeBytes);
  row.callingStation = reader.optionalText("calling_station", kMaxAttributeBytes);
  row.framedIp = reader.optionalText("framed_ip", kMaxAttributeBytes);
  row.started = reader.integer("started", 0, kMaxInt);
  row.stopped = reader.optionalInteger("stopped", 0, kMaxInt);
  std::string flagError;
  row.stale = optionalFlag(item, "stale", &flagError);
  if (reader.failed() || !flagError.empty()) {
    *error = "session: " + (reader.failed() ? reader.error() : flagError);
    return std::nullopt;
  }
  return row;
}

// "0:05" (hours and minutes), "3d 04:12" from a day on.
std::string formatDuration(std::int64_t seconds) {
  const std::int64_t minutes = std::max<std::int64_t>(0, seconds) / 60;
  const std::int64_t days = minutes / 1440;
  const std::int64_t hours = minutes / 60 % 24;
  const std::string mm = (minutes % 60 < 10 ? "0" : "") + std::to_string(minutes % 60);
  if (days == 0) return std::to_string(hours) + ":" + mm;
  return std::to_string(days) + "d " + (hours < 10 ? "0" : "") + std::to_string(hours) + ":" + mm;
}

std::string stateOf(const SessionRow& s) {
  if (s.stopped) return "closed";
  return s.stale ? "stale" : "open";
}

// Rounded, but below the limit never shown as 100%.
std::int64_t percentUsed(std::int64_t open, std::int64_t limit) {
  const std::int64_t rounded = (open * 200 + limit) / (2 * limit);
  return open < limit ? std::min<std::int64_t>(rounded, 99) : rounded;
}

std::string summaryLine(const SessionsResult& result) {
  std::string line =
      std::to_string(result.open) + (result.open == 1 ? " session" : " sessions") + " open (";
  if (result.licenceLimit <= 0) return line + "no licence limit configured)\n";
  line += "licence limit " + std::to_string(result.licenceLimit) + ", " +
          std::to_string(percentUsed(result.open, result.licenceLimit)) + "% used";
  return line + (result.open >= result.licenceLimit ? ": limit reached)\n" : ")\n");
}

struct SessionsOptions {
  std::optional<std::string> user;
  bool all = false;
};

int runSessions(Context& ctx, const SessionsOptions& options) {
  nlohmann::json request = {{"op", "sessions"}};
  if (options.user) request["user"] = *options.user;
  if (options.all) request["all"] = true;
  int exitCode = kExitOk;
  auto response = callAuthd(ctx, request, &exitCode);
  if (!response) return exitCode;
  std::string error;
  auto result = parseSessionsResult(*response, &error);
  if (!result) return fail(ctx, kExitFailed, "authd sent an invalid sessions answer: " + error);
  if (ctx.options.json) {
    printJson(ctx, resultFields(*response));
  } else {
    ctx.out << formatSessionsResult(*result, ctx.now);
  }
  return kExitOk;
}

}  // namespace

std::optional<SessionsResult> parseSessionsResult(const nlohmann::json& response,
                                                  std::string* error) {
  ResponseReader reader(response);
  const nlohmann::json& sessions = reader.array("sessions");
  SessionsResult result;
  result.open = reader.integer("open", 0, kMaxInt);
  result.licenceLimit = reader.integer("licence_limit", 0, kMaxInt);
  if (reader.failed()) {
    *error = reader.error();
    return std::nullopt;
  }
  for (const auto& item : sessions) {
    auto row = readSession(item, error);
    if (!row) return std::nullopt;
    result.sessions.push_back(std::move(*row));
  }
  return result;
}

std::string formatSessionsResult(const SessionsResult& result, std::int64_t now) {
  std::vector<TableRow> rows;
  bool anyStale = false;
  for (const SessionRow& s : result.sessions) {
    anyStale = anyStale || (s.stale && !s.stopped);
    rows.push_back({s.user.empty() ? "-" : s.user, s.client,
                    s.callingStation.empty() ? "-" : s.callingStation,
                    s.framedIp.empty() ? "-" : s.framedIp, formatLocalMinute(s.started),
                    formatDuration(s.stopped.value_or(now) - s.started), stateOf(s)});
  }
  std::string out;
  if (rows.empty()) {
    out += "No sessions.\n";
  } else {
    out += formatTable(
        {"USER", "GATEWAY", "CALLING-STATION", "FRAMED-IP", "STARTED", "DURATION", "STATE"}, rows);
  }
  if (anyStale) {
    out +=
        "stale: the gateway has reported nothing of the session for 7 days; it may have lost "
        "the stop (a crash without Accounting-On). authd keeps counting it as open.\n";
  }
  return out + summaryLine(result);
}

Runner setupSessions(CLI::App& sub) {
  auto options = std::make_shared<SessionsOptions>();
  sub.add_option("USER", options->user, "only this account's sessions")->check(userNameValidator());
  sub.add_flag("--all", options->all, "closed sessions too (kept for audit.retention_days)");
  return [options](Context& ctx) { return runSessions(ctx, *options); };
}

}  // namespace authd::cli
