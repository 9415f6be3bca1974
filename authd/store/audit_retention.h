#pragma once
// Audit retention: logon events are kept for [audit] retention_days, admin events (enrolment,
// revocation, unlock, refused admin calls) for admin_retention_days, and closed VPN sessions
// (RADIUS accounting) as long as logon events. A coroutine on the event loop deletes what is
// older, in bounded batches through the store's writer, once at start and then every hour, so
// the tables stay bounded however long authd runs.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>

#include "authd/base/config.h"
#include "authd/base/random.h"
#include "authd/store/store.h"

namespace authd {

struct AuditCutoffs {
  std::int64_t logonBefore = 0;
  std::int64_t adminBefore = 0;
};

AuditCutoffs auditCutoffs(const Config::Audit& audit, std::int64_t now);

// Deletes one batch; returns how many rows it deleted. Throws StoreError when it was not kept.
boost::asio::awaitable<std::int64_t> purgeAuditOnce(Store& store, AuditCutoffs cutoffs, int batch);
// Deletes one batch of sessions closed before `closedBefore`; like purgeAuditOnce.
boost::asio::awaitable<std::int64_t> purgeSessionsOnce(Store& store, std::int64_t closedBefore,
                                                       int batch);

// Runs until `timer` is cancelled.
boost::asio::awaitable<void> keepAuditRetention(Store& store, const Config::Audit& audit,
                                                Clock clock, boost::asio::steady_timer& timer);

}  // namespace authd
