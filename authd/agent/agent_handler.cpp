#include "authd/agent/agent_handler.h"

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
                           const Config& config)
    : upstream_(upstream),
      directory_(directory),
      pool_(pool),
      config_(config),
      rate_(config.server.requestsPerSecond, config.server.requestBurst) {}

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
    case UpstreamAnswer::Status::answered:
      co_return std::move(answer.line);
    case UpstreamAnswer::Status::broken:
      log::warning("agent: the connection to " + answer.server + " broke during " + name);
      co_return answerLine(
          errorAnswer(id, err::kUnavailable, "the central authd did not answer; try again"));
    case UpstreamAnswer::Status::unreachable:
      break;
  }
  co_return answerLine(
      errorAnswer(id, err::kUnavailable, "no central authd could be reached from this device"));
}

}  // namespace authd
