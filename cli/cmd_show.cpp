// authctl show USER

#include "cli/cmd_show.h"

#include <memory>
#include <ostream>

#include "authd/protocol.h"
#include "cli/commands.h"
#include "cli/response_reader.h"
#include "cli/time_arg.h"

namespace authd::cli {

namespace {

constexpr std::size_t kMaxListItems = 4096;
constexpr std::size_t kMaxFieldBytes = 1024;

// The first problem found is the one reported.
void setError(std::string* error, std::string message) {
  if (error->empty()) *error = std::move(message);
}

// A JSON array of printable strings (at most kMaxListItems); sets *error otherwise.
std::vector<std::string> textList(const nlohmann::json& object, const char* key,
                                  std::string* error) {
  std::vector<std::string> out;
  auto it = object.find(key);
  if (it == object.end() || !it->is_array() || it->size() > kMaxListItems) {
    setError(error, "field \"" + std::string(key) + "\" is not an array");
    return out;
  }
  for (const auto& item : *it) {
    if (!item.is_string() || item.get_ref<const std::string&>().size() > kMaxFieldBytes) {
      setError(error, "field \"" + std::string(key) + "\" holds a non-string");
      return {};
    }
    out.push_back(printable(item.get<std::string>()));
  }
  return out;
}

bool flag(const nlohmann::json& object, const char* key, std::string* error) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_boolean()) {
    setError(error, "field \"" + std::string(key) + "\" is not a boolean");
    return false;
  }
  return it->get<bool>();
}

const nlohmann::json& member(const nlohmann::json& object, const char* key, std::string* error) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  auto it = object.find(key);
  if (it == object.end() || !it->is_object()) {
    setError(error, "field \"" + std::string(key) + "\" is not an object");
    return kEmpty;
  }
  return *it;
}

void readAccount(const nlohmann::json& a, ShowResult& out, std::string* error) {
  ResponseReader reader(a);
  out.name = printable(reader.text("name", protocol::kMaxUserBytes));
  out.id = printable(reader.text("id", kMaxFieldBytes));
  out.displayName = printable(reader.optionalText("display_name", kMaxFieldBytes));
  out.mail = printable(reader.optionalText("mail", kMaxFieldBytes));
  out.dn = printable(reader.optionalText("dn", kMaxFieldBytes));
  if (reader.failed()) setError(error, "account: " + reader.error());
  out.groups = textList(a, "groups", error);
  out.disabled = flag(a, "disabled", error);
}

void readPolicy(const nlohmann::json& p, ShowResult& out, std::string* error) {
  out.mfaRequired = flag(p, "mfa_required", error);
  out.mfaBecause = textList(p, "mfa_because", error);
  out.factors = textList(p, "factors", error);
  out.uvRequired = flag(p, "uv_required", error);
  out.rules = textList(p, "rules", error);
  // Absent from an authd before offline logon: not allowed.
  out.offline = p.contains("offline") && flag(p, "offline", error);
  ResponseReader reader(p);
  out.offlineMaxAgeDays = reader.optionalInteger("offline_max_age_days", 0, 366).value_or(0);
  if (reader.failed()) setError(error, "policy: " + reader.error());
}

void readOfflineEntries(const nlohmann::json& response, ShowResult& out, std::string* error) {
  auto it = response.find("offline_entries");
  if (it == response.end()) return;  // an authd before offline logon
  if (!it->is_array() || it->size() > kMaxListItems) {
    setError(error, "field \"offline_entries\" is not an array");
    return;
  }
  for (const auto& item : *it) {
    if (!item.is_object()) return setError(error, "offline_entries holds a non-object");
    ResponseReader reader(item);
    ShowResult::OfflineEntry e;
    e.device = printable(reader.text("device", kMaxFieldBytes));
    e.issued = reader.integer("issued", 0, (std::int64_t{1} << 53) - 1);
    e.expires = reader.integer("expires", 0, (std::int64_t{1} << 53) - 1);
    e.revoked = flag(item, "revoked", error);
    if (reader.failed()) return setError(error, "offline_entries: " + reader.error());
    out.offlineEntries.push_back(std::move(e));
  }
}

