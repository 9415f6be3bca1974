// authctl list [USER]

#include "cli/cmd_list.h"

#include <memory>
#include <ostream>

#include "authd/base64url.h"
#include "authd/protocol.h"
#include "cli/cmd_enroll_fido2.h"
#include "cli/commands.h"
#include "cli/response_reader.h"
#include "cli/table.h"
#include "cli/time_arg.h"

namespace authd::cli {

namespace {

constexpr std::int64_t kMaxInt = (std::int64_t{1} << 53) - 1;

constexpr std::size_t kMaxAaguidChars = 36;
constexpr std::size_t kMaxFido2IdChars = base64urlLength(protocol::kMaxFido2CredentialIdBytes);

// Absent or null: false. Any other non-boolean is an error.
bool optionalFlag(const nlohmann::json& item, const char* key, std::string* error) {
  auto it = item.find(key);
  if (it == item.end() || it->is_null()) return false;
  if (!it->is_boolean()) *error = "field \"" + std::string(key) + "\" is not a boolean";
  return it->is_boolean() && it->get<bool>();
}

// TOTP rows name the hash ("sha1"), FIDO2 rows may give the COSE id (-7).
std::string readAlgorithm(const nlohmann::json& item, ResponseReader& reader) {
  auto it = item.find("algorithm");
  if (it != item.end() && it->is_number_integer()) {
    return coseAlgorithmName(reader.integer("algorithm", -65536, 65535));
  }
  return reader.optionalText("algorithm", 16);
}

void readFido2Fields(ResponseReader& reader, CredentialRow& row) {
  row.aaguid = reader.optionalText("aaguid", kMaxAaguidChars);
  row.signCount = reader.optionalInteger("sign_count", 0, 0xFFFFFFFF);
  row.fmt = reader.optionalText("fmt", 32);
  row.fido2Id = reader.optionalText("fido2_id", kMaxFido2IdChars);
}

std::optional<CredentialRow> readCredential(const nlohmann::json& item, std::string* error) {
  ResponseReader reader(item);
  CredentialRow row;
  row.id = reader.integer("id", 0, kMaxInt);
  row.user = reader.text("user", protocol::kMaxUserBytes);
  row.factor = reader.text("factor", 16);
  row.label = reader.optionalText("label", protocol::kMaxLabelBytes);
  row.state = reader.text("state", 16);
  if (reader.failed()) {
    *error = "credential: " + reader.error();
    return std::nullopt;
  }
  row.algorithm = readAlgorithm(item, reader);
  const bool fido2 = row.factor == "fido2";
  row.digits =
      fido2 ? reader.optionalInteger("digits", 0, 16).value_or(0) : reader.integer("digits", 0, 16);
  row.created = reader.integer("created", 0, kMaxInt);
  row.lastUsed = reader.optionalInteger("last_used", 0, kMaxInt);
  std::string flagError;
  if (fido2) {
    readFido2Fields(reader, row);
    row.cloneSuspected = optionalFlag(item, "clone_suspected", &flagError);
  }
  if (reader.failed() || !flagError.empty()) {
    *error = "credential: " + (reader.failed() ? reader.error() : flagError);
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

std::string lastUsedCell(const CredentialRow& c) {
  return c.lastUsed && *c.lastUsed > 0 ? formatLocalMinute(*c.lastUsed) : "never";
}

std::string formatCodeTable(const std::vector<const CredentialRow*>& credentials) {
  std::vector<TableRow> rows;
  for (const CredentialRow* c : credentials) {
    rows.push_back({std::to_string(c->id), c->user, c->factor, c->label.empty() ? "-" : c->label,
                    c->state, c->algorithm.empty() ? "-" : c->algorithm, std::to_string(c->digits),
                    formatLocalMinute(c->created), lastUsedCell(*c)});
  }
  return formatTable(
      {"ID", "USER", "FACTOR", "LABEL", "STATE", "ALGO", "DIGITS", "CREATED", "LAST-USED"}, rows);
}

std::string formatKeyTable(const std::vector<const CredentialRow*>& keys) {
  std::vector<TableRow> rows;
  bool anySuspected = false;
  for (const CredentialRow* c : keys) {
    anySuspected = anySuspected || c->cloneSuspected;
    rows.push_back({std::to_string(c->id), c->user, c->label.empty() ? "-" : c->label,
                    c->cloneSuspected ? "clone-suspected" : c->state,
                    c->algorithm.empty() ? "-" : c->algorithm,
                    c->signCount ? std::to_string(*c->signCount) : "-",
                    c->aaguid.empty() ? "-" : c->aaguid, formatLocalMinute(c->created),
                    lastUsedCell(*c)});
  }
  std::string out = "Security keys (FIDO2):\n";
  out += formatTable(
      {"ID", "USER", "LABEL", "STATE", "ALGO", "COUNTER", "AAGUID", "CREATED", "LAST-USED"}, rows);
  if (anySuspected) {
    out +=
        "clone-suspected: the key's signature counter went backwards, so the key may have been "
        "copied; its logons are refused. Check the key with its user, then run 'authctl "
        "reinstate USER ID', or 'authctl revoke USER ID'.\n";
  }
  return out;
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
  std::vector<const CredentialRow*> codes;
  std::vector<const CredentialRow*> keys;
  for (const CredentialRow& c : result.credentials)
    (c.factor == "fido2" ? keys : codes).push_back(&c);
  std::string out;
  if (result.credentials.empty()) out += "No credentials.\n";
  if (!codes.empty()) out += formatCodeTable(codes);
  if (!keys.empty()) out += (codes.empty() ? "" : "\n") + formatKeyTable(keys);
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
