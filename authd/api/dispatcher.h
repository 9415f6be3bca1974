#pragma once
// Turns one request line into one response line (docs/protocol.md): parses the envelope and the
// operation's fields completely, checks the caller's permission, then calls the core. The table
// of operations in dispatcher.cpp is the only place that knows operation names.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "authd/admin/admin.h"
#include "authd/admin/fido2_enrolment.h"
#include "authd/api/caller_limits.h"
#include "authd/api/line_handler.h"
#include "authd/api/requests.h"
#include "authd/base/core.h"
#include "authd/json_reader.h"
#include "authd/logon/fido2_logon.h"
#include "authd/logon/totp_logon.h"

namespace authd {

class Dispatcher final : public LineHandler {
 public:
  explicit Dispatcher(Core core);

  // Always produces exactly one response line (without the newline).
  boost::asio::awaitable<std::string> handle(std::string_view line, PeerCredentials peer) override;

  using Handler = boost::asio::awaitable<nlohmann::json> (Dispatcher::*)(JsonReader&, Caller&);
  // Who may call it: accessOf(name) (caller_roles.h).
  struct Operation {
    std::string_view name;
    Handler handler;
  };
  static const std::vector<Operation>& operations();

 private:
  boost::asio::awaitable<nlohmann::json> run(const nlohmann::json& request, PeerCredentials peer);
  // Throws OpError(forbidden) (audited) unless the caller may use `op` for this request.
  boost::asio::awaitable<void> authorize(const Operation& op, const nlohmann::json& request,
                                         const PeerCredentials& peer, Caller& caller);

  boost::asio::awaitable<nlohmann::json> ping(JsonReader& r, Caller& caller);
  boost::asio::awaitable<nlohmann::json> factors(JsonReader& r, Caller& caller);
  boost::asio::awaitable<nlohmann::json> verify(JsonReader& r, Caller& caller);
  boost::asio::awaitable<nlohmann::json> enrollTotp(JsonReader& r, Caller& caller);
  boost::asio::awaitable<nlohmann::json> confirmTotp(JsonReader& r, Caller& caller);
  boost::asio::awaitable<nlohmann::json> list(JsonReader& r, Caller& caller);
  boost::asio::awaitable<nlohmann::json> show(JsonReader& r, Caller& caller);
  boost::asio::awaitable<nlohmann::json> revoke(JsonReader& r, Caller& caller);
  boost::asio::awaitable<nlohmann::json> unlock(JsonReader& r, Caller& caller);
  boost::asio::awaitable<nlohmann::json> audit(JsonReader& r, Caller& caller);
  boost::asio::awaitable<nlohmann::json> verifyFido2(VerifyRequest& request, Caller& caller);
  boost::asio::awaitable<nlohmann::json> fido2Begin(JsonReader& r, Caller& caller);
  boost::asio::awaitable<nlohmann::json> fido2RegisterBegin(JsonReader& r, Caller& caller);
  boost::asio::awaitable<nlohmann::json> fido2RegisterFinish(JsonReader& r, Caller& caller);
  boost::asio::awaitable<nlohmann::json> fido2Reinstate(JsonReader& r, Caller& caller);
  boost::asio::awaitable<nlohmann::json> offlineRevoke(JsonReader& r, Caller& caller);
  boost::asio::awaitable<nlohmann::json> offlineSync(JsonReader& r, Caller& caller);
  boost::asio::awaitable<nlohmann::json> sessions(JsonReader& r, Caller& caller);

  Core core_;
  TotpLogon totpLogon_;
  AdminService admin_;
  Fido2Logon fido2Logon_;
  Fido2Enrolment fido2Enrolment_;
  RequestRate rate_;
};

}  // namespace authd
