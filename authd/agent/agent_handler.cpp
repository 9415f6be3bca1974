#include "authd/agent/agent_handler.h"

#include <algorithm>

#include "authd/api/caller_roles.h"
#include "authd/api/error_answer.h"
#include "authd/api/requests.h"
#include "authd/base/log.h"
#include "authd/json_reader.h"
#include "authd/protocol.h"
#include "authd/wipe.h"

namespace authd {

namespace err = protocol::error;
using nlohmann::json;

namespace {

std::string answerLine(const json& answer) { return answer.dump(); }

struct SecretFieldsWipe {
  json& request;
  ~SecretFieldsWipe() { wipeSecretFields(request); }
};

}  // namespace

AgentHandler::AgentHandler(Upstream& upstream, Directory& directory, boost::asio::thread_pool& pool,
                           const Config& config, OfflineCache* offline, Clock clock)
    : upstream_(upstream),
      directory_(directory),
      pool_(pool),
      config_(config),
      rate_(config.server.requestsPerSecond, config.server.requestBurst),
      offline_(offline),
      clock_(std::move(clock)) {
  if (offline_ != nullptr) offlineLogon_.emplace(*offline_, clock_, systemRandom());
}

boost::asio::awaitable<std::string> AgentHandler::handle(std::string_view line,
                                                         PeerCredentials peer) {
  std::string why;
  std::optional<json> request = parseProtocolLine(line, &why);
  if (!request) co_return answerLine(errorAnswer(nullptr, err::kBadRequest, why));
  const SecretFieldsWipe wipe{*request};  // what the user typed
  JsonReader envelope(*request);
  const json id = readId(envelope);
  const auto op = request->find("op");
  if (op == request->end() || !op->is_string()) {
    co_return answerLine(errorAnswer(id, err::kBadRequest, "op: missing or not a string"));
  }
  const std::string& name = op->get_ref<const std::string&>();
  const std::optional<Access> access = accessOf(name);
  if (!access) co_return answerLine(errorAnswer(id, err::kUnknownOp, "unknown op: " + name));
  if (*access == Access::admin) {
    co_return answerLine(errorAnswer(
        id, err::kForbidden,
        "admin operations go to the central authd, not through a device: authctl --server"));
  }
  const CallerRoles roles = co_await rolesOf(peer, directory_, pool_, config_.server);
  if (!roles.service && !rate_.allow(peer.uid, RequestRate::Clock::now())) {
    co_return answerLine(
        errorAnswer(id, err::kBusy, "too many requests; try again in a few seconds"));
  }
  const std::string_view refusal = accessRefusal(*access, roles, requestedUser(*request));
  if (!refusal.empty()) {
    log::warning("agent: refused " + name + " of uid " + std::to_string(peer.uid) + ": " +
                 std::string(refusal));
    co_return answerLine(errorAnswer(id, err::kForbidden, std::string(refusal)));
  }
  UpstreamAnswer answer = co_await upstream_.call(std::string(line));
  switch (answer.status) {
    case UpstreamAnswer::Status::answered: {
      std::string reply = takeOfflineEntry(std::move(answer.line), name);
      // In contact: what happened offline is reported before this caller hears back.
      if (offline_ != nullptr) co_await syncWhenDue();
      co_return reply;
    }
    case UpstreamAnswer::Status::broken:
      log::warning("agent: the connection to " + answer.server + " broke during " + name);
      co_return answerLine(
          errorAnswer(id, err::kUnavailable, "the central authd did not answer; try again"));
    case UpstreamAnswer::Status::unreachable:
      break;
  }
  syncDue_ = true;  // the next contact reports what happened meanwhile
  nextSyncAttempt_ = 0;
  if (offlineLogon_) {
    JsonReader reader(*request);
    (void)readId(reader);
    (void)reader.requireInt("v", protocol::kVersion, protocol::kVersion);
    (void)reader.requireString("op", 32);
    if (reader.failed()) co_return answerLine(errorAnswer(id, err::kBadRequest, reader.error()));
    co_return answerLine(offlineLogon_->answer(name, reader, id));
  }
  co_return answerLine(
      errorAnswer(id, err::kUnavailable, "no central authd could be reached from this device"));
}

std::string AgentHandler::takeOfflineEntry(std::string line, std::string_view op) {
  if (op != "verify" || line.find("\"offline_entry\"") == std::string::npos) return line;
  json answer = json::parse(line, nullptr, false);
  if (!answer.is_object() || !answer.contains("offline_entry")) return line;
  const json entry = std::move(answer["offline_entry"]);
  answer.erase("offline_entry");
  if (offline_ != nullptr && entry.is_string() && answer.value("result", "") == "accept") {
    std::string why;
    if (!offline_->keep(entry.get_ref<const std::string&>(), clock_(), &why)) {
      log::warning("agent: offline entry not kept: " + why);
    }
  }
  return answer.dump();
}

boost::asio::awaitable<void> AgentHandler::syncWhenDue() {
  const std::int64_t now = clock_();
  if (syncing_ || now < nextSyncAttempt_ || (!syncDue_ && now - lastSync_ < kSyncInterval)) {
    co_return;
  }
  syncing_ = true;
  const bool done = co_await syncOnce();
  syncing_ = false;
  if (done) {
    syncDue_ = false;
    lastSync_ = clock_();
  } else {
    // A server that answers but refuses the sync (an older authd) is not asked at every request.
    nextSyncAttempt_ = clock_() + kSyncRetry;
  }
}

namespace {

// One offline_sync request's worth: entries and logons within the line limit.
struct SyncBatch {
  std::vector<HeldOfflineEntry> entries;
  std::vector<UnreportedLogon> logons;
  json request() const {
    json held = json::array();
    for (const auto& e : entries) held.push_back({{"user", e.user}, {"issued", e.issued}});
    json seen = json::array();
    for (const auto& l : logons) {
      seen.push_back({{"user", l.user},
                      {"time", l.logon.time},
                      {"credential", base64urlEncode(l.logon.credentialId)},
                      {"count", l.logon.count}});
    }
    return {{"v", protocol::kVersion},
            {"id", "offline-sync"},
            {"op", "offline_sync"},
            {"entries", held},
            {"logons", seen}};
  }
};

constexpr std::size_t kSyncBatchBytes = protocol::kMaxLineBytes - 2048;
constexpr std::size_t kMaxSyncBatches = 64;

std::vector<SyncBatch> syncBatches(std::vector<HeldOfflineEntry> held,
                                   std::vector<UnreportedLogon> logons) {
  std::vector<SyncBatch> batches(1);
  std::size_t bytes = 0;
  auto room = [&](std::size_t itemBytes, std::size_t items) {
    if (bytes + itemBytes > kSyncBatchBytes || items >= kMaxOfflineSyncItems) {
      batches.emplace_back();
      bytes = 0;
    }
    bytes += itemBytes;
  };
  // Logons first: authd vouches for them while it still holds the grants that a batch of
  // entries may make it forget.
  for (auto& l : logons) {
    room(l.user.size() + base64urlLength(l.logon.credentialId.size()) + 80,
         batches.back().logons.size());
    batches.back().logons.push_back(std::move(l));
  }
  for (auto& e : held) {
    room(e.user.size() + 40, batches.back().entries.size());
    batches.back().entries.push_back(std::move(e));
  }
  if (batches.size() > kMaxSyncBatches) batches.resize(kMaxSyncBatches);
  return batches;
}

}  // namespace

boost::asio::awaitable<bool> AgentHandler::syncOnce() {
  for (const SyncBatch& batch : syncBatches(offline_->held(), offline_->unreported())) {
    UpstreamAnswer answer = co_await upstream_.call(batch.request().dump());
    if (answer.status != UpstreamAnswer::Status::answered) co_return false;
    const json reply = json::parse(answer.line, nullptr, false);
    if (!reply.is_object() || reply.value("ok", false) != true || !reply.contains("keep") ||
        !reply["keep"].is_array()) {
      log::warning("agent: offline_sync refused by " + answer.server + ": " + answer.line);
      co_return false;
    }
    const json& keep = reply["keep"];
    for (const auto& e : batch.entries) {
      if (std::find(keep.begin(), keep.end(), json(e.user)) == keep.end()) {
        offline_->drop(e.user, e.issued);
      }
    }
    offline_->forgetReported(batch.logons);
    if (!batch.logons.empty()) {
      log::info("agent: " + std::to_string(batch.logons.size()) + " offline logon(s) reported to " +
                answer.server);
    }
  }
  co_return true;
}

}  // namespace authd
