// authctl list [USER]

#include "cli/cmd_list.h"

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

std::optional<CredentialRow> readCredential(const nlohmann::json& item, std::string* error) {
  ResponseReader reader(item);
  CredentialRow row;
  row.id = reader.integer("id", 0, kMaxInt);
  row.user = reader.text("user", protocol::kMaxUserBytes);
  row.factor = reader.text("factor", 16);
  row.label = reader.optionalText("label", protocol::kMaxLabelBytes);
  row.state = reader.text("state", 16);
  row.algorithm = reader.optionalText("algorithm", 16);
  row.digits = reader.integer("digits", 0, 16);
  row.created = reader.integer("created", 0, kMaxInt);
  row.lastUsed = reader.optionalInteger("last_used", 0, kMaxInt);
  if (reader.failed()) {
    *error = "credential: " + reader.error();
    return std::nullopt;
  }
  return row;
}

std::optional<LockRow> readLock(const nlohmann::json& item, std::string* error) {
  ResponseReader reader(item);
  LockRow row;
  row.user = reader.text("user", protocol::kMaxUserBytes);
  row.failures = reader.integer("failures", 0, kMaxInt);
  row.lockedUntil = reader.optionalInteger("locked_until", 0, kMaxInt);
  if (reader.failed()) {
    *error = "lock: " + reader.error();
    return std::nullopt;
  }
  return row;
}

struct ListOptions {
  std::optional<std::string> user;
};

int runList(Context& ctx, const ListOptions& options) {
  nlohmann::json request = {{"op", "list"}};
  if (options.user) request["user"] = *options.user;
  int exitCode = kExitOk;
  auto response = callAuthd(ctx, request, &exitCode);
  if (!response) return exitCode;
  std::string error;
  auto result = parseListResult(*response, &error);
  if (!result) return fail(ctx, kExitFailed, "authd sent an invalid list answer: " + error);
  if (ctx.options.json) {
    printJson(ctx, resultFields(*response));
  } else {
    ctx.out << formatListResult(*result, ctx.now);
  }
  return kExitOk;
}

}  // namespace

std::optional<ListResult> parseListResult(const nlohmann::json& response, std::string* error) {
  ResponseReader reader(response);
  const nlohmann::json& credentials = reader.array("credentials");
  const nlohmann::json& locks = reader.array("locks");
  if (reader.failed()) {
    *error = reader.error();
    return std::nullopt;
  }
  ListResult result;
  for (const auto& item : credentials) {
    auto row = readCredential(item, error);
    if (!row) return std::nullopt;
    result.credentials.push_back(std::move(*row));
  }
  for (const auto& item : locks) {
    auto row = readLock(item, error);
    if (!row) return std::nullopt;
    result.locks.push_back(std::move(*row));
  }
  return result;
}

std::string formatListResult(const ListResult& result, std::int64_t now) {
  std::string out;
  if (result.credentials.empty()) {
    out += "No credentials.\n";
  } else {
    std::vector<TableRow> rows;
    for (const CredentialRow& c : result.credentials) {
      rows.push_back({std::to_string(c.id), c.user, c.factor, c.label.empty() ? "-" : c.label,
                      c.state, c.algorithm.empty() ? "-" : c.algorithm, std::to_string(c.digits),
                      formatLocalMinute(c.created),
                      c.lastUsed && *c.lastUsed > 0 ? formatLocalMinute(*c.lastUsed) : "never"});
    }
    out += formatTable(
        {"ID", "USER", "FACTOR", "LABEL", "STATE", "ALGO", "DIGITS", "CREATED", "LAST-USED"}, rows);
  }
  if (!result.locks.empty()) {
    std::vector<TableRow> rows;
    for (const LockRow& l : result.locks) {
      bool locked = l.lockedUntil && *l.lockedUntil > now;
      rows.push_back({l.user, std::to_string(l.failures),
                      locked ? formatLocalMinute(*l.lockedUntil) : "not locked"});
    }
    out += "\nUsers with failed attempts:\n";
    out += formatTable({"USER", "FAILURES", "LOCKED-UNTIL"}, rows);
  }
  return out;
}

Runner setupList(CLI::App& sub) {
  auto options = std::make_shared<ListOptions>();
  sub.add_option("USER", options->user, "only this account")->check(userNameValidator());
  return [options](Context& ctx) { return runList(ctx, *options); };
}

}  // namespace authd::cli
