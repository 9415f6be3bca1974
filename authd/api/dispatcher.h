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
#include "authd/api/requests.h"
#include "authd/base/core.h"
#include "authd/json_reader.h"
#include "authd/logon/fido2_logon.h"
#include "authd/logon/totp_logon.h"

namespace authd {

// Who is at the other end of a connection: a local process (SO_PEERCRED) or a network peer
// identified by its client certificate (TLS listener).
struct PeerCredentials {
  PeerCredentials() = default;
  PeerCredentials(std::int64_t uid_, std::int64_t gid_, std::int64_t pid_)
      : uid(uid_), gid(gid_), pid(pid_) {}

  std::int64_t uid = -1;
  std::int64_t gid = -1;
  std::int64_t pid = -1;
  std::string certificateName;    // the verified certificate's name; "" for local callers
  bool certificateAdmin = false;  // tls.admins lists it: an admin, not a device
  std::int64_t rateKey = -1;      // the request-rate bucket of a network peer (below -1)
};

class Dispatcher {
 public:
  explicit Dispatcher(Core core);

  // Always produces exactly one response line (without the newline).
  boost::asio::awaitable<std::string> handle(std::string_view line, PeerCredentials peer);

  using Handler = boost::asio::awaitable<nlohmann::json> (Dispatcher::*)(JsonReader&, Caller&);
  // Who may call an operation (docs/protocol.md, "Who may call what").
  enum class Access {
    anyone,   // ping
    account,  // for the caller's own account; root and server.service_group for any account
    admin,    // root and server.admin_group
  };
  struct Operation {
    std::string_view name;
    Access access;
    Handler handler;
  };

 private:
  // What the local system says about a socket peer's uid.
  struct PeerRoles {
    std::string name;  // login name of the uid; empty when unknown
    bool admin = false;
    bool service = false;  // may act for any account
  };

  static const std::vector<Operation>& operations();
  boost::asio::awaitable<nlohmann::json> run(const nlohmann::json& request, PeerCredentials peer);
  boost::asio::awaitable<PeerRoles> rolesOf(const PeerCredentials& peer);
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

  Core core_;
  TotpLogon totpLogon_;
  AdminService admin_;
  Fido2Logon fido2Logon_;
  Fido2Enrolment fido2Enrolment_;
  RequestRate rate_;
};

}  // namespace authd
