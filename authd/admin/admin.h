#pragma once
// Administrative operations (enrol, confirm, list, revoke, unlock, audit, VPN sessions). Each one
// writes an audit event in the same transaction as its change. Refusals throw OpError.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "authd/api/requests.h"  // EnrollTotpRequest
#include "authd/base/core.h"
#include "authd/logon/policy.h"
#include "authd/logon/totp_logon.h"

namespace authd {

struct EnrollTotpAnswer {
  std::int64_t credentialId = 0;
  CredentialState state = CredentialState::pending;
  std::string secretBase32;  // shown once; wiped by the caller after sending
  std::string uri;
};

struct CredentialListing {
  std::vector<CredentialRecord> credentials;  // sealed secrets cleared
  std::vector<LockState> locks;
};

// What `authctl show USER` prints: the directory entry, the policy that applies and why, and the
// user's credentials and failure count.
struct AccountReport {
  Account account;
  EffectivePolicy policy;
  CredentialListing listing;
  std::vector<OfflineGrant> offlineGrants;  // devices holding an offline entry
};

// What `authctl sessions` prints: VPN sessions as RADIUS accounting reported them.
struct SessionListing {
  std::vector<SessionRecord> sessions;  // stale ones marked (kStaleSessionSeconds)
  std::int64_t open = 0;                // every open session, whatever the query asked
  int licenceLimit = 0;                 // radius.licence_limit; 0 = none
};

// The audit event of an admin action by `caller`, "ok" until the action says otherwise.
AuditEvent adminAuditEvent(std::int64_t now, std::string op, std::string user,
                           const Caller& caller);
// Runs `work` in a write transaction; throws StoreError when it was not stored durably.
boost::asio::awaitable<void> commitDurably(Store& store, const Store::TxnWork& work);

class AdminService {
 public:
  explicit AdminService(Core core) : core_(std::move(core)) {}

  boost::asio::awaitable<EnrollTotpAnswer> enrollTotp(EnrollTotpRequest request, Caller caller);
  boost::asio::awaitable<VerifyAnswer> confirmTotp(std::string user, std::int64_t credentialId,
                                                   std::string code, Caller caller);
  boost::asio::awaitable<CredentialListing> list(std::optional<std::string> user, Caller caller);
  // Throws OpError(not_found) when the directory does not know the user.
  boost::asio::awaitable<AccountReport> show(std::string user, Caller caller);
  boost::asio::awaitable<void> revoke(std::string user, std::int64_t credentialId, Caller caller);
  boost::asio::awaitable<std::int64_t> unlock(std::string user, Caller caller);
  // Withdraws the offline entries of `user` at `device` (every device when nullopt); returns how
  // many were still standing. The devices drop them at their next contact.
  boost::asio::awaitable<std::int64_t> offlineRevoke(std::string user,
                                                     std::optional<std::string> device,
                                                     Caller caller);
  boost::asio::awaitable<std::vector<AuditEvent>> audit(AuditQuery query, Caller caller);
  // query.staleBefore is set from the clock.
  boost::asio::awaitable<SessionListing> sessions(SessionQuery query, Caller caller);

  // Audits a refused admin call (forbidden caller); used by the dispatcher.
  boost::asio::awaitable<void> auditDenied(std::string op, std::string user, Caller caller);

 private:
  AuditEvent event(std::string op, std::string user, const Caller& caller) const;
  boost::asio::awaitable<void> commit(const Store::TxnWork& work);

  Core core_;
};

}  // namespace authd