std::string offlineLines(const ShowResult& r, std::int64_t now) {
  std::string out = "Offline logon:   ";
  out += r.offline ? "allowed at devices, entries valid " + std::to_string(r.offlineMaxAgeDays) +
                         " days from the last online logon with a key\n"
                   : "not allowed\n";
  for (const auto& e : r.offlineEntries) {
    out += "  " + e.device + ": ";
    if (e.revoked) {
      out += "withdrawn; dropped at the device's next contact\n";
    } else if (e.expires <= now) {
      out += "expired " + formatLocalMinute(e.expires) + "\n";
    } else {
      out += "valid until " + formatLocalMinute(e.expires) + " (issued " +
             formatLocalMinute(e.issued) + ")\n";
    }
  }
  return out;
}

std::string joined(const std::vector<std::string>& items, const char* none = "none") {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? none : out;
}

std::string mfaLine(const ShowResult& r) {
  if (!r.mfaRequired) return "not required (in none of policy.mfa_groups)";
  if (r.mfaBecause == std::vector<std::string>{"everyone"}) return "required (for everyone)";
  return "required (member of " + joined(r.mfaBecause) + ")";
}

std::string factorsLine(const ShowResult& r) {
  const bool byDefault = r.rules == std::vector<std::string>{"default"};
  std::string why = byDefault ? "policy.default_factors: no group rule applies"
                              : "rules of " + joined(r.rules) +
                                    (r.rules.size() > 1 ? "; the strictest wins" : "");
  if (r.factors.empty()) {
    return "none (" + why + ": they have no factor in common, so this account cannot log on)";
  }
  return joined(r.factors) + " (" + why + ")";
}

int runShow(Context& ctx, const std::string& user) {
  int exitCode = kExitOk;
  auto response = callAuthd(ctx, {{"op", "show"}, {"user", user}}, &exitCode);
  if (!response) return exitCode;
  std::string error;
  auto result = parseShowResult(*response, &error);
  if (!result) return fail(ctx, kExitFailed, "authd sent an invalid show answer: " + error);
  if (ctx.options.json) {
    printJson(ctx, resultFields(*response));
  } else {
    ctx.out << formatShowResult(*result, ctx.now);
  }
  return kExitOk;
}

}  // namespace

std::optional<ShowResult> parseShowResult(const nlohmann::json& response, std::string* error) {
  ShowResult out;
  readAccount(member(response, "account", error), out, error);
  if (error->empty()) readPolicy(member(response, "policy", error), out, error);
  if (error->empty()) readOfflineEntries(response, out, error);
  if (!error->empty()) return std::nullopt;
  auto listing = parseListResult(response, error);
  if (!listing) return std::nullopt;
  out.listing = std::move(*listing);
  return out;
}

std::string formatShowResult(const ShowResult& r, std::int64_t now) {
  std::string out;
  out += "User:            " + r.name + (r.displayName.empty() ? "" : " (" + r.displayName + ")") +
         "\n";
  if (!r.mail.empty()) out += "Mail:            " + r.mail + "\n";
  out += "Directory id:    " + r.id + "\n";
  if (!r.dn.empty()) out += "DN:              " + r.dn + "\n";
  out += "Groups:          " + joined(r.groups) + "\n";
  out += std::string("Account:         ") +
         (r.disabled ? "DISABLED in the directory: every logon is refused" : "enabled") + "\n";
  out += "Second factor:   " + mfaLine(r) + "\n";
  out += "Allowed factors: " + factorsLine(r) + "\n";
  out += std::string("PIN/UV on keys:  ") +
         (r.uvRequired ? "required by a group rule" : "as enrolled") + "\n";
  out += offlineLines(r, now) + "\n";
  out += formatListResult(r.listing, now);
  return out;
}

Runner setupShow(CLI::App& sub) {
  auto user = std::make_shared<std::string>();
  sub.add_option("USER", *user, "account name")->required()->check(userNameValidator());
  return [user](Context& ctx) { return runShow(ctx, *user); };
}

}  // namespace authd::cli
