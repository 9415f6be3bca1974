// authctl audit [--user U] [--since TIME] [--limit N]

#include "cli/cmd_audit.h"

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

struct AuditOptions {
  std::optional<std::string> user;
  std::optional<std::string> since;
  std::optional<std::int64_t> limit;
};

std::optional<AuditRow> readEvent(const nlohmann::json& item, std::string* error) {
  ResponseReader reader(item);
  AuditRow row;
  row.time = reader.integer("time", 0, kMaxInt);
  row.user = reader.optionalText("user", protocol::kMaxUserBytes);
  row.op = reader.text("op", 32);
  row.factor = reader.optionalText("factor", 16);
  row.credentialId = reader.optionalInteger("credential_id", 0, kMaxInt);
  row.result = reader.text("result", 16);
  row.reason = reader.optionalText("reason", 64);
  row.service = reader.optionalText("service", protocol::kMaxServiceBytes);
  row.device = reader.optionalText("device", protocol::kMaxHostBytes);
  row.uid = reader.optionalInteger("uid", -1, UINT32_MAX);
  row.pid = reader.optionalInteger("pid", -1, kMaxInt);
  if (reader.failed()) {
    *error = "event: " + reader.error();
    return std::nullopt;
  }
  return row;
}

std::string orDash(const std::string& text) { return text.empty() ? "-" : text; }

std::string orDash(const std::optional<std::int64_t>& value) {
  return value && *value >= 0 ? std::to_string(*value) : "-";
}

int runAudit(Context& ctx, const AuditOptions& options) {
  nlohmann::json request = {{"op", "audit"}};
  if (options.user) request["user"] = *options.user;
  if (options.limit) request["limit"] = *options.limit;
  if (options.since) {
    std::string error;
    auto since = parseTimeArgument(*options.since, ctx.now, &error);
    if (!since) return fail(ctx, kExitUsage, "--since: " + error);
    request["since"] = *since;
  }
  int exitCode = kExitOk;
  auto response = callAuthd(ctx, request, &exitCode);
  if (!response) return exitCode;
  std::string error;
  auto events = parseAuditResult(*response, &error);
  if (!events) return fail(ctx, kExitFailed, "authd sent an invalid audit answer: " + error);
  if (ctx.options.json) {
    printJson(ctx, resultFields(*response));
  } else {
    ctx.out << formatAuditTable(*events);
  }
  return kExitOk;
}

}  // namespace

std::optional<std::vector<AuditRow>> parseAuditResult(const nlohmann::json& response,
                                                      std::string* error) {
  ResponseReader reader(response);
  const nlohmann::json& items = reader.array("events");
  if (reader.failed()) {
    *error = reader.error();
    return std::nullopt;
  }
  std::vector<AuditRow> events;
  for (const auto& item : items) {
    auto row = readEvent(item, error);
    if (!row) return std::nullopt;
    events.push_back(std::move(*row));
  }
  return events;
}

std::string formatAuditTable(const std::vector<AuditRow>& events) {
  if (events.empty()) return "No audit events.\n";
  std::vector<TableRow> rows;
  for (const AuditRow& e : events) {
    rows.push_back({formatLocalSecond(e.time), orDash(e.user), e.op, orDash(e.factor),
                    orDash(e.credentialId), e.result, orDash(e.reason), orDash(e.service),
                    orDash(e.device), orDash(e.uid), orDash(e.pid)});
  }
  return formatTable({"TIME", "USER", "OP", "FACTOR", "CRED", "RESULT", "REASON", "SERVICE",
                      "DEVICE", "UID", "PID"},
                     rows);
}

Runner setupAudit(CLI::App& sub) {
  auto options = std::make_shared<AuditOptions>();
  sub.add_option("--user", options->user, "only this account's events")->check(userNameValidator());
  sub.add_option("--since", options->since,
                 "only events from TIME on: Unix seconds, YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] "
                 "(local) or an age such as 30m, 2h, 7d");
  sub.add_option("--limit", options->limit, "at most N events (1-1000, default 100)")
      ->check(CLI::Range(1, 1000));
  return [options](Context& ctx) { return runAudit(ctx, *options); };
}

}  // namespace authd::cli
