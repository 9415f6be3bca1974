#pragma once
// What a device's agent does with a request line from its local socket: the local trust rule
// first (a local caller other than root or a service account acts only for its own account,
// caller_roles.h), since the central authd trusts the device to have applied it; then the line
// goes to the central authd unchanged, and its answer comes back unchanged. Admin operations
// are not forwarded: the device's certificate may not administer (authctl --server does).
//
// With offline logon configured (docs/offline.md): the offline entry in the answer of an
// accepted FIDO2 verify is taken out and kept; when no central server can be reached (and only
// then: never when one answered), factors, fido2_begin and verify are answered from the entries
// (offline_logon.h). At the first contact after start or after being offline, and every
// kSyncInterval, the agent reports its offline logons and drops the entries authd no longer
// vouches for, once the request was answered and before the answer goes back.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <boost/asio/thread_pool.hpp>

#include "authd/agent/offline_cache.h"
#include "authd/agent/offline_logon.h"
#include "authd/agent/upstream.h"
#include "authd/api/caller_limits.h"
#include "authd/api/line_handler.h"
#include "authd/base/config.h"
#include "authd/directory/directory.h"

namespace authd {

class AgentHandler final : public LineHandler {
 public:
  static constexpr std::int64_t kSyncInterval = 300;  // seconds
  static constexpr std::int64_t kSyncRetry = 30;      // after a sync that failed

  // `offline`: nullptr when the device does no offline logon.
  AgentHandler(Upstream& upstream, Directory& directory, boost::asio::thread_pool& pool,
               const Config& config, OfflineCache* offline = nullptr, Clock clock = systemClock());

  boost::asio::awaitable<std::string> handle(std::string_view line, PeerCredentials peer) override;

 private:
  // The central authd's answer, with an offline entry taken out (and kept when it is a FIDO2
  // accept).
  std::string takeOfflineEntry(std::string line, std::string_view op);
  // Reports offline logons and drops withdrawn entries when a contact is due; false when no
  // central server could be reached.
  boost::asio::awaitable<void> syncWhenDue();
  boost::asio::awaitable<bool> syncOnce();

  Upstream& upstream_;
  Directory& directory_;
  boost::asio::thread_pool& pool_;
  const Config& config_;
  RequestRate rate_;
  OfflineCache* offline_;
  Clock clock_;
  std::optional<OfflineLogon> offlineLogon_;
  bool syncDue_ = true;
  std::int64_t lastSync_ = 0;
  std::int64_t nextSyncAttempt_ = 0;
  bool syncing_ = false;
};

}  // namespace authd
